import { describe, expect, it } from 'vitest';
import { setupAnthropicTest } from './utils/anthropic.js';
import { afterDeferredAbort, describeError, drain, errorsWithAndWithout, withAndWithout } from './utils/harness.js';
import { llmTestServer } from './utils/llm-server.js';
import { M } from './utils/metrics.js';

/**
 * Failures of `@anthropic-ai/sdk` calls: the app gets the very same error with and without the
 * instrumentation, and each call is one error of the right `error.type` (429 `rate_limit`, 529
 * `overloaded`, an `overloaded_error` event mid-stream `overloaded`, connection, timeout, aborts).
 */
const a = setupAnthropicTest();
const { t } = a;
const messages = [{ role: 'user' as const, content: 'hi' }];
const body = (model: string) => ({ model, max_tokens: 64, messages });

async function expectOneError(type: string, model?: string) {
  const c = await t.collect();
  expect(c.counter(M.errors)).toBe(1);
  expect(c.counter(M.errors, { 'error.type': type, 'gen_ai.provider.name': 'anthropic' })).toBe(1);
  if (model !== undefined) expect(c.counter(M.errors, { 'gen_ai.request.model': model })).toBe(1);
  expect(c.count(M.latency, { 'error.type': type })).toBe(1);
  expect(c.count(M.latency)).toBe(1);
  expect(c.counter(M.internalErrors)).toBe(0);
  return c;
}

describe(`@anthropic-ai/sdk ${a.loaded.version}: failures`, () => {
  it.each([
    [400, 'invalid_request'],
    [401, 'authentication'],
    [429, 'rate_limit'],
    [500, 'server_error'],
    [529, 'overloaded'],
  ])('HTTP %i: the same error for the app; one error with error.type %s', async (status, type) => {
    const model = `fail-${status}`;
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, () =>
      a.client().messages.create(body(model)),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect(describeError(instrumented).status).toBe(status);
    const c = await expectOneError(type, model);
    expect(c.count(M.tokens)).toBe(0);
  });

  it('a streamed request refused before the stream (529): one overloaded error, no TTFT', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, () =>
      a.client().messages.create({ ...body('fail-529'), stream: true }),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await expectOneError('overloaded');
    expect(c.count(M.ttft)).toBe(0);
  });

  it('an overloaded_error event in the middle of a stream: the same events and error; error.type overloaded', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () =>
      drain(await a.client().messages.create({ ...body('claude-test+streamerror'), stream: true })),
    );
    expect(instrumented.items).toEqual(plain.items);
    expect(describeError(instrumented.error)).toEqual(describeError(plain.error));
    expect(instrumented.error).toBeDefined();
    await expectOneError('overloaded');
  });

  it('the same event through messages.stream(): finalMessage() rejects the same; one overloaded error', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, () =>
      a.client().messages.stream(body('claude-test+streamerror')).finalMessage(),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    await expectOneError('overloaded');
  });

  it('connection refused: error.type connection', async () => {
    const closed = llmTestServer();
    await closed.start();
    const baseURL = closed.origin;
    await closed.stop();
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, () =>
      a.client({ baseURL }).messages.create(body('claude-test')),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect((instrumented as Error).constructor.name).toBe('APIConnectionError');
    await expectOneError('connection');
  });

  it('a client timeout: error.type timeout', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, () =>
      a.client({ timeout: 20 }).messages.create(body('claude-test+slow-2000')),
    );
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect((instrumented as Error).constructor.name).toBe('APIConnectionTimeoutError');
    await expectOneError('timeout');
  });

  it('an AbortSignal aborted while the server thinks: error.type aborted', async () => {
    const run = () => {
      const controller = new AbortController();
      void t.server.nextRequest().then(() => controller.abort());
      return a.client().messages.create(body('claude-test+slow-2000'), { signal: controller.signal });
    };
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, run);
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect((instrumented as Error).constructor.name).toBe('APIUserAbortError');
    await expectOneError('aborted');
  });

  it('stream.controller.abort() after the first event: the same events for the app; error.type aborted', async () => {
    const run = async () => {
      const stream = await a.client().messages.create({ ...body('claude-test+drip-5'), stream: true });
      const items: unknown[] = [];
      for await (const event of stream) {
        items.push(event);
        if (items.length === 1) stream.controller.abort();
      }
      return items;
    };
    const { instrumented, plain } = await withAndWithout(a.anthropic, run);
    expect(instrumented).toEqual(plain);
    await afterDeferredAbort();
    const c = await expectOneError('aborted');
    expect(c.count(M.ttft)).toBe(0);
  });

  it('MessageStream.abort(): finalMessage() rejects the same; error.type aborted, once', async () => {
    const run = () => {
      const stream = a.client().messages.stream(body('claude-test+drip-5'));
      stream.on('streamEvent', (event) => {
        if (event.type === 'content_block_delta') stream.abort();
      });
      return stream.finalMessage();
    };
    const { instrumented, plain } = await errorsWithAndWithout(a.anthropic, run);
    expect(describeError(instrumented)).toEqual(describeError(plain));
    expect((instrumented as Error).constructor.name).toBe('APIUserAbortError');
    await afterDeferredAbort();
    const c = await expectOneError('aborted');
    // The first text delta arrived before the abort.
    expect(c.count(M.ttft)).toBe(1);
  });

  it('a break out of the loop before message_stop: error.type aborted', async () => {
    const early = await a.client().messages.create({ ...body('claude-test'), stream: true });
    for await (const event of early) if (event.type === 'content_block_delta') break;
    await expectOneError('aborted');
  });
});
