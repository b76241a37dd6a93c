// Prompt variants through the real clients: the call meter takes the variant active when the call
// starts and the request's sampling parameters, and core hands them to the variant sink.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineVariant, getLlmMetrics, type Variant, type VariantCall, withVariant } from '@llm-otel/core';
import { context } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setupAnthropicTest } from './utils/anthropic.js';
import { TestContextManager } from './utils/async-context.js';
import { drain } from './utils/harness.js';
import { SCRIPT } from './utils/llm-server.js';
import { M } from './utils/metrics.js';

const { t, client: anthropicClient } = setupAnthropicTest();
const calls: VariantCall[] = [];
const messages = [{ role: 'user' as const, content: 'hi' }];
// Names unique to this file: variants are process-wide.
const concise = defineVariant({
  name: 'inst-concise',
  template: 'Be brief: {q}',
  templateVersion: 'v1',
  temperature: 0.2,
});
const creative = defineVariant({
  name: 'inst-creative',
  template: 'Be vivid: {q}',
  templateVersion: 'v1',
  temperature: 1.1,
});

beforeAll(() => {
  context.setGlobalContextManager(new TestContextManager());
  getLlmMetrics().setVariantSink({ call: (c) => calls.push({ ...c }), qualityScore: () => {} });
});
afterAll(() => {
  getLlmMetrics().setVariantSink(undefined);
  context.disable();
});
beforeEach(() => {
  calls.length = 0;
});

function of(variant: Variant) {
  return calls.filter((c) => c.variant === variant);
}

describe('openai', () => {
  const loaded = t.openaiClients[t.openaiClients.length - 1];
  if (loaded === undefined) throw new Error('no openai client');
  const openai = () => t.openaiClient(loaded);

  it('two variants run concurrently with interleaved async work keep their own variant and sampling parameters', async () => {
    const run = (variant: Variant, model: string, pause: number, maxTokens: number) =>
      withVariant(variant, async () => {
        const answers: string[] = [];
        for (let i = 0; i < 3; i++) {
          const completion = await openai().chat.completions.create({
            model,
            messages,
            temperature: variant.temperature,
            top_p: 0.9,
            max_tokens: maxTokens,
          });
          answers.push(completion.choices[0]?.message.content ?? '');
          await sleep(pause);
          const stream = await openai().chat.completions.create({
            model: `${model}+drip-2`,
            messages,
            temperature: variant.temperature,
            max_completion_tokens: maxTokens,
            stream: true,
          });
          await drain(stream);
        }
        // A failed call is the variant's too.
        await openai()
          .chat.completions.create(
            { model, messages, temperature: variant.temperature },
            { headers: { [SCRIPT]: 'fail-500' } },
          )
          .catch(() => undefined);
        return answers;
      });
    const [a, b] = await Promise.all([
      run(concise, 'gpt-test+slow-15', 3, 64),
      run(creative, 'gpt-test+slow-2', 11, 512),
    ]);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
    for (const [variant, maxTokens] of [
      [concise, 64],
      [creative, 512],
    ] as const) {
      const mine = of(variant);
      expect(mine).toHaveLength(7);
      expect(mine.filter((c) => c.failed)).toHaveLength(1);
      expect(mine.filter((c) => c.failed)[0]?.errorType).toBe('server_error');
      expect(mine.every((c) => c.temperature === variant.temperature)).toBe(true);
      expect(mine.filter((c) => !c.failed).every((c) => c.maxTokens === maxTokens)).toBe(true);
      expect(mine.filter((c) => c.topP === 0.9)).toHaveLength(3);
      expect(mine.filter((c) => !c.failed).every((c) => (c.outputTokens ?? 0) > 0)).toBe(true);
    }
    // The metrics carry no variant label.
    const c = await t.collect();
    for (const series of c.histogram(M.latency)) expect(Object.keys(series.attributes).join()).not.toMatch(/variant/);
  });

  it('the variant is the one of the call start: a stream created under a variant and read outside it keeps it', async () => {
    const stream = await withVariant(concise, () =>
      openai().chat.completions.create({ model: 'gpt-test+drip-2', messages, stream: true, temperature: 0.2 }),
    );
    // Read (and so ended and recorded) outside the variant's context.
    await drain(stream);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ variant: concise, temperature: 0.2, failed: false });
  });

  it('a call outside any variant goes to no variant; the Responses API output cap is read', async () => {
    await openai().chat.completions.create({ model: 'gpt-test', messages, temperature: 0.5 });
    await withVariant(concise, () =>
      openai().responses.create({ model: 'gpt-test', input: 'hi', max_output_tokens: 99 }),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ variant: concise, maxTokens: 99, temperature: undefined });
  });
});

describe('anthropic', () => {
  it('messages.create under a variant: temperature, top_p and max_tokens', async () => {
    await withVariant(creative, async () => {
      await sleep(1);
      // Sampling fields as the API takes them (the installed SDK's types may lag).
      const body = { model: 'claude-test', max_tokens: 300, temperature: 0.8, top_p: 0.5, messages };
      await anthropicClient().messages.create(body as never);
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ variant: creative, temperature: 0.8, topP: 0.5, maxTokens: 300, failed: false });
  });
});
