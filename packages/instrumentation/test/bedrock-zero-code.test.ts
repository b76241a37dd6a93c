import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { llmTestServer } from './utils/llm-server.js';
import { startZeroCodeApp, stopZeroCodeApp, sum } from './utils/zero-code.js';

/**
 * No code change: `node --import @llm-otel/node/register` (an ES module app, through the ES module
 * hook, which must intercept `@aws-sdk/client-bedrock-runtime`) and `--require` (CommonJS) measure
 * the real Bedrock Runtime client. Needs the built dist of core, instrumentation and node.
 */
const server = llmTestServer();
const nodePackage = new URL('../../node/', import.meta.url);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/bedrock/${name}`, import.meta.url));

beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(stopZeroCodeApp);

describe('no code change: --import / --require @llm-otel/node/register measures @aws-sdk/client-bedrock-runtime', () => {
  it.each([
    ['--import', new URL('register.mjs', nodePackage).href, 'app.mjs'],
    ['--require', fileURLToPath(new URL('dist/cjs/auto-register.js', nodePackage)), 'app.cjs'],
  ] as const)('%s with %s', async (flag, entry, file) => {
    server.ledger.clear();
    const run = await startZeroCodeApp(
      [flag, entry, fixture(file)],
      {
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.origin,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
      },
      fileURLToPath(new URL('..', import.meta.url)),
    );
    expect(run.first).toContain('done');
    const page = await run.scrape();
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
