import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmTestServer } from '../test/utils/llm-server.js';
import { startZeroCodeApp, stopZeroCodeApp, sum } from '../test/utils/zero-code.js';

/**
 * No code change: `node --import @llm-otel/node/register` measures an ES module app on the Vercel
 * AI SDK (`register()` enables `llmInstrumentations()`, which registers the SDK integration). Runs
 * on Node 24 (the matrix; `ai` 7 needs Node >= 22) with the built dist of core, instrumentation and
 * node.
 */
const server = llmTestServer();
const nodePackage = new URL('../../node/', import.meta.url);
const app = fileURLToPath(new URL('../../../matrix/node24/fixtures/vercel-ai-app.mjs', import.meta.url));

beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(stopZeroCodeApp);

describe('no code change: --import @llm-otel/node/register measures the Vercel AI SDK', () => {
  it('generateText, streamText, embed (openai) and generateText (anthropic): each once, the ledger tokens', async () => {
    server.ledger.clear();
    const run = await startZeroCodeApp(['--import', new URL('register.mjs', nodePackage).href, app], {
      OPENAI_BASE_URL: server.openaiBaseURL,
    });
    expect(run.first).toContain('done');
    const page = await run.scrape();
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
