import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { describe, expect, it } from 'vitest';
import {
  AnthropicInstrumentation,
  BedrockInstrumentation,
  GoogleGenAIInstrumentation,
  llmInstrumentations,
  OllamaInstrumentation,
  OpenAIInstrumentation,
  VercelAIInstrumentation,
} from '../src/index.js';
import { M } from './utils/metrics.js';
import { setupInstrumentationTest } from './utils/setup.js';

// The first instrumentation patches at require time; the others join it.
const t = setupInstrumentationTest();
const { server, openai: first } = t;
const clients = t.openaiClients;
const { OpenAI } = clients[clients.length - 1] as (typeof clients)[number];

const messages = [{ role: 'user' as const, content: 'hi' }];
const client = () => new OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });
const ChatCompletions = (OpenAI as unknown as { Chat: { Completions: { prototype: { create: unknown } } } }).Chat
  .Completions;
const prototypeOf = () => ChatCompletions.prototype;
const call = () => client().chat.completions.create({ model: 'gpt-test', messages });
const calls = async () => (await t.collect()).count(M.latency);

describe('patching lifecycle', () => {
  const original = (() => {
    first.disable();
    const create = prototypeOf().create;
    first.enable();
    return create;
  })();

  it('patches, and disable() puts the original method back', async () => {
    expect(prototypeOf().create).not.toBe(original);
    first.disable();
    expect(prototypeOf().create).toBe(original);
    await call();
    expect(await calls()).toBe(0);
    first.enable();
    expect(prototypeOf().create).not.toBe(original);
    await call();
    expect(await calls()).toBe(1);
  });

  it('patches once when several instrumentations are registered, or one is registered twice', async () => {
    const second = new OpenAIInstrumentation();
    second.manuallyInstrument(clients[clients.length - 1]?.module);
    const unregister1 = registerInstrumentations({ instrumentations: [second] });
    const unregister2 = registerInstrumentations({ instrumentations: [second, first] });
    await call();
    expect(await calls()).toBe(1);
    unregister1();
    unregister2();
    // Both disabled now: the original is back.
    expect(prototypeOf().create).toBe(original);
    first.enable();
    await call();
    expect(await calls()).toBe(2);
    // The second one going away leaves the first measuring.
    second.enable();
    second.disable();
    await call();
    expect(await calls()).toBe(3);
  });

  it('composes with a wrapper installed over ours: disable() leaves theirs working and ours passing through', async () => {
    const proto = prototypeOf() as { create: (...args: unknown[]) => unknown };
    const ours = proto.create;
    let theirCalls = 0;
    proto.create = function (this: unknown, ...args: unknown[]) {
      theirCalls++;
      return ours.apply(this, args);
    };
    const theirs = proto.create;
    first.disable();
    expect(proto.create).toBe(theirs);
    await call();
    expect(theirCalls).toBe(1);
    expect(await calls()).toBe(0);
    first.enable();
    await call();
    expect(theirCalls).toBe(2);
    expect(await calls()).toBe(1);
    proto.create = ours;
  });

  it('llmInstrumentations() returns all of them, or fewer', () => {
    const all = llmInstrumentations({
      openai: { enabled: false },
      ollama: { enabled: false },
      anthropic: { enabled: false },
      bedrock: { enabled: false },
      googleGenAI: { enabled: false },
      vercelAi: { enabled: false },
    });
    expect(all.map((i) => i.constructor)).toEqual([
      OpenAIInstrumentation,
      OllamaInstrumentation,
      AnthropicInstrumentation,
      BedrockInstrumentation,
      GoogleGenAIInstrumentation,
      VercelAIInstrumentation,
    ]);
    expect(all.map((i) => i.instrumentationName)).toEqual([
      '@llm-otel/instrumentation-openai',
      '@llm-otel/instrumentation-ollama',
      '@llm-otel/instrumentation-anthropic',
      '@llm-otel/instrumentation-bedrock',
      '@llm-otel/instrumentation-google-genai',
      '@llm-otel/instrumentation-vercel-ai',
    ]);
    expect(
      llmInstrumentations({
        openai: false,
        ollama: { enabled: false },
        anthropic: false,
        bedrock: false,
        googleGenAI: false,
        vercelAi: false,
      }),
    ).toHaveLength(1);
  });

  it('reports its own exceptions and never throws into the app', async () => {
    const failing = new OpenAIInstrumentation({
      providerName: () => {
        throw new Error('bug in a hook');
      },
    });
    // Make the failing instrumentation the one whose configuration applies.
    first.disable();
    failing.manuallyInstrument(clients[clients.length - 1]?.module);
    const value = await call();
    expect(value.choices[0]?.message.content).toBe('Hello there');
    const c = await t.collect();
    expect(c.counter(M.internalErrors, { 'llm_otel.component': 'openai.chat.completions.create' })).toBe(1);
    failing.disable();
    first.enable();
  });
});
