import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * Shared by the zero-code tests (an app started as a child process with `--import` / `--require`
 * `@llm-otel/node/register` and a Prometheus exporter), which check the scraped page.
 */

/** A free loopback TCP port (the app's Prometheus exporter listens on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The sum of the samples of `name` whose label set includes every `labels` pair (Prometheus text). */
export function sum(page: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** A started app: its first output (or how it exited) and a scrape of its metrics page. */
export interface ZeroCodeApp {
  first: string;
  scrape(): Promise<string>;
}

let child: ChildProcess | undefined;

/**
 * Starts `node ...args` with `env` over the test's environment and a Prometheus exporter on a free
 * port, and waits for its first output, or the exit of an app that failed (then the test fails at
 * once). One app at a time: `stopZeroCodeApp()` (in `afterEach`) kills it.
 */
export async function startZeroCodeApp(
  args: readonly string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<ZeroCodeApp> {
  const port = await freePort();
  child = spawn(process.execPath, [...args], {
    ...(cwd === undefined ? {} : { cwd }),
    env: {
      ...process.env,
      ...env,
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await Promise.race([
    once(child.stdout as NodeJS.ReadableStream, 'data').then(([out]) => String(out)),
    once(child, 'exit').then(([code]) => `exited with ${code}`),
  ]);
  return { first, scrape: async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text() };
}

/** Kills the app `startZeroCodeApp` started, if any. */
export function stopZeroCodeApp(): void {
  child?.kill();
  child = undefined;
}
