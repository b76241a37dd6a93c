import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmTestServer } from './utils/llm-server.js';

/**
 * No code change: `node --import @llm-otel/node/register` (an ES module app, through the ES module
 * hook, which must intercept `@aws-sdk/client-bedrock-runtime`) and `--require` (CommonJS) measure
 * the real Bedrock Runtime client. Needs the built dist of core, instrumentation and node.
 */
const server = llmTestServer();
const nodePackage = new URL('../../node/', import.meta.url);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/bedrock/${name}`, import.meta.url));
let child: ChildProcess | undefined;

beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(() => {
  child?.kill();
  child = undefined;
});

function freePort(): Promise<number> {
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
function sum(page: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

describe('no code change: --import / --require @llm-otel/node/register measures @aws-sdk/client-bedrock-runtime', () => {
  it.each([
    ['--import', new URL('register.mjs', nodePackage).href, 'app.mjs'],
    ['--require', fileURLToPath(new URL('dist/cjs/auto-register.js', nodePackage)), 'app.cjs'],
  ] as const)('%s with %s', async (flag, entry, file) => {
    server.ledger.clear();
    const port = await freePort();
    child = spawn(process.execPath, [flag, entry, fixture(file)], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.origin,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The first output, or the exit of an app that failed (then the test fails at once).
    const first = await Promise.race([
      once(child.stdout as NodeJS.ReadableStream, 'data').then(([out]) => String(out)),
      once(child, 'exit').then(([code]) => `exited with ${code}`),
    ]);
    expect(first).toContain('done');
    const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const calls = sum(page, 'llm_inference_latency_seconds_count', { gen_ai_provider_name: 'aws.bedrock' });
    // Converse and a ConverseStream.
    expect(calls).toBe(2);
    const sent = server.totals();
    expect(sum(page, 'llm_token_generation_rate_total', { gen_ai_provider_name: 'aws.bedrock' })).toBe(
      sent.completionTokens,
    );
    expect(
      sum(page, 'llm_request_token_count_sum', { gen_ai_provider_name: 'aws.bedrock', gen_ai_token_type: 'input' }),
    ).toBe(sent.promptTokens);
    expect(sum(page, 'llm_time_to_first_token_seconds_count', { gen_ai_provider_name: 'aws.bedrock' })).toBe(1);
  });
});
