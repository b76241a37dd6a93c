import { describe, expect, it } from 'vitest';
import { withAndWithout } from './utils/harness.js';
import { OPENAI_USAGE } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe.each(t.openaiClients)('openai $version: the app stops at the finish chunk', (loaded) => {
  /** Reads until the chunk with a finish reason, then breaks out, as many apps do. */
  const readToFinish = async (model: string, extra: Record<string, unknown> = {}) => {
    const stream = await t.openaiClient(loaded).chat.completions.create({ model, messages, stream: true, ...extra });
    const seen: unknown[] = [];
    for await (const chunk of stream) {
      seen.push(JSON.parse(JSON.stringify(chunk)));
      if (chunk.choices[0]?.finish_reason) break;
    }
    return { seen, aborted: stream.controller.signal.aborted };
  };

  it('usage we asked for: one more chunk is read, so the call keeps its tokens; the app sees the same', async () => {
    const { instrumented, plain } = await withAndWithout(t.openai, () => readToFinish('gpt-test'));
    expect(instrumented).toEqual(plain);
    expect(instrumented.seen).toHaveLength(5);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.chat.input);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
    expect(c.count(M.tpot)).toBe(1);
  });

  it('usage the app asked for itself: read the same way', async () => {
    await readToFinish('gpt-test', { stream_options: { include_usage: true } });
    const c = await t.collect();
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
  });

  it('a server that holds the usage chunk: the read is bounded, the stream closed as without us', async () => {
    const { instrumented, plain } = await withAndWithout(t.openai, () => readToFinish('gpt-test+hold'));
    expect(instrumented).toEqual(plain);
    expect(instrumented.aborted).toBe(true);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.count(M.tokens)).toBe(0);
  });

  it('n = 2: a break at the first choice finish is an abort; at the last one, a complete call', async () => {
    const readToFinishes = async (finishes: number, includeUsage: boolean) => {
      const stream = await t.openaiClient(loaded).chat.completions.create({
        model: 'gpt-test',
        messages,
        stream: true,
        n: 2,
        stream_options: { include_usage: includeUsage },
      });
      let seen = 0;
      for await (const chunk of stream) if (chunk.choices[0]?.finish_reason && ++seen === finishes) break;
    };
    // Without usage (no extra read), so only the count of finished choices tells.
    await readToFinishes(1, false);
    let c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
    await readToFinishes(2, true);
    c = await t.collect();
    expect(c.count(M.latency)).toBe(2);
    expect(c.counter(M.errors)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
  });

  it('usage not asked for: no extra read, recorded at once without tokens', async () => {
    await readToFinish('gpt-test+hold', { stream_options: { include_usage: false } });
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.count(M.tokens)).toBe(0);
  });
});
