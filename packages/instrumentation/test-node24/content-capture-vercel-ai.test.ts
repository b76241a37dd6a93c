import { type CallEvent } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { VercelAIInstrumentation } from '../src/index.js';
import { vercelOutput } from '../src/vercel-ai/content.js';
import { clientVersion, requireClient } from '../test/utils/clients.js';
import { captureContent, type KeepingSink, resetContentCaptureAfterEach } from '../test/utils/content-capture.js';
import { withAndWithout } from '../test/utils/harness.js';
import { TEXT_PIECES } from '../test/utils/llm-server.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/**
 * The Vercel AI SDK (`ai` 7) with `@ai-sdk/openai` against the simulator: the opt-in message
 * content of its model calls' events, from the telemetry integration's call start and end events.
 */
const t = setupInstrumentationTest();
const vercel = new VercelAIInstrumentation();

type Fn = (options: Record<string, unknown>) => unknown;
const ai = requireClient('ai') as { generateText: Fn; streamText: Fn };
const { createOpenAI } = requireClient('@ai-sdk/openai') as { createOpenAI: Fn };
const openai = () =>
  createOpenAI({ baseURL: t.server.openaiBaseURL, apiKey: 'test-key' }) as unknown as {
    chat(model: string): unknown;
  };

const ANSWER = TEXT_PIECES.join('');
const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';

resetContentCaptureAfterEach();

/** A prompt with instructions, a tool call and its result. */
function options(extra: Record<string, unknown> = {}) {
  return {
    model: openai().chat('gpt-test'),
    instructions: 'You are terse.',
    messages: [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather', input: { city: 'Paris' } }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'get_weather',
            output: { type: 'text', value: 'rainy' },
          },
        ],
      },
    ],
    ...extra,
  };
}

const EXPECTED_INPUT = [
  { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
  {
    role: 'assistant',
    parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
  },
  { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy' }] },
];

const EXPECTED_OUTPUT = [{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }];

function onlyEvent(sink: KeepingSink): CallEvent {
  expect(sink.events).toHaveLength(1);
  return sink.events[0] as CallEvent;
}

async function textOf(stream: { textStream: AsyncIterable<string> }): Promise<string> {
  let out = '';
  for await (const piece of stream.textStream) out += piece;
  return out;
}

describe(`ai ${clientVersion('ai')}: opt-in message content`, () => {
  it('capture off: no content anywhere on the events', async () => {
    const sink = captureContent(false);
    await ai.generateText(options());
    await textOf(ai.streamText(options()) as { textStream: AsyncIterable<string> });
    expect(sink.events).toHaveLength(2);
    const text = JSON.stringify(sink.events);
    expect(text).not.toContain('Paris');
    expect(text).not.toContain(ANSWER);
  });

  it('capture on, generateText: instructions, messages, tool call and result; the answer; the app sees the same', async () => {
    const sink = captureContent(true);
    const { instrumented, plain } = await withAndWithout(vercel, async () => {
      const result = (await ai.generateText(options())) as { text: string; finishReason: string };
      return { text: result.text, finishReason: result.finishReason };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.text).toBe(ANSWER);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('capture on, streamText: the streamed answer; the app reads the same text', async () => {
    const sink = captureContent(true);
    const { instrumented, plain } = await withAndWithout(vercel, async () =>
      textOf(ai.streamText(options()) as { textStream: AsyncIterable<string> }),
    );
    expect(instrumented).toEqual(plain);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('capture on: the redaction hook is applied', async () => {
    const sink = captureContent(true, (text) => text.replaceAll('Paris', '[city]'));
    await ai.generateText(options());
    const text = JSON.stringify(onlyEvent(sink).attributes);
    expect(text).not.toContain('Paris');
    expect(text).toContain('Weather in [city]?');
  });

  it("capture on, the app's telemetry recordInputs/recordOutputs false: that side is left out", async () => {
    const sink = captureContent(true);
    await ai.generateText(options({ telemetry: { recordInputs: false, recordOutputs: false } }));
    const text = JSON.stringify(onlyEvent(sink));
    expect(text).not.toContain('Paris');
    expect(text).not.toContain(ANSWER);
  });

  it('a tool-calls answer with reasoning (which the simulator does not send): reasoning and tool_call parts', () => {
    expect(
      vercelOutput({
        finishReason: 'tool-calls',
        content: [
          { type: 'reasoning', text: 'Hmm' },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'lookup', input: { q: 1 } },
        ],
      }),
    ).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Hmm' },
          { type: 'tool_call', id: 'call_2', name: 'lookup', arguments: { q: 1 } },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });
});
