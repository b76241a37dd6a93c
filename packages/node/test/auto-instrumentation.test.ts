import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, scrape, select } from './helpers.js';

const simulator = new ModelSimulator({
  rateLimitRate: 0,
  serverErrorRate: 0,
  firstTokenMedianMs: 5,
  perTokenMedianMs: 0.1,
});
let base: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  base = await simulator.start();
});
afterAll(() => simulator.stop());
afterEach(() => {
  child?.kill();
  child = undefined;
});

describe('no code change: --import / --require @llm-otel/node/register measures the real clients', () => {
  it.each([
    ['--import', 'clients-app.mjs'],
    ['--require', 'clients-app.cjs'],
  ] as const)('%s with %s', async (flag, file) => {
    simulator.ledger.clear();
    const port = await freePort();
    child = spawn(
      process.execPath,
      [flag, '@llm-otel/node/register', fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url))],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          OPENAI_BASE_URL: `${base}/v1`,
          OLLAMA_HOST: base,
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [out] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    expect(out.toString()).toContain('done');
    const page = await scrape(`http://127.0.0.1:${port}/metrics`);
    const openaiCalls = select(page, 'llm_inference_latency_seconds_count', {
      gen_ai_request_model: 'gpt-4o-mini',
      gen_ai_operation_name: 'chat',
    });
    expect(openaiCalls.reduce((s, x) => s + x.value, 0)).toBe(3);
    const ollamaCalls = select(page, 'llm_inference_latency_seconds_count', {
      gen_ai_provider_name: 'ollama',
      gen_ai_request_model: 'mistral',
    });
    expect(ollamaCalls.reduce((s, x) => s + x.value, 0)).toBe(1);
    // Output tokens on the counter equal what the simulator sent.
    const sent = simulator.totals().completionTokens;
    const counted = select(page, 'llm_token_generation_rate_total').reduce((s, x) => s + x.value, 0);
    expect(counted).toBe(sent);
  });
});
