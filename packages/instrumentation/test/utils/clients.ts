import { createRequire } from 'node:module';

/**
 * Where the client packages are loaded from, and which ones. The default run (Node 20) loads the
 * openai majors 4, 5 and 6 through package aliases and two ollama releases from this package's
 * devDependencies. The Node 24 matrix run points `LLM_OTEL_TEST_MODULES_FROM` at its own package
 * (openai 7, SDK 3.x) and sets the lists.
 *
 * Loading goes through `require`, so the instrumentation's require hook sees it, as in a CommonJS
 * app (ESM apps are tested in esm.test.ts through the import hook).
 */
const from = process.env.LLM_OTEL_TEST_MODULES_FROM ?? import.meta.url;
export const requireClient = createRequire(from);

function list(variable: string, fallback: string): string[] {
  return (process.env[variable] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export const OPENAI_MODULES = list('LLM_OTEL_OPENAI_MODULES', 'openai-v4,openai-v5,openai-v6');
export const OLLAMA_MODULES = list('LLM_OTEL_OLLAMA_MODULES', 'ollama,ollama-v05');

/** The version of an installed client package (read from its package.json next to its main file). */
export function clientVersion(name: string): string {
  const fs = requireClient('node:fs') as typeof import('node:fs');
  const path = requireClient('node:path') as typeof import('node:path');
  let dir = path.dirname(requireClient.resolve(name));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name.replace(/-v\d+$/, '') || pkg.name === 'openai' || pkg.name === 'ollama')
        return pkg.version ?? '?';
    }
    dir = path.dirname(dir);
  }
  return '?';
}
