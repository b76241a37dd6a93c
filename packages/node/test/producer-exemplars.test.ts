import { getLlmMetrics } from '@llm-otel/core';
import { trace } from '@opentelemetry/api';
import { AggregationTemporality, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistogramPointWithExemplars } from '../src/exemplars.js';
import { type LlmMetricProducer, llmMetricProducer } from '../src/index.js';

const CALL = { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 0.3, outputTokens: 4 };

async function histogramPoints(producer: LlmMetricProducer, name: string): Promise<HistogramPointWithExemplars[]> {
  const { resourceMetrics } = await producer.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return ((metric as HistogramMetricData | undefined)?.dataPoints ?? []) as HistogramPointWithExemplars[];
}

describe('exemplars on the latency data points of llmMetricProducer', () => {
  let producer: LlmMetricProducer | undefined;
  const spans = new InMemorySpanExporter();

  afterEach(() => {
    producer?.detach();
    trace.disable();
    spans.reset();
  });

  it.each([
    ['cumulative', AggregationTemporality.CUMULATIVE],
    ['delta', AggregationTemporality.DELTA],
  ])('%s: a snapshot of the latest sampled call per bucket, on latency only', async (_, temporality) => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    producer = llmMetricProducer({ temporality });
    getLlmMetrics().recordInference(CALL);
    const [span] = spans.getFinishedSpans();
    const [point] = await histogramPoints(producer, 'llm_inference_latency_seconds');
    const bucket = point?.value.buckets.counts.findIndex((n) => n > 0) ?? -1;
    expect(point?.exemplars?.[bucket]).toMatchObject({
      value: 0.3,
      traceId: span?.spanContext().traceId,
      spanId: span?.spanContext().spanId,
    });
    expect(point?.exemplars?.filter((e) => e !== undefined)).toHaveLength(1);
    const exported = point?.exemplars?.[bucket];
    // A later call replaces the kept exemplar in core; the exported snapshot stays as it was.
    getLlmMetrics().recordInference(CALL);
    expect(exported?.spanId).toBe(span?.spanContext().spanId);
    const [tokens] = await histogramPoints(producer, 'llm_request_token_count');
    expect(tokens).toBeDefined();
    expect(tokens?.exemplars).toBeUndefined();
  });

  it('no exemplars without a TracerProvider', async () => {
    producer = llmMetricProducer();
    getLlmMetrics().recordInference(CALL);
    const [point] = await histogramPoints(producer, 'llm_inference_latency_seconds');
    expect(point?.value.count).toBe(1);
    expect(point?.exemplars).toBeUndefined();
  });
});
