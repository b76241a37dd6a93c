import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { diag } from '@opentelemetry/api';
import { isSdkDisabled } from './config.js';

/** The packages our default instrumentations patch. */
const CLIENTS = ['openai', 'ollama', '@anthropic-ai/sdk', '@aws-sdk/client-bedrock-runtime', '@google/genai'] as const;

/**
 * Whether `name` is installed in a `node_modules` folder on the way up from `dir`, directly or as
 * the dependency of a dependency (npm and yarn hoist those to the top; pnpm keeps them all under
 * `node_modules/.pnpm/node_modules`).
 */
function installedFrom(dir: string, name: string): boolean {
  for (let current = resolve(dir); ; ) {
    const modules = join(current, 'node_modules');
    if (existsSync(join(modules, name)) || existsSync(join(modules, '.pnpm', 'node_modules', name))) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/** Whether `openai`, `ollama` or `@anthropic-ai/sdk` is installed where code in one of `dirs`, or a dependency of it, can import it. */
export function clientsReachable(dirs: readonly string[]): boolean {
  return CLIENTS.some((name) => dirs.some((dir) => installedFrom(dir, name)));
}

/** How {@link registerEsmHook} installed the hook: on the app's thread, on a loader thread, or not at all. */
export type EsmHookMode = 'in-thread' | 'loader-thread' | false;

/** What import-in-the-middle's `register-hooks.mjs` exports (its in-thread hook, on `module.registerHooks()`). */
interface InThreadHooks {
  supportsSyncHooks(): boolean;
  register(options: { include: RegExp[] }): void;
}

/**
 * import-in-the-middle's in-thread hook, when this Node can run it (`module.registerHooks()` accepting
 * what the hook returns: 22.22.3+, 24.11.1+, 25.1+, as import-in-the-middle's own check says), else
 * undefined. It is the copy `@opentelemetry/instrumentation` uses, so that the instrumentations'
 * hooks reach it. On older Node (20 included) nothing is loaded: `registerHooks` does not exist there.
 */
export function loadInThreadHooks(parentUrl: string): InThreadHooks | undefined {
  if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== 'function') return undefined;
  try {
    const instrumentation = nodeModule.createRequire(parentUrl).resolve('@opentelemetry/instrumentation/hook.mjs');
    // require() of an ES module: every Node that has registerHooks() has it too.
    const hooks = nodeModule.createRequire(instrumentation)('import-in-the-middle/register-hooks.mjs') as InThreadHooks;
    return typeof hooks.register === 'function' && hooks.supportsSyncHooks() ? hooks : undefined;
  } catch {
    return undefined; // an older import-in-the-middle without it: the loader thread does the job
  }
}

/**
 * Installs the ES module loader hook that lets the instrumentations patch `openai`, `ollama` and
 * `@anthropic-ai/sdk` when an ES module app imports them. It is installed only when one of the clients is
 * installed in the app's project (above the app or the working directory, directly or as a dependency of a
 * dependency), and it intercepts only their files: the app's other modules and ours load without it.
 * Where Node can run it on the app's thread (`module.registerHooks()`, see {@link loadInThreadHooks}) it
 * does; elsewhere (Node 20) it runs on a loader thread of its own, which costs tens of ms of CPU and about
 * 10 MiB (about 15 MiB on Node 24) at start-up.
 *
 * @returns how the hook was installed, or false when it was not.
 */
export function registerEsmHook(parentUrl: string, appEntry = process.argv[1]): EsmHookMode {
  if (isSdkDisabled()) return false;
  const dirs = [process.cwd(), ...(appEntry ? [dirname(resolve(appEntry))] : [])];
  if (!clientsReachable(dirs)) return false;
  const include = [new RegExp(`/node_modules/(?:${CLIENTS.join('|')})/`)];
  const inThread = loadInThreadHooks(parentUrl);
  if (inThread !== undefined) {
    inThread.register({ include });
    diag.debug('@llm-otel/node: ES module hook for the LLM clients installed on the app thread');
    return 'in-thread';
  }
  nodeModule.register('@opentelemetry/instrumentation/hook.mjs', parentUrl, { data: { include } });
  diag.debug('@llm-otel/node: ES module hook for the LLM clients installed on a loader thread');
  return 'loader-thread';
}
