import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmTestServer } from '../test/utils/llm-server.js';

/**
 * No code change: `node --import @llm-otel/node/register` measures an ES module app on the Vercel
 * AI SDK (`register()` enables `llmInstrumentations()`, which registers the SDK integration). Runs
 * on Node 24 (the matrix; `ai` 7 needs Node >= 22) with the built dist of core, instrumentation and
 * node.
 */
const server = llmTestServer();
const nodePackage = new URL('../../node/', import.meta.url);
const app = fileURLToPath(new URL('../../../matrix/node24/fixtures/vercel-ai-app.mjs', import.meta.url));
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

describe('no code change: --import @llm-otel/node/register measures the Vercel AI SDK', () => {
  it('generateText, streamText, embed (openai) and generateText (anthropic): each once, the ledger tokens', async () => {
    server.ledger.clear();
    const port = await freePort();
    child = spawn(process.execPath, ['--import', new URL('register.mjs', nodePackage).href, app], {
      env: {
        ...process.env,
        OPENAI_BASE_URL: server.openaiBaseURL,
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
    expect(first).toContain('done');
    const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const openaiChat = { gen_ai_provider_name: 'openai', gen_ai_operation_name: 'chat' };
    expect(sum(page, 'llm_inference_latency_seconds_count', openaiChat)).toBe(2);
    expect(sum(page, 'llm_time_to_first_token_seconds_count', openaiChat)).toBe(1);
    expect(
      sum(page, 'llm_inference_latency_seconds_count', {
        gen_ai_provider_name: 'openai',
        gen_ai_operation_name: 'embeddings',
      }),
    ).toBe(1);
    expect(sum(page, 'llm_inference_latency_seconds_count', { gen_ai_provider_name: 'anthropic' })).toBe(1);
    expect(sum(page, 'llm_inference_latency_seconds_count', {})).toBe(4);
    const sent = server.totals();
    expect(sent.requests).toBe(4);
    expect(sum(page, 'llm_request_token_count_sum', { gen_ai_token_type: 'input' })).toBe(sent.promptTokens);
    expect(sum(page, 'llm_token_generation_rate_total', {})).toBe(sent.completionTokens);
  });
});
