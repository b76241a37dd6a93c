import { type EvaluatedCall, getEvaluators } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { setupAnthropicTest } from './utils/anthropic.js';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { responseModelOf, TEXT_PIECES } from './utils/llm-server.js';
import { M } from './utils/metrics.js';

/**
 * `@anthropic-ai/sdk` against the simulator's Anthropic wire: every way of calling the Messages API
 * is counted once, with the tokens the simulator sent (its ledger), and the app sees exactly what
 * it sees without the instrumentation (values, stream events, helper events, raw responses).
 */
const a = setupAnthropicTest();
const { t } = a;
const messages = [{ role: 'user' as const, content: 'hi' }];
const body = (model = 'claude-test') => ({ model, max_tokens: 64, messages });

/** The simulator's ledger since the last reset: what the server answered. */
function ledger() {
  return t.server.totals();
}

function resetLedger(): void {
  t.server.ledger.clear();
}

/** One successful call recorded with the ledger's exact tokens, the response model and no error. */
async function expectOneCall(model: string, operation = 'chat') {
  const c = await t.collect();
  const attrs = { 'gen_ai.provider.name': 'anthropic', 'gen_ai.operation.name': operation };
  expect(c.count(M.latency, attrs)).toBe(1);
  expect(c.count(M.latency)).toBe(1);
  expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
    ...attrs,
    'gen_ai.request.model': model,
    'gen_ai.response.model': responseModelOf(model),
    'server.address': '127.0.0.1',
    'server.port': t.server.port,
  });
  expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger().promptTokens);
  expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger().completionTokens);
  expect(c.counter(M.errors)).toBe(0);
  expect(c.counter(M.internalErrors)).toBe(0);
  return c;
}

describe(`@anthropic-ai/sdk ${a.loaded.version}`, () => {
  it('messages.create: one call with the ledger tokens; the same message for the app', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      const value = await a.client().messages.create(body());
      return describeValue(value);
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.requestId).toBe('req_fake');
    // The second (plain) call was not recorded: the ledger holds it, so compare with one call's worth.
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger().promptTokens);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger().completionTokens);
    expect(c.count(M.ttft)).toBe(0);
  });

  it('messages.create: the ledger tokens exactly (one recorded call)', async () => {
    resetLedger();
    await a.client().messages.create(body());
    await expectOneCall('claude-test');
  });

  it('stream: true: the same events for the app; tokens from message_start and the cumulative message_delta; TTFT and TPOT once', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      return drain(await a.client().messages.create({ ...body(), stream: true }));
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.items.map((e) => (e as { type: string }).type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const c = await expectOneCall('claude-test');
    // message_start says output_tokens 1; message_delta the total, which is what counts.
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(8);
    expect(c.count(M.ttft)).toBe(1);
    expect(c.count(M.tpot)).toBe(1);
    expect(c.counter(M.generated)).toBe(8);
  });

  it('messages.stream(): the listeners and finalMessage() see what they see without us; counted once', async () => {
    const run = async () => {
      resetLedger();
      const seen: unknown[] = [];
      const stream = a.client().messages.stream(body('claude-test+think'));
      stream.on('connect', () => seen.push('connect'));
      stream.on('streamEvent', (event) => seen.push(['streamEvent', JSON.parse(JSON.stringify(event))]));
      stream.on('text', (delta, snapshot) => seen.push(['text', delta, snapshot]));
      stream.on('thinking', (delta) => seen.push(['thinking', delta]));
      stream.on('contentBlock', (block) => seen.push(['contentBlock', JSON.parse(JSON.stringify(block))]));
      stream.on('message', (message) => seen.push(['message', describeValue(message)]));
      stream.on('end', () => seen.push('end'));
      const final = await stream.finalMessage();
      const text = await stream.finalText();
      return { seen, final: describeValue(final), text };
    };
    const { instrumented, plain } = await withAndWithout(a.anthropic, run);
    expect(instrumented).toEqual(plain);
    expect(instrumented.text).toBe('Hello there');
    expect(instrumented.seen).toContain('end');
    const c = await expectOneCall('claude-test+think');
    expect(c.count(M.ttft)).toBe(1);
  });

  it('messages.stream() iterated with for await: the same events; counted once', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      return drain(a.client().messages.stream(body()));
    });
    expect(instrumented).toEqual(plain);
    await expectOneCall('claude-test');
  });

  it('messages.parse(): the same parsed message; counted once', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      return describeValue(await a.client().messages.parse(body()));
    });
    expect(instrumented).toEqual(plain);
    await expectOneCall('claude-test');
  });

  it('beta.messages.create, plain and streamed: counted like messages.create', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      const client = a.client();
      const message = describeValue(await client.beta.messages.create(body()));
      const events = await drain(await client.beta.messages.create({ ...body(), stream: true }));
      return { message, events };
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.count(M.latency, { 'gen_ai.provider.name': 'anthropic' })).toBe(2);
    expect(c.count(M.ttft)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger().promptTokens);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger().completionTokens);
  });

  it('beta.messages.stream(): the same final message; counted once', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      return describeValue(await a.client().beta.messages.stream(body()).finalMessage());
    });
    expect(instrumented).toEqual(plain);
    await expectOneCall('claude-test');
  });

  it('.withResponse() and .asResponse(): the same headers and body for the app; counted', async () => {
    const headerRecord = (headers: Headers) => {
      const out: Record<string, string> = {};
      headers.forEach((value, name) => {
        if (name !== 'date' && !name.endsWith('-reset') && !name.endsWith('-remaining')) out[name] = value;
      });
      return out;
    };
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      const client = a.client();
      const { data, response } = await client.messages.create(body()).withResponse();
      const raw = await client.messages.create(body()).asResponse();
      const streamed = await client.messages.create({ ...body(), stream: true }).withResponse();
      return {
        data: describeValue(data),
        headers: headerRecord(response.headers),
        raw: { status: raw.status, headers: headerRecord(raw.headers), body: await raw.json() },
        streamed: await drain(streamed.data),
      };
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    // A response the app only takes raw is not recorded (its body is the app's: a known limit, as
    // for openai); the two parsed ones are.
    expect(c.count(M.latency, { 'gen_ai.provider.name': 'anthropic' })).toBe(2);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('messages.countTokens is not an LLM call: nothing is recorded, the same answer', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () =>
      describeValue(await a.client().messages.countTokens({ model: 'claude-test', messages })),
    );
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(0);
    expect(c.count(M.tokens)).toBe(0);
  });
});

describe(`@anthropic-ai/sdk ${a.loaded.version}: the client's own tracing off`, () => {
  it('openTelemetry: false (the client returns its request promise unwrapped): plain and streamed calls counted the same', async () => {
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () => {
      resetLedger();
      const client = a.client({ openTelemetry: false });
      const message = describeValue(await client.messages.create(body()));
      const events = await drain(await client.messages.create({ ...body(), stream: true }));
      return { message, events };
    });
    expect(instrumented).toEqual(plain);
    const c = await t.collect();
    expect(c.count(M.latency, { 'gen_ai.provider.name': 'anthropic' })).toBe(2);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger().completionTokens);
    expect(c.count(M.ttft)).toBe(1);
  });
});

describe(`@anthropic-ai/sdk ${a.loaded.version}: streams`, () => {
  it('a break at the message_delta that says why it stopped (message_stop not yet sent): a complete call with its tokens', async () => {
    resetLedger();
    // `hold`: the server sends no message_stop and keeps the connection open.
    const stream = await a.client().messages.create({ ...body('claude-test+hold'), stream: true });
    for await (const event of stream) if (event.type === 'message_delta') break;
    const c = await t.collect();
    expect(c.counter(M.errors)).toBe(0);
    expect(c.count(M.latency)).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger().completionTokens);
  });

  it('tee(): both branches get every event; one call', async () => {
    resetLedger();
    const stream = await a.client().messages.create({ ...body(), stream: true });
    const [left, right] = stream.tee();
    const [l, r] = await Promise.all([drain(left), drain(right)]);
    expect(l).toEqual(r);
    expect(l.items).toHaveLength(8);
    await expectOneCall('claude-test');
  });
});

describe(`@anthropic-ai/sdk ${a.loaded.version}: evaluators`, () => {
  it('get the message of a plain call and the text of a stream (its text_deltas), never a failed call', async () => {
    const seen: EvaluatedCall[] = [];
    const detach = getEvaluators().add({
      name: 'anthropic_judge',
      sampleRate: 1,
      evaluate: (call) => {
        seen.push(call);
        return 1;
      },
    });
    try {
      const client = a.client();
      const request = body();
      const message = await client.messages.create(request);
      await drain(await client.messages.create({ ...body('claude-test+think'), stream: true }));
      await client.messages.create(body('fail-529')).catch(() => undefined);
      await getEvaluators().whenIdle();
      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatchObject({ provider: 'anthropic', operation: 'chat', model: 'claude-test' });
      expect(seen[0]?.request).toBe(request);
      expect(seen[0]?.response).toBe(message);
      // The thinking is not part of the answer's text.
      expect(seen[1]?.response).toBe(TEXT_PIECES.join(''));
    } finally {
      detach();
    }
  });
});
