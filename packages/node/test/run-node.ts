import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** How a child `node` process ended and what it wrote. */
export interface NodeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ...args` in this package's folder to its end, with `env` over the test's environment
 * (an `undefined` value unsets the variable), and collects its output.
 */
export async function runNode(args: readonly string[], env: Record<string, string | undefined>): Promise<NodeRun> {
  const child = spawn(process.execPath, [...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'close')) as [number];
  return { code, stdout, stderr };
}

/** The last line of a probe's output, parsed as a JSON object. */
export function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}
