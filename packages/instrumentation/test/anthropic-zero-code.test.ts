import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmTestServer } from './utils/llm-server.js';
import { startZeroCodeApp, stopZeroCodeApp, sum } from './utils/zero-code.js';

/**
 * No code change: `node --import @llm-otel/node/register` (an ES module app, through the ES module
 * hook, which must intercept `@anthropic-ai/sdk`) and `--require` (CommonJS) measure the real
 * Anthropic client. Needs the built dist of core, instrumentation and node.
 */
const server = llmTestServer();
const nodePackage = new URL('../../node/', import.meta.url);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/anthropic/${name}`, import.meta.url));

beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(stopZeroCodeApp);

describe('no code change: --import / --require @llm-otel/node/register measures @anthropic-ai/sdk', () => {
  it.each([
    ['--import', new URL('register.mjs', nodePackage).href, 'app.mjs'],
    ['--require', fileURLToPath(new URL('dist/cjs/auto-register.js', nodePackage)), 'app.cjs'],
  ] as const)('%s with %s', async (flag, entry, file) => {
    server.ledger.clear();
    const run = await startZeroCodeApp(
      [flag, entry, fixture(file)],
      {
        ANTHROPIC_BASE_URL: server.origin,
      },
      fileURLToPath(new URL('..', import.meta.url)),
    );
    expect(run.first).toContain('done');
    const page = await run.scrape();
    const anthropic = { gen_ai_provider_name: 'anthropic', gen_ai_request_model: 'claude-sonnet-4-6' };
    // create, a stream and the stream helper; countTokens is not a call.
    expect(sum(page, 'llm_inference_latency_seconds_count', anthropic)).toBe(3);
    const sent = server.totals();
    expect(sum(page, 'llm_token_generation_rate_total', anthropic)).toBe(sent.completionTokens);
    expect(sum(page, 'llm_request_token_count_sum', { ...anthropic, gen_ai_token_type: 'input' })).toBe(
      sent.promptTokens,
    );
    expect(sum(page, 'llm_time_to_first_token_seconds_count', anthropic)).toBe(2);
    expect(
      sum(page, 'llm_rate_limit_limit', { gen_ai_provider_name: 'anthropic', llm_rate_limit_kind: 'requests' }),
    ).toBe(10_000);
  });
});
