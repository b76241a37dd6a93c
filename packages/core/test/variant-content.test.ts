// The variant sink's opt-in message content: only while content capture is on, only for the calls
// the sink asks for, redacted by the app's hook and capped like the call's event.
import { context, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineVariant, getLlmMetrics, type VariantCall, type VariantSink, withVariant } from '../src/index.js';
import { resetVariantsForTests } from '../src/internal.js';
import { TestContextManager } from './async-context.js';
import { installProvider } from './collect.js';

const calls: VariantCall[] = [];
let asked = 0;
let answer = true;

const keeping: VariantSink = {
  call: (c) => calls.push({ ...c }),
  qualityScore: () => {},
  wantsContent: () => {
    asked++;
    return answer;
  },
};

beforeEach(() => {
  resetVariantsForTests();
  installProvider();
  context.setGlobalContextManager(new TestContextManager());
  calls.length = 0;
  asked = 0;
  answer = true;
});

afterEach(() => {
  getLlmMetrics().setVariantSink(undefined);
  getLlmMetrics().configureCallEvents({ captureContent: undefined, redact: undefined, maxMessageLength: undefined });
  metrics.disable();
  context.disable();
});

function record(text: string) {
  const variant = defineVariant({ name: 'content-test' });
  getLlmMetrics().recordInference({
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o-mini',
    durationSeconds: 0.5,
    variant,
    inputMessages: [{ role: 'user', parts: [{ type: 'text', content: text }] }],
    outputMessages: [{ role: 'assistant', parts: [{ type: 'text', content: 'fine' }], finish_reason: 'stop' }],
  });
}

describe('VariantSink.wantsContent', () => {
  it('with capture off the sink is not asked and gets no messages; capturesCallContent() stays false', () => {
    getLlmMetrics().setVariantSink(keeping);
    expect(getLlmMetrics().capturesCallContent()).toBe(false);
    record('secret question');
    expect(asked).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.model).toBe('gpt-4o-mini');
    expect(calls[0]?.inputMessages).toBeUndefined();
    expect(calls[0]?.outputMessages).toBeUndefined();
  });

  it('with capture on the asked-for calls carry redacted, capped messages; the others none', () => {
    getLlmMetrics().configureCallEvents({
      captureContent: true,
      maxMessageLength: 40,
      redact: (t) => t.replaceAll('4111-1111', '[card]'),
    });
    getLlmMetrics().setVariantSink(keeping);
    // No log sink is registered: the sink alone makes the instrumentations gather messages, for calls under a variant.
    expect(getLlmMetrics().capturesCallContent()).toBe(false);
    withVariant(defineVariant({ name: 'content-test' }), () =>
      expect(getLlmMetrics().capturesCallContent()).toBe(true),
    );
    record(`pay with 4111-1111 ${'x'.repeat(100)}`);
    answer = false;
    record('not sampled');
    expect(asked).toBe(2);
    const [sampled, skipped] = calls;
    expect(sampled?.inputMessages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: `pay with [card] ${'x'.repeat(24)}` }] },
    ]);
    expect(sampled?.outputMessages).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'fine' }], finish_reason: 'stop' },
    ]);
    expect(sampled?.contentTruncated).toBe(true);
    expect(JSON.stringify(sampled)).not.toContain('4111');
    expect(skipped?.inputMessages).toBeUndefined();
    expect(skipped?.contentTruncated).toBe(false);
  });

  it('a redaction hook that throws leaves the call without any content (fail closed)', () => {
    getLlmMetrics().configureCallEvents({
      captureContent: true,
      redact: () => {
        throw new Error('hook bug');
      },
    });
    getLlmMetrics().setVariantSink(keeping);
    record('secret');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.inputMessages).toBeUndefined();
    expect(calls[0]?.outputMessages).toBeUndefined();
  });

  it('a sink without wantsContent never gets messages, capture on or not', () => {
    getLlmMetrics().configureCallEvents({ captureContent: true });
    getLlmMetrics().setVariantSink({ call: (c) => calls.push({ ...c }), qualityScore: () => {} });
    expect(getLlmMetrics().capturesCallContent()).toBe(false);
    record('secret');
    expect(calls[0]?.inputMessages).toBeUndefined();
  });
});
