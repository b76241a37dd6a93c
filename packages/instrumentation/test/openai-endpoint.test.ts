import { describe, expect, it } from 'vitest';
import { OpenAIInstrumentation, providerForHost } from '../src/index.js';
import { drain } from './utils/harness.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server, openai: instrumentation } = t;
const clients = t.openaiClients;

describe('provider by host', () => {
  it.each([
    ['api.openai.com', 'openai'],
    ['eu.api.openai.com', 'openai'],
    ['my-resource.openai.azure.com', 'azure.ai.openai'],
    ['my-resource.cognitiveservices.azure.com', 'azure.ai.openai'],
    ['localhost', 'openai_compatible'],
    ['127.0.0.1', 'openai_compatible'],
    ['vllm.internal', 'openai_compatible'],
    ['api.openai.com.evil.example', 'openai_compatible'],
    ['notapi.openai.com', 'openai_compatible'],
    ['api.groq.com', 'groq'],
  ])('%s -> %s', (host, provider) => {
    expect(providerForHost(host)).toBe(provider);
  });
});

const messages = [{ role: 'user' as const, content: 'hi' }];

describe.each(clients)('openai $version: endpoints', ({ OpenAI, module }) => {
  it('server.address/port from the base URL; the provider hook can rename it', async () => {
    const named = new OpenAIInstrumentation({
      providerName: ({ port }) => (port === server.port ? 'ollama' : undefined),
    });
    instrumentation.disable();
    named.manuallyInstrument(module);
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: `http://localhost:${server.port}/v1`, maxRetries: 0 });
      await client.chat.completions.create({ model: 'gpt-test', messages });
    } finally {
      named.disable();
      instrumentation.enable();
    }
    const c = await t.collect();
    expect(
      c.count(M.latency, {
        'gen_ai.provider.name': 'ollama',
        'server.address': 'localhost',
        'server.port': server.port,
      }),
    ).toBe(1);
  });

  it('streamUsage: false never adds stream_options', async () => {
    const quiet = new OpenAIInstrumentation({ streamUsage: false });
    instrumentation.disable();
    quiet.manuallyInstrument(module);
    try {
      const client = new OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
      await drain(await client.chat.completions.create({ model: 'gpt-test', messages, stream: true }));
      expect(server.lastRequest()?.body.stream_options).toBeUndefined();
    } finally {
      quiet.disable();
      instrumentation.enable();
    }
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
  });
});
