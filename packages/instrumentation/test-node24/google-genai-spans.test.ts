import type { GoogleGenAI as GoogleGenAIClient } from '@google/genai';
import { trace } from '@opentelemetry/api';
import * as traceSdk from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GoogleGenAIInstrumentation } from '../src/index.js';
import { clientVersion, requireClient } from '../test/utils/clients.js';
import { drain } from '../test/utils/harness.js';
import { SCRIPT } from '../test/utils/llm-server.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/**
 * With a TracerProvider, a `@google/genai` call gets llm-otel's GenAI client span: the model's
 * `responseId` and the finish reasons, the usage as the GenAI conventions count it (thoughts in the
 * output), a stream's span ending when it settles, status ERROR with the error type on a failure.
 */
const t = setupInstrumentationTest();
new GoogleGenAIInstrumentation();
type GoogleGenAIClass = new (options: Record<string, unknown>) => GoogleGenAIClient;
const genai = requireClient('@google/genai') as { GoogleGenAI: GoogleGenAIClass };
const MODEL = 'gemini-2.5-flash';

// SDK 2.x calls it BasicTracerProvider (in sdk-trace-base), SDK 3.x (the matrix's) TracerProvider;
// SDK 3.x's SimpleSpanProcessor takes `{ exporter }`, 2.x's the exporter.
const sdk3 = traceSdk.BasicTracerProvider === undefined;
const TracerProvider = (traceSdk.BasicTracerProvider ??
  (traceSdk as unknown as { TracerProvider: typeof traceSdk.BasicTracerProvider })
    .TracerProvider) as typeof traceSdk.BasicTracerProvider;
const simpleProcessor = (exporter: traceSdk.InMemorySpanExporter) =>
  new traceSdk.SimpleSpanProcessor(sdk3 ? ({ exporter } as unknown as traceSdk.InMemorySpanExporter) : exporter);
let exporter: traceSdk.InMemorySpanExporter;
let processor: traceSdk.SimpleSpanProcessor | undefined;

beforeEach(() => {
  exporter = new traceSdk.InMemorySpanExporter();
  processor = simpleProcessor(exporter);
  trace.disable();
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [processor] }));
});

afterEach(async () => {
  trace.disable();
  await processor?.shutdown();
  processor = undefined;
});

/** The finished spans of llm-otel; SDK 3.x's SimpleSpanProcessor exports asynchronously: flushed first. */
async function ours(): Promise<traceSdk.ReadableSpan[]> {
  await processor?.forceFlush();
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@llm-otel/core');
}

function client(script?: string): GoogleGenAIClient {
  return new genai.GoogleGenAI({
    apiKey: 'test-key',
    httpOptions: { baseUrl: t.server.origin, ...(script ? { headers: { [SCRIPT]: script } } : {}) },
  });
}

describe(`@google/genai ${clientVersion('@google/genai')}: spans`, () => {
  it.each([
    ['plain', false],
    ['streamed', true],
  ])(
    '%s: one span with the response id, the finish reason and the usage (thoughts in the output)',
    async (_n, stream) => {
      t.server.ledger.clear();
      const ai = client('reason-3');
      if (stream) {
        const chunks = await ai.models.generateContentStream({ model: MODEL, contents: 'hi' });
        expect(await ours()).toHaveLength(0);
        await drain(chunks);
      } else await ai.models.generateContent({ model: MODEL, contents: 'hi' });
      const spans = await ours();
      expect(spans).toHaveLength(1);
      const sent = t.server.totals();
      expect(spans[0]?.name).toBe(`chat ${MODEL}`);
      expect(spans[0]?.attributes).toMatchObject({
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': MODEL,
        'gen_ai.response.model': MODEL,
        'gen_ai.response.id': 'chatcmpl-1',
        'gen_ai.response.finish_reasons': ['STOP'],
        'gen_ai.usage.input_tokens': sent.promptTokens,
        'gen_ai.usage.output_tokens': sent.completionTokens,
      });
      expect(spans[0]?.status.code).toBe(0);
    },
  );

  it('a failed call: status ERROR and error.type', async () => {
    await client('fail-500')
      .models.generateContent({ model: MODEL, contents: 'hi' })
      .catch(() => undefined);
    const spans = await ours();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.status.code).toBe(2);
    expect(spans[0]?.attributes['error.type']).toBe('server_error');
  });
});
