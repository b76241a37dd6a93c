import { describe, expect, it } from 'vitest';
import { describeError, describeValue, drain, errorsWithAndWithout, withAndWithout } from './utils/harness.js';
import { OPENAI_USAGE } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;
const clients = t.openaiClients;

describe.each(clients)('openai $version: completions, embeddings, responses', ({ OpenAI }) => {
  const client = () => new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const tokens = async (operation: string, input: number, output?: number, model = 'gpt-test') => {
    const c = await t.collect();
    const a = { 'gen_ai.operation.name': operation, 'gen_ai.response.model': `${model}-2024-07-18` };
    expect(c.count(M.latency, a)).toBe(1);
    expect(c.count(M.latency)).toBe(1);
    expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'input' })).toBe(input);
    expect(c.count(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(output === undefined ? 0 : 1);
    if (output !== undefined) expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(output);
    expect(c.counter(M.errors)).toBe(0);
    return c;
  };

  it('completions.create (legacy), plain', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      describeValue(await client().completions.create({ model: 'gpt-test', prompt: 'Say hello' })),
    );
    expect(instrumented).toEqual(plain);
    await tokens('text_completion', OPENAI_USAGE.completions.input, OPENAI_USAGE.completions.output);
  });

  it('completions.create (legacy), streamed: usage asked for and hidden', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      drain(await client().completions.create({ model: 'gpt-test', prompt: 'Say hello', stream: true })),
    );
    expect(instrumented).toEqual(plain);
    expect(instrumented.items).toHaveLength(4);
    const c = await tokens('text_completion', OPENAI_USAGE.completions.input, OPENAI_USAGE.completions.output);
    expect(c.count(M.ttft)).toBe(1);
  });

  it('embeddings.create: input tokens only', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      describeValue(await client().embeddings.create({ model: 'gpt-test', input: 'hello' })),
    );
    expect(instrumented).toEqual(plain);
    await tokens('embeddings', OPENAI_USAGE.embeddings.input);
  });

  it('embeddings.create failing: same error, one error', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client().embeddings.create({ model: 'fail-400', input: 'hello' }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors, { 'gen_ai.operation.name': 'embeddings', 'error.type': 'invalid_request' })).toBe(1);
  });

  it('responses.create, plain', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      describeValue(await client().responses.create({ model: 'gpt-test', input: 'Say hello' })),
    );
    expect(instrumented).toEqual(plain);
    await tokens('chat', OPENAI_USAGE.responses.input, OPENAI_USAGE.responses.output);
  });

  it('responses.create, streamed: usage from response.completed, TTFT at the first delta', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = await client().responses.create({ model: 'gpt-test+wait-40', input: 'Say hello', stream: true });
      return { sent: server.lastRequest()?.body.stream_options, ...(await drain(stream)) };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.sent).toBeUndefined();
    expect(instrumented.items).toHaveLength(11);
    const c = await tokens('chat', OPENAI_USAGE.responses.input, OPENAI_USAGE.responses.output, 'gpt-test+wait-40');
    expect(c.histogram(M.ttft)[0]?.min).toBeGreaterThanOrEqual(0.04);
  });

  it('responses.create failing: same error, one error', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
      client().responses.create({ model: 'fail-429', input: 'Say hello' }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
  });
});
