import { type EvaluatedCall, getEvaluators } from '@llm-otel/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_STREAM_TEXT_CHARS } from '../src/shared/stream-text.js';
import { drain } from './utils/harness.js';
import { TEXT_PIECES } from './utils/llm-server.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server } = t;
const clients = t.openaiClients;
const { Ollama } = t.ollamaClients[0] as (typeof t.ollamaClients)[number];
const seen: EvaluatedCall[] = [];
let detach: () => void = () => {};

beforeEach(() => {
  seen.length = 0;
  detach = getEvaluators().add({
    name: 'length_judge',
    sampleRate: 1,
    evaluate: (call) => {
      seen.push(call);
      return 0.75;
    },
  });
});
afterEach(() => detach());

const openai = clients.find((c) => c.major === 6) ?? (clients[0] as (typeof clients)[number]);
const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe('evaluators attached to instrumented calls', () => {
  it('get the request and the response of a successful openai call, after it returned, and score it', async () => {
    const client = new openai.OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const request = { model: 'gpt-test', messages };
    const response = await client.chat.completions.create(request);
    expect(seen).toHaveLength(0); // nothing ran on the app's path
    await getEvaluators().whenIdle();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ provider: 'openai_compatible', operation: 'chat', model: 'gpt-test' });
    expect(seen[0]?.request).toBe(request);
    expect(seen[0]?.response).toBe(response);
    const c = await t.collect();
    expect(c.counter(M.quality, { 'llm.task': 'length_judge', 'gen_ai.request.model': 'gpt-test' })).toBe(0.75);
    expect(c.counter(M.evaluations, { 'llm.evaluator': 'length_judge', 'llm_otel.outcome': 'scored' })).toBe(1);
  });

  it('get ollama calls too, and never failed ones', async () => {
    const client = new Ollama({ host: server.origin });
    await client.chat({ model: 'llama-test', messages });
    await expect(client.chat({ model: 'llama-test+fail-500', messages })).rejects.toThrow();
    await getEvaluators().whenIdle();
    expect(seen.map((s) => s.model)).toEqual(['llama-test']);
    expect((seen[0]?.response as { message: { content: string } }).message.content.length).toBeGreaterThan(0);
  });

  it('get the assembled text of a streamed chat as the response', async () => {
    const client = new openai.OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
    await drain(stream);
    await getEvaluators().whenIdle();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.response).toBe(TEXT_PIECES.join(''));
  });

  it('get the assembled text of streamed legacy completions and responses', async () => {
    const client = new openai.OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
    await drain(await client.completions.create({ model: 'gpt-test', prompt: 'Say hello', stream: true }));
    await drain(await client.responses.create({ model: 'gpt-test', input: 'Say hello', stream: true }));
    await getEvaluators().whenIdle();
    expect(seen.map((call) => call.response)).toEqual([TEXT_PIECES.join(''), TEXT_PIECES.join('')]);
  });

  it('get the assembled text of ollama streams', async () => {
    const client = new Ollama({ host: server.origin });
    await drain(await client.chat({ model: 'llama-test', messages, stream: true }));
    await drain(await client.generate({ model: 'llama-test', prompt: 'Say hello', stream: true }));
    await getEvaluators().whenIdle();
    expect(seen.map((call) => call.response)).toEqual([TEXT_PIECES.join(''), TEXT_PIECES.join('')]);
  });

  it(`get at most ${MAX_STREAM_TEXT_CHARS} characters of a long stream`, async () => {
    const client = new openai.OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const model = `gpt-test+big-${MAX_STREAM_TEXT_CHARS + 10}`;
    await drain(await client.chat.completions.create({ model, messages, stream: true }));
    await getEvaluators().whenIdle();
    expect(seen[0]?.response).toBe('a'.repeat(MAX_STREAM_TEXT_CHARS));
  });
});
