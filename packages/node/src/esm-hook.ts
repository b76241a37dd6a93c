import { existsSync } from 'node:fs';
import { register as registerLoaderHook } from 'node:module';
import { dirname, join, resolve } from 'node:path';
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

/**
 * Installs the ES module loader hook that lets the instrumentations patch `openai`, `ollama` and
 * `@anthropic-ai/sdk` when an ES module app imports them. The hook runs on a thread of its own (tens of ms and about
 * 10 MiB), so it is installed only when one of the clients is installed in the app's project (above
 * the app or the working directory, directly or as a dependency of a dependency), and it intercepts
 * only their files: the app's other modules and ours load without it.
 *
 * @returns whether the hook was installed.
 */
export function registerEsmHook(parentUrl: string, appEntry = process.argv[1]): boolean {
  if (isSdkDisabled()) return false;
  const dirs = [process.cwd(), ...(appEntry ? [dirname(resolve(appEntry))] : [])];
  if (!clientsReachable(dirs)) return false;
  registerLoaderHook('@opentelemetry/instrumentation/hook.mjs', parentUrl, {
    data: { include: [new RegExp(`/node_modules/(?:${CLIENTS.join('|')})/`)] },
  });
  return true;
}
