import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIInstrumentation, STREAM_USAGE_ENV } from '../src/index.js';
import { drain, type OpenAIClass, withAndWithout } from './utils/harness.js';
import { OPENAI_USAGE } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

// The default configuration: `streamUsage` from the environment, else `auto`.
const t = setupInstrumentationTest({ openai: {} });
const messages = [{ role: 'user' as const, content: 'hi' }];

afterEach(() => {
  delete process.env[STREAM_USAGE_ENV];
});

describe.each(t.openaiClients)('openai $version: when stream usage is asked for', (loaded) => {
  /**
   * A client whose base URL names `host` while its requests go to the test server (through the
   * client's own `fetch` option), so the host rule sees a real provider's host.
   */
  const clientFor = (host: string | undefined) => {
    if (host === undefined) return t.openaiClient(loaded);
    const origin = t.server.origin;
    return t.openaiClient(loaded, {
      baseURL: `https://${host}/v1`,
      fetch: (url: string | URL, init?: RequestInit) => fetch(String(url).replace(`https://${host}`, origin), init),
    });
  };
  const streamFrom = async (host?: string) => {
    const stream = await clientFor(host).chat.completions.create({ model: 'gpt-test', messages, stream: true });
    return { sent: t.server.lastRequest()?.body.stream_options, ...(await drain(stream)) };
  };

  it('auto (default): not for an unknown OpenAI-compatible host; the body is the app body, no tokens', async () => {
    const { instrumented, plain } = await withAndWithout(t.openai, () => streamFrom());
    expect(instrumented).toEqual(plain);
    expect(instrumented.sent).toBeUndefined();
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.tokens)).toBe(0);
  });

  it.each([
    ['api.openai.com', true],
    ['eu.api.openai.com', true],
    ['api.deepseek.com', true],
    ['api.groq.com', false],
    ['vllm.internal', false],
  ])('auto: %s -> asked for: %s', async (host, asked) => {
    const { items, sent } = await streamFrom(host);
    expect(sent).toEqual(asked ? { include_usage: true } : undefined);
    // The app sees the chunks it would see without us either way: no usage chunk.
    expect(items).toHaveLength(5);
    const c = await t.collect();
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(asked ? OPENAI_USAGE.chat.output : 0);
  });

  it.each([
    ['2024-10-21', true],
    ['preview', true],
    ['2024-06-01', false],
  ])('auto: AzureOpenAI (api-version %s): provider azure.ai.openai; asked for: %s', async (apiVersion, asks) => {
    const AzureOpenAI = loaded.module.AzureOpenAI as OpenAIClass;
    const client = new AzureOpenAI({ apiKey: 'k', endpoint: t.server.origin, apiVersion, maxRetries: 0 });
    const { items } = await drain(await client.chat.completions.create({ model: 'gpt-test', messages, stream: true }));
    expect(items).toHaveLength(5);
    expect(t.server.lastRequest()?.path).toBe('/openai/deployments/gpt-test/chat/completions');
    expect(t.server.lastRequest()?.body.stream_options).toEqual(asks ? { include_usage: true } : undefined);
    const c = await t.collect();
    expect(c.count(M.latency, { 'gen_ai.provider.name': 'azure.ai.openai' })).toBe(1);
    expect(c.count(M.tokens)).toBe(asks ? 2 : 0);
  });

  it(`${STREAM_USAGE_ENV}=always: also for unknown hosts, invisible to the app`, async () => {
    process.env[STREAM_USAGE_ENV] = 'always';
    const { instrumented, plain } = await withAndWithout(t.openai, () => streamFrom());
    expect(instrumented.items).toEqual(plain.items);
    expect(instrumented.sent).toEqual({ include_usage: true });
    const c = await t.collect();
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
  });

  it(`${STREAM_USAGE_ENV}=never: not even for api.openai.com`, async () => {
    process.env[STREAM_USAGE_ENV] = 'never';
    const { sent } = await streamFrom('api.openai.com');
    expect(sent).toBeUndefined();
    expect((await t.collect()).count(M.tokens)).toBe(0);
  });

  it(`an unknown ${STREAM_USAGE_ENV} value means auto`, async () => {
    process.env[STREAM_USAGE_ENV] = 'sometimes';
    expect((await streamFrom()).sent).toBeUndefined();
    expect((await streamFrom('api.openai.com')).sent).toEqual({ include_usage: true });
  });

  it('the streamUsage option wins over the environment', async () => {
    process.env[STREAM_USAGE_ENV] = 'never';
    const always = new OpenAIInstrumentation({ streamUsage: 'always' });
    t.openai.disable();
    always.manuallyInstrument(loaded.module);
    try {
      expect((await streamFrom()).sent).toEqual({ include_usage: true });
    } finally {
      always.disable();
      t.openai.enable();
    }
  });
});
