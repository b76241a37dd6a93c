import { type CallEvent, getLlmMetrics } from '@llm-otel/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageEventReader } from '../src/anthropic/stream.js';
import { ChoiceStreamReader, chatChoices } from '../src/openai/choice-stream.js';
import { chatOutput, responsesOutput } from '../src/openai/content.js';
import { CallMeter } from '../src/shared/call-meter.js';
import { KeepingSink } from './utils/content-capture.js';
import { describeValue, drain, withAndWithout } from './utils/harness.js';
import { TEXT_PIECES } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { openai: instrumentation } = t;

const ANSWER = TEXT_PIECES.join('');
const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';

/** Keeps every call event. */

let sink: KeepingSink;

/** Registers a sink with content capture `on` (and other options). */
function captureContent(on: boolean, options: Record<string, unknown> = {}): void {
  sink = new KeepingSink();
  getLlmMetrics().setCallEventSink(sink);
  getLlmMetrics().configureCallEvents({ captureContent: on, ...options });
}

function onlyEvent(): CallEvent {
  expect(sink.events).toHaveLength(1);
  return sink.events[0] as CallEvent;
}

/** A chat request with a system prompt, a tool call and its result, and a secret in the user's text. */
function chatRequest(model = 'gpt-test') {
  return {
    model,
    messages: [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'Weather in Paris? card 4111111111111111' }] },
      {
        role: 'assistant' as const,
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 'rainy, 57F' },
    ],
  };
}

const CHAT_INPUT = [
  { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris? card 4111111111111111' }] },
  {
    role: 'assistant',
    parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
  },
  { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57F' }] },
];

const ASSISTANT_ANSWER = [{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }];

beforeEach(() => captureContent(false));
afterEach(() => {
  getLlmMetrics().setCallEventSink(undefined);
  getLlmMetrics().configureCallEvents({
    captureContent: undefined,
    maxMessageLength: undefined,
    maxContentLength: undefined,
    redact: undefined,
  });
});

describe.each(t.openaiClients)('openai $version: opt-in message content', (loaded) => {
  const client = () => t.openaiClient(loaded);

  it('capture off: the event has no content at all, and the request messages are not even read', async () => {
    // Counts the reads of `messages`: the client reads it to send the body, we must not.
    let reads = 0;
    const request = () => {
      const body = chatRequest();
      const messages = body.messages;
      return Object.defineProperty(body, 'messages', {
        enumerable: true,
        get: () => {
          reads++;
          return messages;
        },
      });
    };
    await client().chat.completions.create(request());
    const instrumentedReads = reads;
    instrumentation.disable();
    try {
      reads = 0;
      await client().chat.completions.create(request());
    } finally {
      instrumentation.enable();
    }
    expect(instrumentedReads).toBe(reads);

    const event = sink.events[0] as CallEvent;
    expect(sink.events).toHaveLength(1);
    expect(event.attributes[INPUT]).toBeUndefined();
    expect(event.attributes[OUTPUT]).toBeUndefined();
    const text = JSON.stringify(event);
    expect(text).not.toContain('Paris');
    expect(text).not.toContain(ANSWER);
  });

  it('capture on, chat: the exact request messages (system, user, tool call, tool result) and the answer; the app sees the same', async () => {
    captureContent(true);
    const request = chatRequest();
    const before = structuredClone(request);
    const { instrumented, plain } = await withAndWithout(instrumentation, () =>
      client().chat.completions.create(request),
    );
    expect(describeValue(instrumented)).toEqual(describeValue(plain));
    expect(request).toEqual(before);

    const event = onlyEvent();
    expect(event.attributes[INPUT]).toEqual(CHAT_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
  });

  it('capture on, chat stream: the assembled text as the output message; the app reads the same chunks', async () => {
    captureContent(true);
    const request = { ...chatRequest(), stream: true as const };
    const { instrumented, plain } = await withAndWithout(instrumentation, async () =>
      drain(await client().chat.completions.create(request)),
    );
    expect(instrumented).toEqual(plain);

    const event = onlyEvent();
    expect(event.attributes[INPUT]).toEqual(CHAT_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
  });

  it('capture on, Responses API: instructions as a system message, the input items, the output', async () => {
    captureContent(true);
    const request = {
      model: 'gpt-test',
      instructions: 'Answer briefly.',
      input: [
        { role: 'user' as const, content: [{ type: 'input_text' as const, text: 'Say hello' }] },
        { type: 'function_call' as const, call_id: 'c1', name: 'lookup', arguments: '{}' },
        { type: 'function_call_output' as const, call_id: 'c1', output: 'found' },
      ],
    };
    await client().responses.create(request);
    await drain(await client().responses.create({ ...request, stream: true }));

    expect(sink.events).toHaveLength(2);
    for (const event of sink.events) {
      expect(event.attributes[INPUT]).toEqual([
        { role: 'system', parts: [{ type: 'text', content: 'Answer briefly.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Say hello' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{}' }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', response: 'found' }] },
      ]);
      expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
    }
  });

  it('capture on, legacy completions: the prompt as a user message, each choice as an assistant message', async () => {
    captureContent(true);
    await client().completions.create({ model: 'gpt-test', prompt: 'Once upon' });
    const event = onlyEvent();
    expect(event.attributes[INPUT]).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Once upon' }] }]);
    expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
  });

  it("capture on: the app's redaction hook and the caps apply to the instrumented call's content", async () => {
    captureContent(true, {
      maxMessageLength: 20,
      redact: (text: string) => text.replace('4111111111111111', '[card]'),
    });
    await client().chat.completions.create(chatRequest());
    const event = onlyEvent();
    const input = event.attributes[INPUT] as Array<{ parts: Array<{ content?: string }> }>;
    expect(input[1]?.parts[0]?.content).toBe('Weather in Paris? ca'); // 20 characters
    expect(JSON.stringify(event)).not.toContain('4111');
    expect(event.attributes['llm_otel.content.truncated']).toBe(true);

    sink.events.length = 0;
    captureContent(true, { maxMessageLength: undefined });
    await client().chat.completions.create(chatRequest());
    const redacted = onlyEvent().attributes[INPUT] as Array<{ parts: Array<{ content?: string }> }>;
    expect(redacted[1]?.parts[0]?.content).toBe('Weather in Paris? card [card]');
  });

  it('capture on, a conversion that throws: the call and its answer are untouched, the input is left out and counted', async () => {
    captureContent(true);
    // Our conversion iterates the list (for...of); the client serialises it by index (JSON.stringify).
    const messages = [{ role: 'user' as const, content: 'hi' }];
    Object.defineProperty(messages, Symbol.iterator, {
      value: () => {
        throw new Error('not iterable today');
      },
    });
    const answer = await client().chat.completions.create({ model: 'gpt-test', messages });
    expect(answer.choices[0]?.message.content).toBe(ANSWER);

    const event = onlyEvent();
    expect(event.attributes[INPUT]).toBeUndefined();
    expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
    const c = await t.collect();
    expect(c.counter(M.internalErrors, { 'llm_otel.component': 'content-capture' })).toBe(1);
    expect(c.count(M.latency)).toBe(1);
  });

  it('capture on, a failed call: the input messages, no output', async () => {
    captureContent(true);
    await client()
      .chat.completions.create({ model: 'fail-429', messages: [{ role: 'user', content: 'hi' }] })
      .catch(() => undefined);
    const event = onlyEvent();
    expect(event.attributes[INPUT]).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(event.attributes[OUTPUT]).toBeUndefined();
    expect(event.attributes['error.type']).toBe('rate_limit');
  });
});

describe.each(t.ollamaClients)('ollama $version: opt-in message content', (loaded) => {
  const client = () => t.ollamaClient(loaded);

  it('capture off: no content on the event', async () => {
    await client().chat({ model: 'llama3', messages: [{ role: 'user', content: 'secret question' }] });
    const event = onlyEvent();
    expect(JSON.stringify(event)).not.toContain('secret question');
    expect(JSON.stringify(event)).not.toContain(ANSWER);
  });

  it('capture on, chat plain and streamed: the messages and the answer; the app sees the same', async () => {
    captureContent(true);
    const request = {
      model: 'llama3',
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Say hello' },
      ],
    };
    const before = structuredClone(request.messages);
    const { instrumented, plain } = await withAndWithout(t.ollama, () => client().chat(request));
    expect(JSON.parse(JSON.stringify(instrumented))).toEqual(JSON.parse(JSON.stringify(plain)));
    await drain(await client().chat({ ...request, stream: true }));
    // (ollama itself sets `stream` on the request object; the messages are left as they were.)
    expect(request.messages).toEqual(before);

    expect(sink.events).toHaveLength(2);
    for (const event of sink.events) {
      expect(event.attributes[INPUT]).toEqual([
        { role: 'system', parts: [{ type: 'text', content: 'Be kind.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Say hello' }] },
      ]);
      expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
    }
  });

  it('capture on, generate: system and prompt as messages, the response as the answer', async () => {
    captureContent(true);
    await client().generate({ model: 'llama3', system: 'Be kind.', prompt: 'Say hello' });
    const event = onlyEvent();
    expect(event.attributes[INPUT]).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be kind.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Say hello' }] },
    ]);
    expect(event.attributes[OUTPUT]).toEqual(ASSISTANT_ANSWER);
  });
});

describe('openai output conversion of tool calls (responses the simulator does not send)', () => {
  it('a chat choice that calls tools: tool_call parts with name and arguments, finish reason tool_call', () => {
    const response = {
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"c":1}' } }],
          },
        },
      ],
    };
    expect(chatOutput(response)).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 'call_9', name: 'get_weather', arguments: '{"c":1}' }],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('a Responses output with reasoning and a function call', () => {
    const response = {
      status: 'completed',
      output: [
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'think' }] },
        { type: 'function_call', call_id: 'c2', name: 'f', arguments: '{}' },
      ],
    };
    expect(responsesOutput(response)).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'think' },
          { type: 'tool_call', id: 'c2', name: 'f', arguments: '{}' },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('bounds the work on a huge conversation', () => {
    const choices = Array.from({ length: 100_000 }, () => ({ message: { content: 'x' }, finish_reason: 'stop' }));
    const out = chatOutput({ choices });
    expect(out.length).toBeLessThan(2048);
  });
});

describe('streamed tool calls (chunks the simulator does not send), read by the real stream readers', () => {
  const attributes = { provider: 'openai', operation: 'chat', model: 'gpt-test' };

  it('openai chat: tool call pieces of choice 0 assembled into tool_call parts beside the text', () => {
    captureContent(true);
    const meter = new CallMeter(attributes);
    const reader = new ChoiceStreamReader(meter, chatChoices, {
      hideUsage: false,
      usageExpected: false,
      choices: 1,
      captureText: true,
    });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
      id: 'chatcmpl-2',
      model: 'gpt-test',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const call = (index: number, fn: Record<string, unknown>, id?: string) => ({
      tool_calls: [{ index, ...(id ? { id, type: 'function' } : {}), function: fn }],
    });
    for (const c of [
      chunk({ role: 'assistant', content: 'Checking.' }),
      chunk(call(0, { name: 'get_weather', arguments: '' }, 'call_a')),
      chunk(call(0, { arguments: '{"city":' })),
      chunk(call(0, { arguments: '"Paris"}' })),
      chunk(call(1, { name: 'get_time', arguments: '{}' }, 'call_b')),
      chunk({}, 'tool_calls'),
    ])
      reader.read(c);
    reader.settle();
    meter.finish();

    expect(onlyEvent().attributes[OUTPUT]).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Checking.' },
          { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_b', name: 'get_time', arguments: '{}' },
        ],
        finish_reason: 'tool_call',
      },
    ]);
  });

  it('anthropic: a tool_use block and its input_json_deltas become a tool_call part', () => {
    captureContent(true);
    const meter = new CallMeter({ ...attributes, provider: 'anthropic' });
    const reader = new MessageEventReader(meter, true);
    for (const event of [
      { type: 'message_start', message: { id: 'msg_2', model: 'claude-test', usage: { input_tokens: 3 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me look.' } },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'tu_3', name: 'lookup', input: {} },
      },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ])
      reader.read(event);
    reader.settle();
    meter.finish();

    expect(onlyEvent().attributes[OUTPUT]).toEqual([
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

  it('capture off: the meter assembles no tool calls at all', () => {
    expect(new CallMeter(attributes).streamToolCalls).toBeUndefined();
  });
});
