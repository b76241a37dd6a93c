import { describe, expect, it } from 'vitest';
import { drain } from './utils/harness.js';
import { OLLAMA_COUNTERS, OPENAI_USAGE } from './utils/llm-server.js';
import type { Collected } from './utils/metrics.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const messages = [{ role: 'user' as const, content: 'Say hello' }];

/**
 * The one definition, checked on what was recorded for one call: (end of stream - first content
 * chunk) / (timed tokens - 1), where end - first content = latency - time to first token.
 */
function expectPerToken(c: Collected, timedTokens: number): void {
  expect(c.count(M.latency)).toBe(1);
  expect(c.count(M.ttft)).toBe(1);
  expect(c.count(M.tpot)).toBe(1);
  const window = c.sum(M.latency) - c.sum(M.ttft);
  // The server drips 5 ms between chunks, so a wrong divisor shows.
  expect(window).toBeGreaterThan(0.005);
  expect(c.sum(M.tpot)).toBeCloseTo(window / (timedTokens - 1), 9);
}

describe.each(t.openaiClients)('openai $version: time per output token of streams', (loaded) => {
  const chat = async (model: string) =>
    drain(await t.openaiClient(loaded).chat.completions.create({ model, messages, stream: true }));

  it('chat: (end - first content) / (output tokens - 1)', async () => {
    await chat('gpt-test+drip-5');
    expectPerToken(await t.collect(), OPENAI_USAGE.chat.output);
  });

  it('chat: reasoning tokens reported by the usage are not timed', async () => {
    await chat('gpt-test+drip-5+reason-3');
    expectPerToken(await t.collect(), OPENAI_USAGE.chat.output - 3);
  });

  it('chat: streamed reasoning (reasoning_content first) was timed, so its tokens count', async () => {
    await chat('gpt-test+drip-5+reason-3+think');
    expectPerToken(await t.collect(), OPENAI_USAGE.chat.output);
  });

  it('chat: nothing when fewer than 2 tokens are left to time (and nothing derived from all tokens)', async () => {
    await chat(`gpt-test+drip-5+reason-${OPENAI_USAGE.chat.output - 1}`);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(0);
  });

  it('legacy completions: same definition', async () => {
    const stream = await t
      .openaiClient(loaded)
      .completions.create({ model: 'gpt-test+drip-5', prompt: 'Say hello', stream: true });
    await drain(stream);
    expectPerToken(await t.collect(), OPENAI_USAGE.completions.output);
  });

  it('responses: same definition, reasoning tokens (output_tokens_details) excluded', async () => {
    const stream = await t
      .openaiClient(loaded)
      .responses.create({ model: 'gpt-test+drip-5+reason-2', input: 'Say hello', stream: true });
    await drain(stream);
    expectPerToken(await t.collect(), OPENAI_USAGE.responses.output - 2);
  });

  it('plain calls: none', async () => {
    await t.openaiClient(loaded).chat.completions.create({ model: 'gpt-test', messages });
    expect((await t.collect()).count(M.tpot)).toBe(0);
  });
});

describe.each(t.ollamaClients)('ollama $version: time per output token', (loaded) => {
  it('chat stream: the same definition, not Ollama eval_duration', async () => {
    await drain(await t.ollamaClient(loaded).chat({ model: 'llama-test+drip-5', messages, stream: true }));
    const c = await t.collect();
    expectPerToken(c, OLLAMA_COUNTERS.chat.eval_count);
    const fromEvalDuration = OLLAMA_COUNTERS.chat.eval_duration / 1e9 / OLLAMA_COUNTERS.chat.eval_count;
    expect(c.sum(M.tpot)).not.toBeCloseTo(fromEvalDuration, 6);
  });

  it('generate stream with thinking first: all eval_count tokens were timed', async () => {
    await drain(
      await t.ollamaClient(loaded).generate({ model: 'llama-test+drip-5+think', prompt: 'Say hello', stream: true }),
    );
    expectPerToken(await t.collect(), OLLAMA_COUNTERS.generate.eval_count);
  });

  it('plain calls: none (one definition, for streams)', async () => {
    await t.ollamaClient(loaded).chat({ model: 'llama-test', messages });
    expect((await t.collect()).count(M.tpot)).toBe(0);
  });
});
