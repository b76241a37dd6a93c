import { describe, expect, it } from 'vitest';
import { VercelAIInstrumentation } from '../src/index.js';
import { endpointOfUrl } from '../src/vercel-ai/endpoint.js';
import { failureOf } from '../src/vercel-ai/error-type.js';
import { providerNameOf } from '../src/vercel-ai/provider.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

/**
 * The Vercel AI SDK instrumentation without the SDK (`ai` 7 needs Node >= 22; the calls through the
 * real SDK are tested in the Node 24 matrix, packages/instrumentation/test-node24): how it joins the
 * SDK's global integration list, and what it makes of the events the SDK hands it, malformed ones
 * included.
 */
const t = setupInstrumentationTest();

type Integration = Record<string, (event: unknown) => void>;
const globals = globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] };
const registered = (): Integration[] => (globals.AI_SDK_TELEMETRY_INTEGRATIONS ?? []) as Integration[];

describe('Vercel AI SDK integration', () => {
  it('enable() joins the global integration list once, however many instrumentations; the last disable() leaves it', () => {
    const first = new VercelAIInstrumentation();
    const second = new VercelAIInstrumentation();
    expect(registered()).toHaveLength(1);
    first.disable();
    expect(registered()).toHaveLength(1);
    second.disable();
    expect(registered()).toHaveLength(0);
    first.enable();
    expect(registered()).toHaveLength(1);
    first.disable();
    expect(registered()).toHaveLength(0);
  });

  it('keeps the integrations the app registered', () => {
    const apps = { onStart: () => undefined };
    globals.AI_SDK_TELEMETRY_INTEGRATIONS = [apps];
    const instrumentation = new VercelAIInstrumentation();
    expect(registered()).toHaveLength(2);
    instrumentation.disable();
    expect(registered()).toEqual([apps]);
    globals.AI_SDK_TELEMETRY_INTEGRATIONS = [];
  });

  it('a model call left open by a failed operation is recorded once with its error; a later end is ignored', async () => {
    const instrumentation = new VercelAIInstrumentation();
    const [integration] = registered();
    if (integration === undefined) throw new Error('not registered');
    integration.onLanguageModelCallStart?.({ callId: 'op1', provider: 'openai.chat', modelId: 'gpt-test' });
    expect(instrumentation.callsInFlight).toBe(1);
    integration.onError?.({ callId: 'op1', error: { name: 'AI_APICallError', statusCode: 503, message: 'secret' } });
    integration.onLanguageModelCallEnd?.({ callId: 'op1', usage: { inputTokens: 3, outputTokens: 2 } });
    expect(instrumentation.callsInFlight).toBe(0);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'gen_ai.provider.name': 'openai', 'error.type': 'unavailable' })).toBe(1);
    instrumentation.disable();
  });

  it('malformed events are ignored without throwing; disable() records what is still open as incomplete', async () => {
    const instrumentation = new VercelAIInstrumentation();
    const [integration] = registered();
    if (integration === undefined) throw new Error('not registered');
    for (const event of [undefined, null, 42, 'x', {}, { callId: 7 }, { embedCallId: '' }]) {
      for (const callback of Object.values(integration)) {
        if (typeof callback === 'function') expect(() => callback(event)).not.toThrow();
      }
    }
    integration.onEmbedStart?.({ callId: 'op2', embedCallId: 'e1', provider: 'openai.embedding', modelId: 'emb' });
    integration.onLanguageModelCallEnd?.({
      callId: 'op3',
      usage: { inputTokens: -1, outputTokens: 'many' },
    });
    expect(instrumentation.callsInFlight).toBe(1);
    instrumentation.disable();
    expect(instrumentation.callsInFlight).toBe(0);
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'gen_ai.operation.name': 'embeddings' })).toBe(1);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('provider names: the GenAI names of the @ai-sdk providers, other plain names kept, the rest _OTHER', () => {
    expect(providerNameOf('openai.chat')).toBe('openai');
    expect(providerNameOf('openai.responses')).toBe('openai');
    expect(providerNameOf('anthropic.messages')).toBe('anthropic');
    expect(providerNameOf('google.generative-ai')).toBe('gcp.gemini');
    expect(providerNameOf('google.vertex.chat')).toBe('gcp.vertex_ai');
    expect(providerNameOf('amazon-bedrock')).toBe('aws.bedrock');
    expect(providerNameOf('azure.chat')).toBe('azure.ai.openai');
    expect(providerNameOf('mistral.chat')).toBe('mistral_ai');
    expect(providerNameOf('togetherai.chat')).toBe('togetherai');
    expect(providerNameOf('Some Provider!')).toBe('_OTHER');
    expect(providerNameOf('x'.repeat(100))).toBe('_OTHER');
    expect(providerNameOf(undefined)).toBe('_OTHER');
  });

  it('server address from the request URL (origin only); failures as HTTP status through RetryError', () => {
    expect(endpointOfUrl('http://127.0.0.1:8080/v1/chat/completions')).toEqual({
      serverAddress: '127.0.0.1',
      serverPort: 8080,
    });
    expect(endpointOfUrl('https://api.anthropic.com/v1/messages')).toEqual({
      serverAddress: 'api.anthropic.com',
      serverPort: 443,
    });
    expect(endpointOfUrl('not a url')).toEqual({});
    expect(endpointOfUrl(undefined)).toEqual({});
    expect(failureOf({ statusCode: 429 })).toBe(429);
    expect(failureOf({ name: 'AI_RetryError', lastError: { statusCode: 529 } })).toBe(529);
    const abort = new DOMException('aborted', 'AbortError');
    expect(failureOf(abort)).toBe(abort);
    expect(failureOf(undefined)).toBe('error');
  });
});
