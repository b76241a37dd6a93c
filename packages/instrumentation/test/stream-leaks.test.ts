import { expect, it } from 'vitest';
import { turnUntil } from './utils/harness.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

const t = setupInstrumentationTest();
const { server } = t;
const clients = t.openaiClients;
const { Ollama } = t.ollamaClients[0] as (typeof t.ollamaClients)[number];
const gc = (globalThis as { gc?: () => void }).gc;

it.skipIf(gc === undefined)('abandoned streams are recorded once each and then released', async () => {
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
  // The streams go once their sockets have closed: turn the event loop (with gc) until they have.
  await turnUntil(() => refs.every((ref) => ref.deref() === undefined));
  expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  const c = await t.collect();
  expect(c.count(M.latency)).toBe(20);
  expect(c.counter(M.errors, { 'error.type': 'aborted' })).toBe(20);
});
