import { afterAll, beforeAll, expect, it } from 'vitest';
import { OllamaInstrumentation } from '../src/index.js';
import { OLLAMA_MODULES, requireClient } from './utils/clients.js';
import { FakeLlmServer } from './utils/fake-llm-server.js';
import { instrumentOpenAI } from './utils/harness.js';
import { M, TestMetrics } from './utils/metrics.js';
import { sleep } from './utils/scenario.js';

const { clients } = instrumentOpenAI();
new OllamaInstrumentation();
const { Ollama } = requireClient(OLLAMA_MODULES[0] ?? 'ollama') as typeof import('ollama');
const server = new FakeLlmServer();
const gc = (globalThis as { gc?: () => void }).gc;

beforeAll(() => server.start());
afterAll(() => server.close());

async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await sleep(20);
    gc?.();
  }
}

it.skipIf(gc === undefined)('abandoned streams are recorded once each and then released', async () => {
  const testMetrics = TestMetrics.install();
  const refs: WeakRef<object>[] = [];
  const { OpenAI } = clients[clients.length - 1] as (typeof clients)[number];
  // One client per stream, dropped with it: ollama's client itself keeps the streams it started
  // until they end (its abort() list), with or without instrumentation.
  const abandonOpenAIStream = async () => {
    const openai = new OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-test+drip-5',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    refs.push(new WeakRef(stream));
    for await (const _chunk of stream) break;
  };
  const abandonOllamaStream = async () => {
    const stream = await new Ollama({ host: server.origin }).chat({
      model: 'llama-test+drip-5',
      messages: [],
      stream: true,
    });
    refs.push(new WeakRef(stream));
    for await (const _chunk of stream) break;
  };
  for (let i = 0; i < 10; i++) {
    await abandonOpenAIStream();
    await abandonOllamaStream();
  }
  await collectGarbage();
  expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  const c = await testMetrics.collect();
  expect(c.count(M.latency)).toBe(20);
  expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(20);
});
