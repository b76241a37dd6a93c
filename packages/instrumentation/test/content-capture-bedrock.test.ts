import { type CallEvent } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { converseOutput } from '../src/bedrock/content.js';
import { converseStream } from '../src/bedrock/converse-stream.js';
import { CallMeter } from '../src/shared/call-meter.js';
import { setupBedrockTest } from './utils/bedrock.js';
import { captureContent, type KeepingSink, resetContentCaptureAfterEach } from './utils/content-capture.js';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { TEXT_PIECES } from './utils/llm-server.js';

/** `@aws-sdk/client-bedrock-runtime` against the simulator: the opt-in message content of its calls' events. */
const b = setupBedrockTest();

const ANSWER = TEXT_PIECES.join('');
const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';

resetContentCaptureAfterEach();

/** A Converse request with a system prompt, a tool use and its result. */
function converseRequest(modelId = 'anthropic.claude-test') {
  return {
    modelId,
    system: [{ text: 'You are terse.' }],
    messages: [
      { role: 'user' as const, content: [{ text: 'Weather in Paris?' }] },
      {
        role: 'assistant' as const,
        content: [{ toolUse: { toolUseId: 'tu_1', name: 'get_weather', input: { city: 'Paris' } } }],
      },
      {
        role: 'user' as const,
        content: [{ toolResult: { toolUseId: 'tu_1', content: [{ text: 'rainy' }] } }],
      },
    ],
  };
}

const EXPECTED_INPUT = [
  { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'tu_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
  { role: 'user', parts: [{ type: 'tool_call_response', id: 'tu_1', response: 'rainy' }] },
];

const EXPECTED_OUTPUT = [{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }];

/** An Anthropic Messages body for InvokeModel, with a system prompt. */
function invokeBody(): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 64,
    system: 'You are terse.',
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
  });
}

const EXPECTED_INVOKE_INPUT = EXPECTED_INPUT.slice(0, 2);

/** A comparable picture of an output: its JSON without the request's attempt timing, bytes as text. */
function outputOf(value: unknown) {
  const { $metadata, body, ...rest } = value as { $metadata: unknown; body?: Uint8Array };
  return { ...describeValue(rest), body: body === undefined ? undefined : Buffer.from(body).toString('utf8') };
}

/** The events of a stream as JSON, InvokeModel chunks' bytes as text (so runs compare). */
async function drainEvents(stream: AsyncIterable<unknown> | undefined) {
  if (stream === undefined) throw new Error('no stream');
  return drain(
    (async function* () {
      for await (const event of stream) {
        const bytes = (event as { chunk?: { bytes?: Uint8Array } }).chunk?.bytes;
        yield bytes === undefined ? event : { chunk: Buffer.from(bytes).toString('utf8') };
      }
    })(),
  );
}

function onlyEvent(sink: KeepingSink): CallEvent {
  expect(sink.events).toHaveLength(1);
  return sink.events[0] as CallEvent;
}

describe(`@aws-sdk/client-bedrock-runtime ${b.loaded.version}: opt-in message content`, () => {
  const { ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand } =
    b.loaded.module;

  it('capture off: no content anywhere on the event, for each command', async () => {
    const sink = captureContent(false);
    await b.client().send(new ConverseCommand(converseRequest()));
    await drainEvents((await b.client().send(new ConverseStreamCommand(converseRequest()))).stream);
    const invoke = { modelId: 'anthropic.claude-test', body: invokeBody(), contentType: 'application/json' };
    await b.client().send(new InvokeModelCommand(invoke));
    await drainEvents((await b.client().send(new InvokeModelWithResponseStreamCommand(invoke))).body);
    expect(sink.events).toHaveLength(4);
    const text = JSON.stringify(sink.events);
    expect(text).not.toContain('Paris');
    expect(text).not.toContain(ANSWER);
  });

  it('Converse, capture on: system, messages, tool use and result; the answer and stop reason; the app sees the same', async () => {
    const sink = captureContent(true);
    const request = converseRequest();
    const before = structuredClone(request);
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () =>
      outputOf(await b.client().send(new ConverseCommand(request))),
    );
    expect(instrumented).toEqual(plain);
    expect(request).toEqual(before);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('Converse, capture on: the redaction hook is applied to the request and the answer', async () => {
    const sink = captureContent(true, (text) => text.replaceAll('Paris', '[city]'));
    await b.client().send(new ConverseCommand(converseRequest()));
    const text = JSON.stringify(onlyEvent(sink).attributes);
    expect(text).not.toContain('Paris');
    expect(text).toContain('Weather in [city]?');
  });

  it('ConverseStream, capture on: the assembled text as the answer; the app reads the same events', async () => {
    const sink = captureContent(true);
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () =>
      drainEvents((await b.client().send(new ConverseStreamCommand(converseRequest()))).stream),
    );
    expect(instrumented).toEqual(plain);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('InvokeModel (Anthropic body), capture on: the body messages and the answer; the app sees the same', async () => {
    const sink = captureContent(true);
    const invoke = { modelId: 'anthropic.claude-test', body: invokeBody(), contentType: 'application/json' };
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () =>
      outputOf(await b.client().send(new InvokeModelCommand(invoke))),
    );
    expect(instrumented).toEqual(plain);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INVOKE_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('InvokeModelWithResponseStream (Anthropic body), capture on: the assembled text; the app reads the same chunks', async () => {
    const sink = captureContent(true);
    const invoke = { modelId: 'anthropic.claude-test', body: invokeBody(), contentType: 'application/json' };
    const { instrumented, plain } = await withAndWithout(b.bedrock, async () =>
      drainEvents((await b.client().send(new InvokeModelWithResponseStreamCommand(invoke))).body),
    );
    expect(instrumented).toEqual(plain);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INVOKE_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('a toolUse answer with reasoning (which the simulator does not send): reasoning and tool_call parts, finish reason tool_call', () => {
    expect(
      converseOutput({
        stopReason: 'tool_use',
        output: {
          message: {
            role: 'assistant',
            content: [
              { reasoningContent: { reasoningText: { text: 'Hmm' } } },
              { toolUse: { toolUseId: 'tu_2', name: 'lookup', input: { q: 1 } } },
            ],
          },
        },
      }),
    ).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Hmm' },
          { type: 'tool_call', id: 'tu_2', name: 'lookup', arguments: { q: 1 } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('ConverseStream tool calls (which the simulator does not send): assembled from contentBlockStart and the input deltas', () => {
    const sink = captureContent(true);
    const meter = new CallMeter({ provider: 'aws.bedrock', operation: 'chat' });
    const reader = converseStream.streamReader?.(meter, {}, meter.capturesContent);
    for (const event of [
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let me look.' } } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tu_3', name: 'lookup' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"q":' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } } },
      { messageStop: { stopReason: 'tool_use' } },
    ])
      reader?.read(event);
    reader?.settle();
    meter.finish();
    expect(onlyEvent(sink).attributes[OUTPUT]).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me look.' },
          { type: 'tool_call', id: 'tu_3', name: 'lookup', arguments: '{"q":1}' },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });
});
