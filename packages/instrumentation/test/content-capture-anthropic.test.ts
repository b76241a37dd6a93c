import { type CallEvent } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { anthropicOutput } from '../src/anthropic/content.js';
import { setupAnthropicTest } from './utils/anthropic.js';
import { captureContent, resetContentCaptureAfterEach } from './utils/content-capture.js';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { TEXT_PIECES } from './utils/llm-server.js';

/** `@anthropic-ai/sdk` against the simulator: the opt-in message content of its calls' events. */
const a = setupAnthropicTest();

const ANSWER = TEXT_PIECES.join('');
const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';

resetContentCaptureAfterEach();

/** A request with a system prompt (blocks), a tool use and its result. */
function request(model = 'claude-test') {
  return {
    model,
    max_tokens: 64,
    system: [{ type: 'text' as const, text: 'You are terse.' }],
    messages: [
      { role: 'user' as const, content: 'Weather in Paris?' },
      {
        role: 'assistant' as const,
        content: [{ type: 'tool_use' as const, id: 'tu_1', name: 'get_weather', input: { city: 'Paris' } }],
      },
      {
        role: 'user' as const,
        content: [{ type: 'tool_result' as const, tool_use_id: 'tu_1', content: 'rainy' }],
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

describe(`@anthropic-ai/sdk ${a.loaded.version}: opt-in message content`, () => {
  it('capture off: no content anywhere on the event', async () => {
    const sink = captureContent(false);
    await a.client().messages.create(request());
    expect(sink.events).toHaveLength(1);
    const text = JSON.stringify(sink.events[0]);
    expect(text).not.toContain('Paris');
    expect(text).not.toContain(ANSWER);
  });

  it('capture on, plain: system, messages, tool use and result; the answer with thinking and stop reason; the app sees the same', async () => {
    const sink = captureContent(true);
    const body = request('claude-test+think');
    const before = structuredClone(body);
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () =>
      describeValue(await a.client().messages.create(body)),
    );
    expect(instrumented).toEqual(plain);
    expect(body).toEqual(before);

    expect(sink.events).toHaveLength(1);
    const event = sink.events[0] as CallEvent;
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Hmm' },
          { type: 'text', content: ANSWER },
        ],
        finish_reason: 'stop',
      },
    ]);
  });

  it('capture on, stream: the assembled text as the answer; the app reads the same events', async () => {
    const sink = captureContent(true);
    const { instrumented, plain } = await withAndWithout(a.anthropic, async () =>
      drain(await a.client().messages.create({ ...request(), stream: true })),
    );
    expect(instrumented).toEqual(plain);

    expect(sink.events).toHaveLength(1);
    const event = sink.events[0] as CallEvent;
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' },
    ]);
  });

  it('a tool_use answer (which the simulator does not send): a tool_call part, finish reason tool_call', () => {
    expect(
      anthropicOutput({
        role: 'assistant',
        stop_reason: 'tool_use',
        content: [{ type: 'tool_use', id: 'tu_2', name: 'lookup', input: { q: 1 } }],
      }),
    ).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'tu_2', name: 'lookup', arguments: { q: 1 } }],
        finish_reason: 'tool_call',
      },
    ]);
  });
});
