import type { GoogleGenAI as GoogleGenAIClient } from '@google/genai';
import { type CallEvent } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { geminiInput, geminiOutput } from '../src/google-genai/content.js';
import { GeminiChunkReader } from '../src/google-genai/stream.js';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { CallMeter } from '../src/shared/call-meter.js';
import { clientVersion, requireClient } from '../test/utils/clients.js';
import { captureContent, type KeepingSink, resetContentCaptureAfterEach } from '../test/utils/content-capture.js';
import { drain, withAndWithout } from '../test/utils/harness.js';
import { TEXT_PIECES } from '../test/utils/llm-server.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/** `@google/genai` against the simulator's Gemini wire: the opt-in message content of its calls' events. */
const t = setupInstrumentationTest();
const google = new GoogleGenAIInstrumentation();

type GoogleGenAIClass = new (options: Record<string, unknown>) => GoogleGenAIClient;
const genai = requireClient('@google/genai') as { GoogleGenAI: GoogleGenAIClass };
const VERSION = clientVersion('@google/genai');

function client(): GoogleGenAIClient {
  return new genai.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: t.server.origin } });
}

const ANSWER = TEXT_PIECES.join('');
const INPUT = 'gen_ai.input.messages';
const OUTPUT = 'gen_ai.output.messages';
const MODEL = 'gemini-2.5-flash';

resetContentCaptureAfterEach();

/** A request with a system instruction, a function call and its response. */
function request() {
  return {
    model: MODEL,
    config: { systemInstruction: 'You are terse.' },
    contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'fc_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'fc_1', name: 'get_weather', response: { sky: 'rainy' } } }] },
    ],
  };
}

const EXPECTED_INPUT = [
  { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
  { role: 'assistant', parts: [{ type: 'tool_call', id: 'fc_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
  { role: 'user', parts: [{ type: 'tool_call_response', id: 'fc_1', response: { sky: 'rainy' } }] },
];

const EXPECTED_OUTPUT = [{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }];

function onlyEvent(sink: KeepingSink): CallEvent {
  expect(sink.events).toHaveLength(1);
  return sink.events[0] as CallEvent;
}

/** The app's view of a response: its JSON without the HTTP headers object. */
function appView(value: unknown): unknown {
  const { sdkHttpResponse: _headers, ...rest } = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return rest;
}

describe(`@google/genai ${VERSION}: opt-in message content`, () => {
  it('capture off: no content anywhere on the events', async () => {
    const sink = captureContent(false);
    await client().models.generateContent(request());
    await drain(await client().models.generateContentStream(request()));
    expect(sink.events).toHaveLength(2);
    const text = JSON.stringify(sink.events);
    expect(text).not.toContain('Paris');
    expect(text).not.toContain(ANSWER);
  });

  it('capture on, generateContent: system instruction, contents, function call and response; the answer; the app sees the same', async () => {
    const sink = captureContent(true);
    const body = request();
    const before = structuredClone(body);
    const { instrumented, plain } = await withAndWithout(google, async () =>
      appView(await client().models.generateContent(body)),
    );
    expect(instrumented).toEqual(plain);
    expect(body).toEqual(before);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('capture on, generateContentStream: the assembled text as the answer; the app reads the same chunks', async () => {
    const sink = captureContent(true);
    const { instrumented, plain } = await withAndWithout(google, async () => {
      const { items, error } = await drain(await client().models.generateContentStream(request()));
      return { items: items.map(appView), error };
    });
    expect(instrumented).toEqual(plain);
    const event = onlyEvent(sink);
    expect(event.attributes[INPUT]).toEqual(EXPECTED_INPUT);
    expect(event.attributes[OUTPUT]).toEqual(EXPECTED_OUTPUT);
  });

  it('capture on: the redaction hook is applied', async () => {
    const sink = captureContent(true, (text) => text.replaceAll('Paris', '[city]'));
    await client().models.generateContent(request());
    const text = JSON.stringify(onlyEvent(sink).attributes);
    expect(text).not.toContain('Paris');
    expect(text).toContain('Weather in [city]?');
  });

  it('the loose shapes the client takes: a string, a list of parts, a system instruction of parts', () => {
    expect(geminiInput({ contents: 'hi' })).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(
      geminiInput({
        config: { systemInstruction: { parts: [{ text: 'Be brief.' }] } },
        contents: ['a', { text: 'b' }, { inlineData: { mimeType: 'image/png', data: 'AAAA' } }],
      }),
    ).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'a' },
          { type: 'text', content: 'b' },
          { type: 'blob', content: 'AAAA', mime_type: 'image/png' },
        ],
      },
    ]);
  });

  it('a function-call answer with a thought (which the simulator does not send): reasoning and tool_call parts', () => {
    expect(
      geminiOutput({
        candidates: [
          {
            finishReason: 'MAX_TOKENS',
            content: {
              role: 'model',
              parts: [{ text: 'Hmm', thought: true }, { functionCall: { name: 'lookup', args: { q: 1 } } }],
            },
          },
        ],
      }),
    ).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Hmm' },
          { type: 'tool_call', name: 'lookup', arguments: { q: 1 } },
        ],
        finish_reason: 'length',
      },
    ]);
  });

  it('a stream with a function call (which the simulator does not send): the text, then the call, and the finish reason', () => {
    const sink = captureContent(true);
    const meter = new CallMeter({ provider: 'gcp.gemini', operation: 'chat' });
    const reader = new GeminiChunkReader(meter, meter.capturesContent);
    const chunk = (parts: unknown[], finishReason?: string) => ({
      candidates: [{ content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}) }],
    });
    reader.read(chunk([{ text: 'Hmm', thought: true }]));
    reader.read(chunk([{ text: 'Let me look.' }]));
    reader.read(chunk([{ functionCall: { id: 'fc_2', name: 'lookup', args: { q: 1 } } }], 'STOP'));
    reader.settle();
    meter.finish();
    expect(onlyEvent(sink).attributes[OUTPUT]).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Let me look.' },
          { type: 'tool_call', id: 'fc_2', name: 'lookup', arguments: { q: 1 } },
        ],
        finish_reason: 'stop',
      },
    ]);
  });
});
