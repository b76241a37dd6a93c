import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelSimulator } from '../src/index.js';

/** The messages of an AWS event stream body, decoded with the SDK's codec: event type and JSON payload. */
function decodeEvents(bytes: Uint8Array): Array<{ type: unknown; kind: unknown; payload: unknown }> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events = [];
  for (let offset = 0; offset < bytes.byteLength; ) {
    const length = view.getUint32(offset);
    const message = codec.decode(bytes.subarray(offset, offset + length));
    events.push({
      type: message.headers[':event-type']?.value ?? message.headers[':exception-type']?.value,
      kind: message.headers[':message-type']?.value,
      payload: JSON.parse(toUtf8(message.body)),
    });
    offset += length;
  }
  return events;
}

describe('the Bedrock wire, random mode (the demo)', () => {
  const simulator = new ModelSimulator({ rateLimitRate: 0, serverErrorRate: 0, firstTokenMedianMs: 1 });
  afterEach(async () => {
    await simulator.stop();
    simulator.ledger.clear();
  });
  const post = (origin: string, modelId: string, action: string, body: unknown) =>
    fetch(`${origin}/model/${encodeURIComponent(modelId)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const messages = [{ role: 'user', content: [{ text: 'hi' }] }];

  it('Converse and ConverseStream: the usage the ledger holds, in the JSON and in the metadata event', async () => {
    const origin = await simulator.start();
    const modelId = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-test';
    const plain = (await (await post(origin, modelId, 'converse', { messages })).json()) as {
      usage: { inputTokens: number; outputTokens: number };
      stopReason: string;
    };
    const response = await post(origin, modelId, 'converse-stream', { messages });
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const events = decodeEvents(new Uint8Array(await response.arrayBuffer()));
    expect(events.every((e) => e.kind === 'event')).toBe(true);
    expect(events[0]?.type).toBe('messageStart');
    const metadata = events.at(-1) as {
      type: string;
      payload: { usage: { inputTokens: number; outputTokens: number } };
    };
    expect(metadata.type).toBe('metadata');
    const ledger = simulator.totals();
    expect(ledger.requests).toBe(2);
    // The second call repeats the prompt: its cached share is left out of inputTokens (at most the ledger's).
    expect(plain.usage.inputTokens + metadata.payload.usage.inputTokens).toBeLessThanOrEqual(ledger.promptTokens);
    expect(plain.usage.outputTokens + metadata.payload.usage.outputTokens).toBe(ledger.completionTokens);
    expect(plain.stopReason).toBe('end_turn');
    expect([...simulator.ledger.keys()].every((key) => key.endsWith(` ${modelId}`))).toBe(true);
  });

  it('InvokeModelWithResponseStream of an Anthropic model: its events base64 in chunk events', async () => {
    const origin = await simulator.start();
    const response = await post(origin, 'anthropic.claude-test', 'invoke-with-response-stream', {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const chunks = decodeEvents(new Uint8Array(await response.arrayBuffer())).map(
      (e) =>
        JSON.parse(Buffer.from((e.payload as { bytes: string }).bytes, 'base64').toString('utf8')) as { type: string },
    );
    expect(chunks[0]?.type).toBe('message_start');
    expect(chunks.at(-1)).toMatchObject({
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': { outputTokenCount: simulator.totals().completionTokens },
    });
  });

  it('an unknown action is a 404; a failure names its exception', async () => {
    const origin = await simulator.start();
    expect((await post(origin, 'anthropic.claude-test', 'nothing', {})).status).toBe(404);
    simulator.failWith = 429;
    try {
      const refused = await post(origin, 'anthropic.claude-test', 'converse', { messages });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException:/);
    } finally {
      simulator.failWith = undefined;
    }
  });
});
