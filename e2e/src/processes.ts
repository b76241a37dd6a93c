import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A child process whose output goes to a log file, stopped by {@link stopAll}. */
export interface Service {
  name: string;
  process: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

const running = new Set<Service>();

/** Free TCP ports on loopback, distinct from each other. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import('node:net').AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Starts `command` with its output in `<logDir>/<name>.log`. */
export function start(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; logDir: string },
): Service {
  mkdirSync(options.logDir, { recursive: true });
  const log = join(options.logDir, `${name}.log`);
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const service: Service = {
    name,
    process: child,
    log,
    stop: async () => {
      running.delete(service);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(service);
  return service;
}

/** Stops every service still running (also on test failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

// A crashed test run must not leave servers behind.
process.once('exit', () => {
  for (const s of running) s.process.kill('SIGKILL');
});

/** Polls `url` until it answers 2xx, or throws after `timeoutMs` naming the service's log. */
export async function waitForHttp(url: string, timeoutMs: number, service?: Service): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service && service.process.exitCode !== null)
      throw new Error(`${service.name} exited (${service.process.exitCode}); see ${service.log}`);
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${timeoutMs} ms${service ? `; see ${service.log}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Retries `check` until it returns a value that is not undefined, or throws with the last reason. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
