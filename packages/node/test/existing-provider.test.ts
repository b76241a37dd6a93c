import { getLlmMetrics, INSTRUMENTS } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { llmViews, register } from '../src/index.js';
import { freePort, scrape, select } from './helpers.js';

class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function latencyPoint(reader: PullReader) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'llm_inference_latency_seconds');
  return metric?.dataPoints[0] as { value: Histogram; attributes: Record<string, unknown> } | undefined;
}

describe('apps that already have a MeterProvider', () => {
  afterEach(() => metrics.disable());

  it('register() keeps the app provider, and llmViews() gives it the catalogue buckets and attribute allow-list', async () => {
    const reader = new PullReader();
    const own = new MeterProvider({ readers: [reader], views: llmViews() });
    metrics.setGlobalMeterProvider(own);
    const handle = register({ prometheus: { port: 0 } });
    expect(handle.meterProvider).toBeUndefined();
    expect(metrics.getMeterProvider()).toBe(own);
    getLlmMetrics().recordInference({ provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 3 });
    const point = await latencyPoint(reader);
    expect(point?.value.buckets.boundaries).toEqual([...INSTRUMENTS.inferenceLatency.buckets]);
    await handle.shutdown();
  });

  it('records into the provider of register() when getLlmMetrics() was used before it', async () => {
    const m = getLlmMetrics();
    m.recordInference({ provider: 'openai', operation: 'chat', model: 'early', durationSeconds: 1 }); // no SDK yet
    const port = await freePort();
    const handle = register({ prometheus: { host: '127.0.0.1', port }, otlp: false });
    await handle.ready;
    m.recordInference({ provider: 'openai', operation: 'chat', model: 'early', durationSeconds: 2 });
    const page = await scrape(handle.prometheusUrl as string);
    expect(select(page, 'llm_inference_latency_seconds_count', { gen_ai_request_model: 'early' })[0]?.value).toBe(1);
    expect(select(page, 'llm_inference_latency_seconds_sum', { gen_ai_request_model: 'early' })[0]?.value).toBe(2);
    await handle.shutdown();
    expect(metrics.getMeterProvider()).not.toBe(handle.meterProvider);
  });

  it('llmViews({ allowListAttributes: true }) drops attributes outside the catalogue', async () => {
    const reader = new PullReader();
    metrics.setGlobalMeterProvider(
      new MeterProvider({ readers: [reader], views: llmViews({ allowListAttributes: true }) }),
    );
    getLlmMetrics()
      .instruments()
      .inferenceLatency.record(1, { 'gen_ai.provider.name': 'openai', 'user.prompt': 'secret text' });
    const point = await latencyPoint(reader);
    expect(point?.attributes).toEqual({ 'gen_ai.provider.name': 'openai' });
  });
});
