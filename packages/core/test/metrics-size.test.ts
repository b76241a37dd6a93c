import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { getLlmMetrics } from '../src/index.js';

const ERRORS = [undefined, undefined, 'rate_limit', new Error('boom')];

describe('/metrics under a flood of distinct model names', () => {
  afterEach(() => metrics.disable());

  it('stays below 1 MB with the default limits (100,000 model names)', async () => {
    const reader = new PrometheusExporter({ preventServerStart: true });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
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
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const text = new PrometheusSerializer().serialize(resourceMetrics);
    // Every instrument recorded: the bound holds with all of them exported.
    for (const name of [
      'llm_inference_latency_seconds_bucket',
      'llm_request_token_count_bucket',
      'llm_time_to_first_token_seconds_bucket',
      'llm_time_per_output_token_seconds_bucket',
      'llm_token_generation_rate_total',
      'llm_error_rate_total',
    ])
      expect(text, name).toContain(`${name}{`);
    expect(text).toContain('gen_ai_request_model="_OTHER"');
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
  });
});
