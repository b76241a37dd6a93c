import { getLlmMetrics, getModelRegistry, INSTRUMENTS } from '@llm-otel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LlmOtelHandle, register } from '../src/index.js';
import { type Exposition, freePort, scrape, select } from './helpers.js';

const SPEC_SERIES: Array<[string, string]> = [
  ['llm_inference_latency_seconds', 'histogram'],
  ['llm_token_generation_rate_total', 'counter'],
  ['llm_request_token_count', 'histogram'],
  ['llm_error_rate_total', 'counter'],
  ['llm_response_quality_score', 'gauge'],
  ['llm_summarization_length', 'histogram'],
  ['llm_intent_parsing_accuracy_total', 'counter'],
  ['llm_model_version', 'gauge'],
  ['llm_model_deployed_at_seconds', 'gauge'],
  ['llm_time_to_first_token_seconds', 'histogram'],
  ['llm_time_per_output_token_seconds', 'histogram'],
];

const CALL = { provider: 'ollama', operation: 'chat', model: 'mistral', serverAddress: 'localhost', serverPort: 11434 };

describe('the /metrics endpoint of register()', () => {
  let handle: LlmOtelHandle;
  let page: Exposition;

  beforeAll(async () => {
    const port = await freePort();
    handle = register({ serviceName: 'endpoint-test', prometheus: { host: '127.0.0.1', port }, otlp: false });
    await handle.ready;
    const m = getLlmMetrics();
    m.recordInference({
      ...CALL,
      durationSeconds: 0.8,
      inputTokens: 100,
      outputTokens: 41,
      timeToFirstTokenSeconds: 0.2,
    });
    m.recordInference({ ...CALL, durationSeconds: 6.2, inputTokens: 300, outputTokens: 11 });
    m.recordInference({ ...CALL, durationSeconds: 0.05, error: 'rate_limit' });
    m.recordQualityScore(0.75, { model: 'mistral', task: 'summarization' });
    m.recordSummarizationLength(120, { model: 'mistral' });
    m.recordIntentParsing(true, { model: 'mistral' });
    m.recordIntentParsing(false, { model: 'mistral' });
    getModelRegistry().registerModel({
      modelName: 'mistral',
      version: 'v1.0.0',
      modelHash: 'abc123',
      metadata: { deploymentDate: '2024-01-01T00:00:00Z' },
    });
    page = await scrape(handle.prometheusUrl as string);
  });

  afterAll(async () => handle.shutdown());

  it.each(SPEC_SERIES)('exposes %s as a %s', (name, type) => {
    expect(page.types.get(name)).toBe(type);
    const sampleName = type === 'histogram' ? `${name}_count` : name;
    expect(select(page, sampleName).length).toBeGreaterThan(0);
  });

  it('uses the documented bucket boundaries', () => {
    for (const spec of [INSTRUMENTS.inferenceLatency, INSTRUMENTS.requestTokens, INSTRUMENTS.timeToFirstToken]) {
      const les = select(page, `${spec.name}_bucket`)
        .map((s) => s.labels.le)
        .filter((le, i, all) => all.indexOf(le) === i);
      expect(les).toEqual([...spec.buckets.map(String), '+Inf']);
    }
  });

  it('shows the recorded values', () => {
    const ok = { gen_ai_request_model: 'mistral', gen_ai_provider_name: 'ollama', gen_ai_operation_name: 'chat' };
    const latencyCount = select(page, 'llm_inference_latency_seconds_count', ok).filter(
      (s) => !('error_type' in s.labels),
    );
    expect(latencyCount.map((s) => s.value)).toEqual([2]);
    expect(
      select(page, 'llm_inference_latency_seconds_sum', ok).find((s) => !('error_type' in s.labels))?.value,
    ).toBeCloseTo(7, 9);
    // 0.8 s falls in le=1, 6.2 s in le=7 (and not le=6).
    const bucket = (le: string) =>
      select(page, 'llm_inference_latency_seconds_bucket', { ...ok, le }).find((s) => !('error_type' in s.labels))
        ?.value;
    expect([bucket('0.75'), bucket('1'), bucket('6'), bucket('7')]).toEqual([0, 1, 1, 2]);
    expect(select(page, 'llm_token_generation_rate_total', ok)[0]?.value).toBe(52);
    expect(select(page, 'llm_request_token_count_sum', { gen_ai_token_type: 'input' })[0]?.value).toBe(400);
    expect(select(page, 'llm_request_token_count_count', { gen_ai_token_type: 'output' })[0]?.value).toBe(2);
    expect(select(page, 'llm_error_rate_total', { error_type: 'rate_limit' })[0]?.value).toBe(1);
    expect(select(page, 'llm_time_to_first_token_seconds_sum')[0]?.value).toBeCloseTo(0.2, 9);
    expect(select(page, 'llm_time_per_output_token_seconds_sum')[0]?.value).toBeCloseTo(0.6 / 40, 9);
    expect(select(page, 'llm_response_quality_score', { llm_task: 'summarization' })[0]?.value).toBe(0.75);
    expect(select(page, 'llm_summarization_length_sum')[0]?.value).toBe(120);
    expect(select(page, 'llm_intent_parsing_accuracy_total', { llm_intent_result: 'correct' })[0]?.value).toBe(1);
    expect(select(page, 'llm_model_version', { llm_model_name: 'mistral' })[0]).toMatchObject({
      value: 1,
      labels: { llm_model_version: 'v1.0.0', llm_model_hash: 'abc123' },
    });
    expect(select(page, 'llm_model_deployed_at_seconds')[0]?.value).toBe(Date.parse('2024-01-01T00:00:00Z') / 1000);
  });

  it('labels with the underscore forms of the GenAI attributes and never with text', () => {
    const labels = new Set(select(page, 'llm_inference_latency_seconds_count').flatMap((s) => Object.keys(s.labels)));
    for (const l of [
      'gen_ai_provider_name',
      'gen_ai_operation_name',
      'gen_ai_request_model',
      'server_address',
      'server_port',
    ])
      expect(labels).toContain(l);
  });

  it('describes the service in target_info', () => {
    const info = select(page, 'target_info')[0];
    expect(info?.labels.service_name).toBe('endpoint-test');
    expect(info?.labels.service_instance_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
