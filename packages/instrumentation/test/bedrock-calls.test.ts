import { describe, expect, it } from 'vitest';
import { anthropicInvokeBody, eventsOf, setupBedrockTest } from './utils/bedrock.js';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { responseModelOf, TEXT_PIECES } from './utils/llm-server.js';
import { M } from './utils/metrics.js';

/**
 * `@aws-sdk/client-bedrock-runtime` against the simulator's Bedrock wire (binary event streams
 * encoded with the SDK's own codec): Converse, ConverseStream, InvokeModel and
 * InvokeModelWithResponseStream are each counted once with the tokens the simulator sent (its
 * ledger), and the app sees exactly what it sees without the instrumentation.
 */
const b = setupBedrockTest();
const { t } = b;
const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];
const PROVIDER = { 'gen_ai.provider.name': 'aws.bedrock' };

function ledger() {
  return t.server.totals();
}

function resetLedger(): void {
  t.server.ledger.clear();
}

/** A comparable picture of an output: its JSON without the request's attempt timing. */
function outputOf(value: unknown) {
  const { $metadata, ...rest } = value as { $metadata: Record<string, unknown> };
  return { ...describeValue(rest), requestId: $metadata.requestId, status: $metadata.httpStatusCode };
}

/** One successful call with the ledger's exact tokens and no error. */
async function expectOneCall(model: string, operation = 'chat') {
  const c = await t.collect();
  const attrs = { ...PROVIDER, 'gen_ai.operation.name': operation };
  expect(c.count(M.latency, attrs)).toBe(1);
  expect(c.count(M.latency)).toBe(1);
  expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
    ...attrs,
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': t.server.port,
  });
  expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger().promptTokens);
  expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger().completionTokens);
  expect(c.counter(M.errors)).toBe(0);
  expect(c.counter(M.internalErrors)).toBe(0);
  return c;
}

/** The events of a stream as JSON, InvokeModel chunks' bytes as text (so runs compare). */
async function drainEvents(stream: AsyncIterable<unknown> | undefined) {
  if (stream === undefined) throw new Error('no stream');
  const { items, error } = await drain(
    (async function* () {
      for await (const event of stream) {
        const bytes = (event as { chunk?: { bytes?: Uint8Array } }).chunk?.bytes;
        yield bytes === undefined ? event : { chunk: Buffer.from(bytes).toString('utf8') };
      }
    })(),
  );
  return { items, error };
}

describe(`@aws-sdk/client-bedrock-runtime ${b.loaded.version}`, () => {
  const { ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } =
    b.loaded.module;

  it('Converse: the same output for the app; one call with the ledger tokens, no TTFT', async () => {
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () => {
      resetLedger();
      return outputOf(await b.client().send(new ConverseCommand({ modelId: 'anthropic.claude-test', messages })));
    });
    expect(instrumented).toEqual(plain);
    const c = await expectOneCall('anthropic.claude-test');
    expect(ledger().promptTokens).toBe(23);
    expect(c.count(M.ttft)).toBe(0);
  });

  it('Converse: cache reads and writes are part of the input, kept as token types of their own', async () => {
    resetLedger();
    await b.client().send(new ConverseCommand({ modelId: 'anthropic.claude-test+cached-5+written-3', messages }));
    const c = await expectOneCall('anthropic.claude-test+cached-5+written-3');
    // The wire's inputTokens leave out the 5 + 3: the recorded input is the ledger's total.
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(23);
    expect(c.counter(M.tokenDetail, { 'gen_ai.token.type': 'cached_input' })).toBe(5);
    expect(c.counter(M.tokenDetail, { 'gen_ai.token.type': 'cache_creation_input' })).toBe(3);
  });

  it('BedrockRuntime.converse() and send(command, callback) are counted like send(command)', async () => {
    resetLedger();
    const { BedrockRuntime } = b.loaded.module;
    const aggregated = new BedrockRuntime(b.clientOptions());
    await aggregated.converse({ modelId: 'anthropic.claude-test', messages });
    const viaCallback = await new Promise<unknown>((resolve, reject) => {
      b.client().send(new ConverseCommand({ modelId: 'anthropic.claude-test', messages }), (error, output) =>
        error ? reject(error) : resolve(output),
      );
    });
    expect((viaCallback as { usage?: unknown }).usage).toEqual({ inputTokens: 23, outputTokens: 8, totalTokens: 31 });
    const c = await t.collect();
    expect(c.count(M.latency, PROVIDER)).toBe(2);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger().promptTokens);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('ConverseStream: the same events for the app; usage from metadata; TTFT and TPOT once', async () => {
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () => {
      resetLedger();
      const output = await b.client().send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test', messages }));
      return drainEvents(output.stream);
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.items.map((e) => Object.keys(e as object)[0])).toEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    const c = await expectOneCall('anthropic.claude-test');
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
    expect(c.counter(M.generated)).toBe(8);
  });

  it('ConverseStream: the time to first token is the first content delta, after the server waited', async () => {
    resetLedger();
    const output = await b
      .client()
      .send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test+wait-40', messages }));
    await drainEvents(output.stream);
    const c = await expectOneCall('anthropic.claude-test+wait-40');
    // The headers came at once; the first event 40 ms later: the first token is at least that late.
    expect(c.sum(M.ttft)).toBeGreaterThanOrEqual(0.04);
  });

  it('ConverseStream stopped after messageStop: the usage that follows is still read; not aborted', async () => {
    resetLedger();
    const output = await b.client().send(new ConverseStreamCommand({ modelId: 'anthropic.claude-test', messages }));
    for await (const event of eventsOf(output.stream)) if ('messageStop' in event) break;
    const c = await expectOneCall('anthropic.claude-test');
    expect(c.counter(M.errors)).toBe(0);
  });

  it('InvokeModel (Anthropic body): the same bytes for the app; model, tokens and stop reason from the body', async () => {
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () => {
      resetLedger();
      const output = await b
        .client()
        .send(new InvokeModelCommand({ modelId: 'anthropic.claude-test', body: anthropicInvokeBody() }));
      return { text: output.body.transformToString(), type: output.contentType, class: output.body.constructor.name };
    });
    expect(instrumented).toEqual(plain);
    const c = await expectOneCall('anthropic.claude-test');
    expect(c.histogram(M.latency)[0]?.attributes['gen_ai.response.model']).toBe(responseModelOf('claude-test'));
  });

  it('InvokeModelWithResponseStream (Anthropic chunks): the same chunks; tokens from message_start and message_delta; TTFT once', async () => {
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () => {
      resetLedger();
      const output = await b
        .client()
        .send(
          new InvokeModelWithResponseStreamCommand({ modelId: 'anthropic.claude-test', body: anthropicInvokeBody() }),
        );
      return drainEvents(output.body);
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.items).toHaveLength(8);
    const c = await expectOneCall('anthropic.claude-test');
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
  });

  it('InvokeModel of another family: recorded without tokens (its body is not parsed), the same bytes', async () => {
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () => {
      resetLedger();
      const output = await b
        .client()
        .send(new InvokeModelCommand({ modelId: 'amazon.titan-text-test', body: JSON.stringify({ inputText: 'hi' }) }));
      const streamed = await b.client().send(
        new InvokeModelWithResponseStreamCommand({
          modelId: 'amazon.titan-text-test',
          body: JSON.stringify({ inputText: 'hi' }),
        }),
      );
      return { plain: output.body.transformToString(), streamed: await drainEvents(streamed.body) };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.plain).toBe(JSON.stringify({ outputText: TEXT_PIECES.join('') }));
    const c = await t.collect();
    expect(c.count(M.latency, { ...PROVIDER, 'gen_ai.operation.name': 'text_completion' })).toBe(2);
    expect(c.count(M.tokens)).toBe(0);
    expect(c.count(M.ttft)).toBe(1);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('an inference profile ARN is labelled with its resource id: no account id or region in the label', async () => {
    resetLedger();
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-test';
    await b.client().send(new ConverseCommand({ modelId: arn, messages }));
    const c = await t.collect();
    expect(c.histogram(M.latency)[0]?.attributes['gen_ai.request.model']).toBe('us.anthropic.claude-test');
  });

  it('a client configured by region only is labelled with the regional endpoint', async () => {
    // Nothing is sent: the app's abort ends the call before any connection (the label is what is checked).
    const controller = new AbortController();
    controller.abort();
    const client = b.client({ endpoint: undefined, region: 'eu-west-3' });
    await expect(
      client.send(new ConverseCommand({ modelId: 'anthropic.claude-test', messages }), {
        abortSignal: controller.signal,
      }),
    ).rejects.toThrow();
    const c = await t.collect();
    expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
      'server.address': 'bedrock-runtime.eu-west-3.amazonaws.com',
      'server.port': 443,
      'error.type': 'aborted',
    });
  });

  it('a command of another kind passes straight through, unrecorded', async () => {
    const { CountTokensCommand } = b.loaded.module as unknown as Record<string, new (input: unknown) => object>;
    if (CountTokensCommand !== undefined) {
      await b
        .client()
        .send(new CountTokensCommand({ modelId: 'anthropic.claude-test', input: {} }) as never)
        .catch(() => undefined);
    }
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(0);
    expect(c.counter(M.internalErrors)).toBe(0);
  });
});
