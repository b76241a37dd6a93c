import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { llmTestServer } from '../test/utils/llm-server.js';

/**
 * `@google/genai` imported by an ES module app is measured through the import hook: the Node 24
 * matrix's preload (matrix/node24/esm/register.mjs: the hook and `llmInstrumentations()`, from the
 * built dist) and an app that makes a plain and a streamed call. Needs `pnpm build`.
 */
const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const server = llmTestServer();

beforeAll(() => server.start());
afterAll(() => server.stop());

it('instruments @google/genai in an ES module app (--import hook, built dist)', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', here('../../../matrix/node24/esm/register.mjs'), here('./fixtures/google-genai-esm-app.mjs')],
    { env: { ...process.env, GEMINI_BASE_URL: server.origin }, timeout: 20_000 },
  );
  const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  const sent = server.totals();
  expect(sent.requests).toBe(2);
  expect(summary).toMatchObject({
    'llm_inference_latency_seconds|gcp.gemini|chat||count': 2,
    'llm_request_token_count|gcp.gemini|chat|input': sent.promptTokens,
    'llm_request_token_count|gcp.gemini|chat|output': sent.completionTokens,
    'llm_time_to_first_token_seconds|gcp.gemini|chat||count': 1,
  });
});
