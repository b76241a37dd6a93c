import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { llmTestServer, OLLAMA_COUNTERS, OPENAI_USAGE } from './utils/llm-server.js';

const run = promisify(execFile);
// The Node 24 matrix runs its own register.mjs/app.mjs (SDK 3.x, openai 7) from its folder.
const fixtureDir = process.env.LLM_OTEL_ESM_FIXTURE_DIR ?? fileURLToPath(new URL('./fixtures/esm', import.meta.url));
const fixture = (name: string) => join(fixtureDir, name);
const server = llmTestServer();

beforeAll(() => server.start());
afterAll(() => server.stop());

it('instruments an ES module app through the --import hook (needs the built dist)', async () => {
  const { stdout } = await run(process.execPath, ['--import', fixture('register.mjs'), fixture('app.mjs')], {
    // The test server is an unknown host: the variable makes the app's streams ask for usage.
    env: { ...process.env, FAKE_SERVER_ORIGIN: server.origin, LLM_OTEL_OPENAI_INJECT_STREAM_USAGE: 'always' },
    timeout: 20_000,
  });
  const summary = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  expect(summary).toMatchObject({
    'llm_request_token_count|openai_compatible|chat|input': 2 * OPENAI_USAGE.chat.input,
    'llm_request_token_count|openai_compatible|chat|output': 2 * OPENAI_USAGE.chat.output,
    'llm_token_generation_rate_total|openai_compatible|chat|': 2 * OPENAI_USAGE.chat.output,
    'llm_request_token_count|ollama|chat|input': OLLAMA_COUNTERS.chat.prompt_eval_count,
    'llm_request_token_count|ollama|chat|output': OLLAMA_COUNTERS.chat.eval_count,
    'llm_request_token_count|ollama|text_completion|output': OLLAMA_COUNTERS.generate.eval_count,
  });
  expect(summary['llm_error_rate_total|openai_compatible|chat|']).toBeUndefined();
});
