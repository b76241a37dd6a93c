import { getLlmMetrics } from '@llm-otel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LlmOtelHandle, register } from '../src/index.js';
import { freePort } from './helpers.js';

const ERRORS = [undefined, undefined, 'rate_limit', new Error('boom')];

describe('the /metrics endpoint of register() under a flood of distinct model names', () => {
  let handle: LlmOtelHandle;

  beforeAll(async () => {
    const port = await freePort();
    handle = register({ serviceName: 'flood-test', prometheus: { host: '127.0.0.1', port }, otlp: false });
    await handle.ready;
  });

  afterAll(async () => handle.shutdown());

  it('stays below 1 MB with the default limits (100,000 model names, every call metric recorded)', async () => {
    const m = getLlmMetrics();
    for (let i = 0; i < 100_000; i++) {
      const model = `attacker-model-${i}-${'x'.repeat(24)}`;
      m.recordInference({
        provider: 'openai',
        operation: 'chat',
        model,
        responseModel: model,
        serverAddress: 'api.openai.com',
        serverPort: 443,
        durationSeconds: 1.2,
        inputTokens: 100,
        outputTokens: 50,
        timeToFirstTokenSeconds: 0.3,
        error: ERRORS[i % ERRORS.length],
      });
    }
    const body = await (await fetch(handle.prometheusUrl as string)).text();
    for (const name of [
      'llm_inference_latency_seconds_bucket',
      'llm_request_token_count_bucket',
      'llm_time_to_first_token_seconds_bucket',
      'llm_time_per_output_token_seconds_bucket',
      'llm_token_generation_rate_total',
      'llm_error_rate_total',
    ])
      expect(body, name).toContain(`${name}{`);
    expect(body).toContain('gen_ai_request_model="_OTHER"');
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
  });
});
