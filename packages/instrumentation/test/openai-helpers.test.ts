import { describe, expect, it } from 'vitest';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { OPENAI_USAGE } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;
const clients = t.openaiClients;

const messages = [{ role: 'user' as const, content: 'Answer in JSON' }];
const responseFormat = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'answer',
    strict: true,
    schema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] },
  },
};

// The helper methods are on `beta.chat.completions` in 4.x and on `chat.completions` from 5.
type Helpers = {
  parse(body: unknown): Promise<unknown>;
  stream(body: unknown): AsyncIterable<unknown> & { finalChatCompletion(): Promise<unknown> };
};

describe.each(clients)('openai $version: APIPromise helpers and structured outputs', ({ OpenAI }) => {
  const client = () => new OpenAI({ apiKey: 'test-key', baseURL: server.openaiBaseURL, maxRetries: 0 });
  const helpers = (): Helpers => {
    const c = client() as unknown as { beta?: { chat?: { completions?: Helpers } }; chat: { completions: Helpers } };
    return typeof c.chat.completions.parse === 'function' ? c.chat.completions : (c.beta?.chat?.completions as Helpers);
  };

  const expectOneChatCall = async () => {
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.chat.input);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
  };

  it('.withResponse(): same data, response and request id', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const { data, response, request_id } = await client()
        .chat.completions.create({ model: 'gpt-test', messages })
        .withResponse();
      return { data: describeValue(data), status: response.status, request_id };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.status).toBe(200);
    await expectOneChatCall();
  });

  it('.asResponse(): the app can read the body itself (no "Body is unusable")', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const response = await client().chat.completions.create({ model: 'gpt-test', messages }).asResponse();
      return { status: response.status, body: await response.json() };
    });
    expect(instrumented).toEqual(plain);
    expect((instrumented.body as { usage: unknown }).usage).toBeDefined();
  });

  it('parse() with a JSON schema: same parsed completion', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      describeValue(await helpers().parse({ model: 'gpt-test', messages, response_format: responseFormat })),
    );
    expect(instrumented).toEqual(plain);
    const message = (instrumented.json as { choices: Array<{ message: { parsed: unknown } }> }).choices[0]?.message;
    expect(message?.parsed).toEqual({ answer: 42 });
    await expectOneChatCall();
  });

  it('parse() then .withResponse(): still one body read', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const { data } = await (
        helpers().parse({ model: 'gpt-test', messages, response_format: responseFormat }) as unknown as {
          withResponse(): Promise<{ data: unknown }>;
        }
      ).withResponse();
      return describeValue(data);
    });
    expect(instrumented).toEqual(plain);
    await expectOneChatCall();
  });

  it('the stream() helper: same events and final completion', async () => {
    const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
      const stream = helpers().stream({ model: 'gpt-test', messages });
      const { items } = await drain(stream);
      return { items, final: describeValue(await stream.finalChatCompletion()) };
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
  });

  it('responses.parse() with a JSON schema: same parsed response', async () => {
    const responses = client().responses as unknown as { parse(body: unknown): Promise<unknown> };
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      describeValue(
        await responses.parse({
          model: 'gpt-test',
          input: 'Answer in JSON',
          text: {
            format: { type: 'json_schema', name: 'answer', strict: true, schema: responseFormat.json_schema.schema },
          },
        }),
      ),
    );
    expect(instrumented).toEqual(plain);
    expect((instrumented.json as { output_parsed?: unknown }).output_parsed).toEqual({ answer: 42 });
    const c = await t.collect();
    expect(c.count(M.latency, { 'gen_ai.operation.name': 'chat' })).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.responses.input);
  });
});
