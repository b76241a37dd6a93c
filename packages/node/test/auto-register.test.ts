import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, scrape, select } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
let child: ChildProcess | undefined;

async function startApp(flag: '--import' | '--require', file: string, env: Record<string, string>): Promise<string> {
  child = spawn(process.execPath, [flag, '@llm-otel/node/register', fixture(file)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [line] = (await Promise.race([
    once(child.stdout as NodeJS.ReadableStream, 'data'),
    once(child, 'exit').then(() => {
      throw new Error(`app exited: ${stderr}`);
    }),
  ])) as [Buffer];
  return line.toString();
}

afterEach(() => {
  child?.kill();
  child = undefined;
});

describe('node --import @llm-otel/node/register', () => {
  it.each([
    ['--import', 'app.mjs'],
    ['--require', 'app.cjs'],
  ] as const)('%s sets up /metrics from OTEL_* variables with no code change (%s)', async (flag, file) => {
    const port = await freePort();
    const out = await startApp(flag, file, {
      OTEL_SERVICE_NAME: 'auto-app',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    expect(out).toContain('ready');
    const page = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(select(page, 'llm_inference_latency_seconds_sum', { gen_ai_request_model: 'llama3' })[0]?.value).toBe(0.42);
    expect(select(page, 'llm_token_generation_rate_total')[0]?.value).toBe(9);
    expect(select(page, 'target_info')[0]?.labels.service_name).toBe('auto-app');
  });

  it('fails at start with an error naming the bad variable', async () => {
    child = spawn(process.execPath, ['--import', '@llm-otel/node/register', fixture('app.mjs')], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, OTEL_METRICS_EXPORTER: 'statsd' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/LlmOtelConfigError: OTEL_METRICS_EXPORTER="statsd" is not valid; accepted/);
  });
});
