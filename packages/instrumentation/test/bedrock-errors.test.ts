import { describe, expect, it } from 'vitest';
import { bedrockFailure } from '../src/bedrock/error-type.js';
import { anthropicInvokeBody, eventsOf, setupBedrockTest } from './utils/bedrock.js';
import { afterDeferredAbort, describeError, drain, errorsWithAndWithout, withAndWithout } from './utils/harness.js';
import { llmTestServer } from './utils/llm-server.js';
import { M } from './utils/metrics.js';

/**
 * Failures of Bedrock calls: the app gets the very same error with and without the instrumentation,
 * and each call is one error of the right `error.type` (the exception Bedrock names, an abort, a
 * connection refused, a stream cut).
 */
const b = setupBedrockTest();
const { t } = b;
const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];

/** What the app sees of an AWS error: its class, name, message, fault and status. */
function awsError(error: unknown): Record<string, unknown> {
  const e = error as { $fault?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return { ...describeError(error), fault: e.$fault, status: e.$metadata?.httpStatusCode };
}

async function expectOneError(type: string) {
  const c = await t.collect();
  expect(c.counter(M.errors)).toBe(1);
  expect(c.counter(M.errors, { 'error.type': type, 'gen_ai.provider.name': 'aws.bedrock' })).toBe(1);
  expect(c.count(M.latency, { 'error.type': type })).toBe(1);
  expect(c.count(M.latency)).toBe(1);
  expect(c.counter(M.internalErrors)).toBe(0);
  return c;
}

describe(`@aws-sdk/client-bedrock-runtime ${b.loaded.version}: failures`, () => {
  const { ConverseCommand, ConverseStreamCommand, InvokeModelWithResponseStreamCommand } = b.loaded.module;

  it.each([
    [429, 'ThrottlingException', 'rate_limit'],
    [503, 'ServiceUnavailableException', 'unavailable'],
    [400, 'ValidationException', 'invalid_request'],
    [403, 'AccessDeniedException', 'permission_denied'],
    [404, 'ResourceNotFoundException', 'not_found'],
    [500, 'InternalServerException', 'server_error'],
  ])('HTTP %i (%s): the same error for the app; one error with error.type %s', async (status, name, type) => {
    const modelId = `anthropic.claude-test+fail-${status}`;
    const { instrumented, plain } = await errorsWithAndWithout(b.bedrock, () =>
      b.client().send(new ConverseCommand({ modelId, messages })),
    );
    expect(awsError(instrumented)).toEqual(awsError(plain));
    expect(awsError(instrumented).name).toBe(name);
    const c = await expectOneError(type);
    expect(c.count(M.tokens)).toBe(0);
  });

  it('a streamed request refused before the stream (429): one rate_limit error, no TTFT', async () => {
    const { instrumented, plain } = await errorsWithAndWithout(b.bedrock, () =>
      b.client().send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test+fail-429', messages })),
    );
    expect(awsError(instrumented)).toEqual(awsError(plain));
    const c = await expectOneError('rate_limit');
    expect(c.count(M.ttft)).toBe(0);
  });

  it('ModelNotReadyException and the other named exceptions map to their error.type, unknown names to the status', () => {
    const named = (name: string, status?: number) =>
      Object.assign(new Error('m'), { name, $metadata: { httpStatusCode: status } });
    expect(bedrockFailure(named('ModelNotReadyException', 429))).toBe('unavailable');
    expect(bedrockFailure(named('ModelTimeoutException', 408))).toBe('timeout');
    expect(bedrockFailure(named('ServiceQuotaExceededException', 400))).toBe('rate_limit');
    expect(bedrockFailure(named('ModelStreamErrorException', 424))).toBe('stream_error');
    expect(bedrockFailure(named('SomeNewException', 409))).toBe('conflict');
    const plain = named('SomeNewException');
    expect(bedrockFailure(plain)).toBe(plain);
  });

  it('aborted before the answer (abortSignal): the same AbortError for the app; one aborted error', async () => {
    const run = async () => {
      const controller = new AbortController();
      const pending = b.client().send(new ConverseCommand({ modelId: 'anthropic.claude-test+slow-5000', messages }), {
        abortSignal: controller.signal,
      });
      await t.server.nextRequest();
      controller.abort();
      return pending;
    };
    const { instrumented, plain } = await errorsWithAndWithout(b.bedrock, run);
    expect(describeError(instrumented)).toEqual(describeError(plain));
    await expectOneError('aborted');
  });

  it('a stream aborted while nobody reads it: one aborted call, recorded at the abort', async () => {
    const controller = new AbortController();
    const output = await b
      .client()
      .send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test+wait-300', messages }), {
        abortSignal: controller.signal,
      });
    expect(output.stream).toBeDefined();
    controller.abort();
    await afterDeferredAbort();
    await expectOneError('aborted');
  });

  it('an exception mid-stream (modelStreamErrorException): the same events and error for the app; one stream_error', async () => {
    const run = async () => {
      const output = await b
        .client()
        .send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test+streamerror', messages }));
      return drain(eventsOf(output.stream));
    };
    const { instrumented, plain } = await withAndWithout(b.bedrock, run);
    expect(instrumented.items).toEqual(plain.items);
    expect(describeError(instrumented.error)).toEqual(describeError(plain.error));
    expect(describeError(instrumented.error).name).toBe('ModelStreamErrorException');
    const c = await expectOneError('stream_error');
    // The first text delta came before the exception.
    expect(c.count(M.ttft)).toBe(1);
  });

  it('a stream cut by the server: the same error for the app; one error, the first token seen', async () => {
    const run = async () => {
      const output = await b.client().send(
        new InvokeModelWithResponseStreamCommand({
          modelId: 'anthropic.claude-test+cut',
          body: anthropicInvokeBody(),
        }),
      );
      const { error } = await drain(eventsOf(output.body));
      if (error === undefined) throw new Error('expected the stream to fail');
      throw error;
    };
    const { instrumented, plain } = await errorsWithAndWithout(b.bedrock, run);
    expect(describeError(instrumented)).toEqual(describeError(plain));
    const c = await t.collect();
    expect(c.counter(M.errors)).toBe(1);
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('a server that refuses connections: one connection error', async () => {
    const gone = llmTestServer();
    const origin = await gone.start();
    await gone.stop();
    await expect(
      b.client({ endpoint: origin }).send(new ConverseCommand({ modelId: 'anthropic.claude-test', messages })),
    ).rejects.toThrow();
    await expectOneError('connection');
  });
});
