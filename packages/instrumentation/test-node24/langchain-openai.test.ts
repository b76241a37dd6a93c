import { describe, expect, it } from 'vitest';
import { clientVersion, requireClient } from '../test/utils/clients.js';
import { withAndWithout } from '../test/utils/harness.js';
import { responseModelOf } from '../test/utils/llm-server.js';
import { M } from '../test/utils/metrics.js';
import { setupInstrumentationTest } from '../test/utils/setup.js';

/**
 * LangChain.js calls the provider clients underneath: `ChatOpenAI` (`@langchain/openai`, Node >= 22:
 * the Node 24 matrix) uses the `openai` client, so its calls are measured by the openai
 * instrumentation, once, with the simulator's exact tokens, and LangChain gets the same message.
 */
const t = setupInstrumentationTest();

interface Message {
  content: unknown;
  usage_metadata?: unknown;
}
interface ChatModel {
  invoke(input: string): Promise<Message>;
  stream(input: string): Promise<AsyncIterable<Message>>;
}
const { ChatOpenAI } = requireClient('@langchain/openai') as {
  ChatOpenAI: new (fields: Record<string, unknown>) => ChatModel;
};
// The `openai` copy that @langchain/openai loads must be the one the instrumentation patched.
const chat = (options: Record<string, unknown> = {}) =>
  new ChatOpenAI({
    model: 'gpt-test',
    apiKey: 'test-key',
    maxRetries: 0,
    configuration: { baseURL: t.server.openaiBaseURL },
    ...options,
  });

function resetLedger(): void {
  t.server.ledger.clear();
}

describe(`@langchain/openai ${clientVersion('@langchain/openai')} (openai ${clientVersion('openai')})`, () => {
  it('ChatOpenAI.invoke: one chat call through the openai client, the ledger tokens; the same message for LangChain', async () => {
    const { instrumented, plain } = await withAndWithout(t.openai, async () => {
      resetLedger();
      const message = await chat().invoke('hi');
      return { content: message.content, usage: message.usage_metadata };
    });
    expect(instrumented).toEqual(plain);
    expect(instrumented.content).toBe('Hello there');
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.histogram(M.latency)[0]?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': responseModelOf('gpt-test'),
      'server.address': '127.0.0.1',
      'server.port': t.server.port,
    });
    const ledger = t.server.totals();
    expect(ledger.requests).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger.promptTokens);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger.completionTokens);
    expect(c.counter(M.errors)).toBe(0);
    expect(c.counter(M.internalErrors)).toBe(0);
  });

  it('ChatOpenAI.stream: one streamed call, TTFT once, the ledger tokens', async () => {
    resetLedger();
    let text = '';
    for await (const chunk of await chat({ streamUsage: true }).stream('hi')) text += String(chunk.content);
    expect(text).toBe('Hello there');
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.count(M.ttft)).toBe(1);
    const ledger = t.server.totals();
    expect(ledger.requests).toBe(1);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(ledger.promptTokens);
    expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(ledger.completionTokens);
  });

  it('a failed call (429) is counted once with its error type; LangChain gets the error', async () => {
    await expect(chat({ model: 'gpt-test+fail-429' }).invoke('hi')).rejects.toThrow();
    const c = await t.collect();
    expect(c.count(M.latency)).toBe(1);
    expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
  });
});
