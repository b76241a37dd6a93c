import type { Ollama as OllamaClient } from 'ollama';
import { describe, expect, it } from 'vitest';
import {
  afterDeferredAbort,
  describeError,
  describeValue,
  drain,
  errorsWithAndWithout,
  withAndWithout,
} from './utils/harness.js';
import { OLLAMA_COUNTERS } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, ollama: instrumentation } = t;

const messages = [{ role: 'user', content: 'Say hello' }];

describe.each(t.ollamaClients)('ollama $version', (module) => {
  // Both ways of using the client: the default export (pointed at the fake server) and `new Ollama()`.
  const clients: Array<[string, () => OllamaClient]> = [
    [
      'default export',
      () => {
        (module.default as unknown as { config: { host: string } }).config.host = server.origin;
        return module.default;
      },
    ],
    ['new Ollama()', () => new module.Ollama({ host: server.origin })],
  ];
  const attrs = (operation: string, model = 'llama-test') => ({
    'gen_ai.provider.name': 'ollama',
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': model,
    'gen_ai.response.model': `${model}-2024-07-18`,
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });

  describe.each(clients)('%s', (_label, client) => {
    it('chat, plain: same value; prompt_eval_count in, eval_count out', async () => {
      const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
        describeValue(await client().chat({ model: 'llama-test', messages })),
      );
      expect(instrumented).toEqual(plain);
      const c = await t.collect();
      const a = attrs('chat');
      expect(c.count(M.latency, a)).toBe(1);
      expect(c.count(M.latency)).toBe(1);
      expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'input' })).toBe(OLLAMA_COUNTERS.chat.prompt_eval_count);
      expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(OLLAMA_COUNTERS.chat.eval_count);
      expect(c.counter(M.generated, a)).toBe(OLLAMA_COUNTERS.chat.eval_count);
      // Time per output token is a stream measure (time-per-output-token.test.ts).
      expect(c.count(M.tpot)).toBe(0);
      expect(c.count(M.ttft)).toBe(0);
    });

    it('chat, streamed: same chunks, same iterator class with abort(); counters from the done chunk', async () => {
      const model = 'llama-test+slow-40+drip-10';
      const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
        const stream = await client().chat({ model, messages, stream: true });
        const shape = { class: stream.constructor.name, abort: typeof stream.abort };
        return { shape, ...(await drain(stream)) };
      });
      expect(instrumented).toEqual(plain);
      expect(instrumented.shape).toEqual({ class: 'AbortableAsyncIterator', abort: 'function' });
      expect(instrumented.items).toHaveLength(4);
      const c = await t.collect();
      const a = attrs('chat', model);
      expect(c.count(M.latency, a)).toBe(1);
      expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'input' })).toBe(OLLAMA_COUNTERS.chat.prompt_eval_count);
      expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(OLLAMA_COUNTERS.chat.eval_count);
      expect(c.histogram(M.ttft, a)[0]?.min).toBeGreaterThanOrEqual(0.04);
      expect(c.histogram(M.latency, a)[0]?.min).toBeGreaterThanOrEqual(0.07);
    });

    it('generate, plain and streamed', async () => {
      const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
        const value = describeValue(await client().generate({ model: 'llama-test', prompt: 'Say hello' }));
        const streamed = await drain(
          await client().generate({ model: 'llama-test', prompt: 'Say hello', stream: true }),
        );
        return { value, streamed };
      });
      expect(instrumented).toEqual(plain);
      const c = await t.collect();
      const a = attrs('text_completion');
      expect(c.count(M.latency, a)).toBe(2);
      expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'input' })).toBe(
        2 * OLLAMA_COUNTERS.generate.prompt_eval_count,
      );
      expect(c.sum(M.tokens, { ...a, 'gen_ai.token.type': 'output' })).toBe(2 * OLLAMA_COUNTERS.generate.eval_count);
      expect(c.count(M.ttft, a)).toBe(1);
    });

    it('embed and embeddings', async () => {
      const { instrumented, plain } = await withAndWithout(instrumentation, async () => ({
        embed: describeValue(await client().embed({ model: 'llama-test', input: 'hello' })),
        embeddings: describeValue(await client().embeddings({ model: 'llama-test', prompt: 'hello' })),
      }));
      expect(instrumented).toEqual(plain);
      const c = await t.collect();
      expect(c.count(M.latency, { 'gen_ai.operation.name': 'embeddings' })).toBe(2);
      expect(c.sum(M.tokens, { ...attrs('embeddings'), 'gen_ai.token.type': 'input' })).toBe(
        OLLAMA_COUNTERS.embed.prompt_eval_count,
      );
      expect(c.count(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(0);
    });

    it.each([
      [404, 'not_found'],
      [500, 'server_error'],
    ])('HTTP %i: same ResponseError; one error %s', async (status, type) => {
      const { instrumented, plain } = await errorsWithAndWithout(instrumentation, () =>
        client().chat({ model: `fail-${status}`, messages }),
      );
      expect(describeError(instrumented)).toEqual(describeError(plain));
      expect(describeError(instrumented).class).toBe('ResponseError');
      const c = await t.collect();
      expect(c.counter(M.errors)).toBe(1);
      expect(c.counter(M.errors, { 'error.type': type })).toBe(1);
    });

    it('stream.abort() while reading: same outcome; recorded once as aborted', async () => {
      const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
        const stream = await client().chat({ model: 'llama-test+drip-20', messages, stream: true });
        let items = 0;
        try {
          for await (const _chunk of stream) if (++items === 2) stream.abort();
        } catch (error) {
          return { items, error: describeError(error).name };
        }
        return { items };
      });
      expect(instrumented).toEqual(plain);
      await afterDeferredAbort();
      const c = await t.collect();
      expect(c.counter(M.errors)).toBe(1);
      expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
      expect(c.count(M.tokens)).toBe(0);
    });

    it('break out of the loop: recorded once as aborted', async () => {
      await withAndWithout(instrumentation, async () => {
        for await (const _chunk of await client().generate({ model: 'llama-test+drip-20', prompt: 'x', stream: true }))
          break;
      });
      await afterDeferredAbort();
      const c = await t.collect();
      expect(c.count(M.latency)).toBe(1);
      expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    });

    it('aborted before anyone reads it: recorded at the abort', async () => {
      const stream = await client().chat({ model: 'llama-test', messages, stream: true });
      stream.abort();
      await afterDeferredAbort();
      const c = await t.collect();
      expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(1);
    });

    it('a stream cut mid-way: same error; one error', async () => {
      const { instrumented, plain } = await withAndWithout(instrumentation, async () => {
        const { items, error } = await drain(await client().chat({ model: 'llama-test+cut', messages, stream: true }));
        return { items, error: describeError(error) };
      });
      expect(instrumented).toEqual(plain);
      expect(instrumented.items).toHaveLength(2);
      const c = await t.collect();
      expect(c.counter(M.errors)).toBe(1);
      expect(c.counter(M.errors, { 'error.type': 'connection' })).toBe(1);
    });
  });
});
