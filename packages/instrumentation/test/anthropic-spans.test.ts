import { trace } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setupAnthropicTest } from './utils/anthropic.js';
import { drain } from './utils/harness.js';
import { SCRIPT } from './utils/llm-server.js';
import { FinishedSpans, type TestTracerProvider, testTracerProvider } from './utils/tracing.js';

/**
 * With a TracerProvider, an Anthropic call gets llm-otel's GenAI client span: response id and stop
 * reason from the message or its events, the usage as the GenAI conventions count it. (The client's
 * own spans need an `@opentelemetry/api` at least as recent as its own 1.10: with the 1.9 of these
 * tests it makes none.)
 */
const a = setupAnthropicTest();
const messages = [{ role: 'user' as const, content: 'hi' }];
let exporter: FinishedSpans;
let provider: TestTracerProvider | undefined;

beforeEach(() => {
  exporter = new FinishedSpans();
  provider = testTracerProvider(exporter);
  trace.disable();
  trace.setGlobalTracerProvider(provider);
});

afterEach(async () => {
  trace.disable();
  await provider?.shutdown();
  provider = undefined;
});

function spansOf(scope: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === scope);
}

describe(`@anthropic-ai/sdk ${a.loaded.version}: spans`, () => {
  it.each([
    ['plain', false],
    ['streamed', true],
  ])(
    '%s: one llm-otel span with the message id, the stop reason and the cache-inclusive input',
    async (_name, stream) => {
      a.t.server.ledger.clear();
      const client = a.client();
      const body = { model: 'claude-test', max_tokens: 64, messages };
      const options = { headers: { [SCRIPT]: 'cached-4+written-3' } };
      if (stream) await drain(await client.messages.create({ ...body, stream: true }, options));
      else await client.messages.create(body, options);
      const ours = spansOf('@llm-otel/core');
      expect(ours).toHaveLength(1);
      const sent = a.t.server.totals();
      expect(ours[0]?.name).toBe('chat claude-test');
      expect(ours[0]?.attributes).toMatchObject({
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.response.id': 'msg_1',
        'gen_ai.response.finish_reasons': ['end_turn'],
        'gen_ai.usage.input_tokens': sent.promptTokens,
        'gen_ai.usage.output_tokens': sent.completionTokens,
      });
    },
  );
});
