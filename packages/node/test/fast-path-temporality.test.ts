import { getLlmMetrics, type InferenceRecord } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type AggregationTemporalitySelector,
  type HistogramMetricData,
  MeterProvider,
  type MetricData,
  MetricReader,
  type MetricReaderOptions,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { type LlmMetricProducer, llmMetricProducer, llmViews } from '../src/index.js';
import { temporalitySelector } from '../src/temporality.js';

const BASE = { provider: 'openai', operation: 'chat', serverAddress: 'api.example.test', serverPort: 443 } as const;

/** Three intervals: series that come and go, and min/max that differ per interval. */
const INTERVALS: InferenceRecord[][] = [
  [
    { ...BASE, model: 'a', durationSeconds: 0.8, inputTokens: 100, outputTokens: 41 },
    { ...BASE, model: 'a', durationSeconds: 9, inputTokens: 7, outputTokens: 3 },
    { ...BASE, model: 'b', durationSeconds: 0.05, error: 'rate_limit' },
  ],
  [
    { ...BASE, model: 'a', durationSeconds: 2, inputTokens: 50, outputTokens: 20, timeToFirstTokenSeconds: 0.3 },
    { ...BASE, model: 'c', durationSeconds: 0.4, error: 'timeout' },
  ],
  [],
  [
    { ...BASE, model: 'b', durationSeconds: 0.2, error: 'rate_limit' },
    { ...BASE, model: 'a', durationSeconds: 1, inputTokens: 1, outputTokens: 1 },
  ],
];

type Temporality = AggregationTemporality | AggregationTemporalitySelector;

class PullReader extends MetricReader {
  constructor(temporality: Temporality, options: Pick<MetricReaderOptions, 'metricProducers'> = {}) {
    super({
      ...options,
      aggregationTemporalitySelector: typeof temporality === 'function' ? temporality : () => temporality,
    });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The llm-otel call metrics of one collection, without timestamps, points sorted by attributes. */
function llmMetrics(rm: ResourceMetrics): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const scope of rm.scopeMetrics) {
    for (const m of scope.metrics) {
      expect(out[m.descriptor.name], `${m.descriptor.name} appears twice`).toBeUndefined();
      out[m.descriptor.name] = comparable(m);
    }
  }
  return out;
}

function comparable(m: MetricData): unknown {
  return {
    temporality: m.aggregationTemporality,
    points: (m.dataPoints as Array<{ attributes: object; value: unknown }>)
      .map((p) => ({ attributes: p.attributes, value: p.value }))
      .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
  };
}

/**
 * Runs the intervals against a provider with one reader per temporality, collecting every reader
 * after each interval; `producers` gives each reader its llm-otel producer (fast path) or none (SDK).
 */
async function run(
  temporalities: Temporality[],
  producers?: (t: Temporality) => LlmMetricProducer,
): Promise<Array<Array<Record<string, unknown>>>> {
  const readers = temporalities.map((t) => new PullReader(t, { metricProducers: producers ? [producers(t)] : [] }));
  const provider = new MeterProvider({ views: llmViews(), readers });
  metrics.setGlobalMeterProvider(provider);
  const collections: Array<Array<Record<string, unknown>>> = [];
  try {
    for (const calls of INTERVALS) {
      for (const call of calls) getLlmMetrics().recordInference(call);
      const round: Array<Record<string, unknown>> = [];
      for (const reader of readers) {
        const { resourceMetrics, errors } = await reader.collect();
        expect(errors).toEqual([]);
        round.push(llmMetrics(resourceMetrics));
      }
      collections.push(round);
    }
  } finally {
    await provider.shutdown();
    metrics.disable();
  }
  return collections;
}

describe('llmMetricProducer temporality (parity with the SDK path)', () => {
  let producer: LlmMetricProducer | undefined;
  afterEach(() => {
    producer?.detach();
    producer = undefined;
    metrics.disable();
  });

  it('reports deltas to a delta reader over repeated collections, as the SDK does', async () => {
    const sdk = await run([AggregationTemporality.DELTA]);
    producer = llmMetricProducer({ temporality: AggregationTemporality.DELTA });
    const root = producer;
    const fast = await run([AggregationTemporality.DELTA], () => root);
    // The empty interval reports only the token totals (at 0: the SDK path observes them), and the
    // last interval only what changed.
    expect(Object.keys(sdk[2]?.[0] ?? {})).toEqual(['llm_token_generation_rate_total']);
    expect(Object.keys(sdk[3]?.[0] ?? {})).toContain('llm_error_rate_total');
    expect(fast).toEqual(sdk);
  });

  it('gives a cumulative and a delta reader of one provider each its own temporality', async () => {
    const both = [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA];
    const sdk = await run(both);
    producer = llmMetricProducer();
    const root = producer;
    const fast = await run(both, (t) => root.forReader(t));
    expect(fast).toEqual(sdk);
  });

  it("follows a reader's per-instrument-type selector (OTLP lowmemory: counters delta, observed totals cumulative)", async () => {
    const lowmemory = [temporalitySelector('lowmemory')];
    const sdk = await run(lowmemory);
    producer = llmMetricProducer();
    const root = producer;
    const fast = await run(lowmemory, (t) => root.forReader(t));
    const tokens = sdk[0]?.[0]?.llm_token_generation_rate_total as { temporality: AggregationTemporality };
    expect(tokens.temporality).toBe(AggregationTemporality.CUMULATIVE);
    expect(fast).toEqual(sdk);
  });

  it('starts a delta point at the previous collection of its reader', async () => {
    producer = llmMetricProducer({ temporality: AggregationTemporality.DELTA });
    const record = () => getLlmMetrics().recordInference({ ...BASE, model: 'a', durationSeconds: 1 });
    const latency = async () => {
      const { resourceMetrics } = await (producer as LlmMetricProducer).collect();
      const m = resourceMetrics.scopeMetrics[0]?.metrics.find(
        (x) => x.descriptor.name === 'llm_inference_latency_seconds',
      ) as HistogramMetricData;
      return m.dataPoints[0];
    };
    record();
    const first = await latency();
    record();
    const second = await latency();
    expect(second?.startTime).toEqual(first?.endTime);
    expect(second?.value.count).toBe(1);
  });

  it('reports nothing after detach(), so the SDK instruments are the only source of the series', async () => {
    const record = (model: string) => getLlmMetrics().recordInference({ ...BASE, model, durationSeconds: 1 });
    producer = llmMetricProducer();
    const reader = new PullReader(AggregationTemporality.CUMULATIVE, { metricProducers: [producer] });
    const provider = new MeterProvider({ views: llmViews(), readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    record('before');
    producer.detach();
    record('after');
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    const latency = llmMetrics(resourceMetrics).llm_inference_latency_seconds as {
      points: Array<{ attributes: Record<string, unknown> }>;
    };
    expect(latency.points.map((p) => p.attributes['gen_ai.request.model'])).toEqual(['after']);
  });

  it("hands a failure of its own to the reader as a collection error: the SDK's metrics still export", async () => {
    producer = llmMetricProducer({
      temporality: () => {
        throw new Error('selector failed');
      },
    });
    const reader = new PullReader(AggregationTemporality.CUMULATIVE, { metricProducers: [producer] });
    const provider = new MeterProvider({ views: llmViews(), readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    getLlmMetrics().recordInference({ ...BASE, model: 'a', durationSeconds: -1 }); // counted as invalid by the SDK path
    getLlmMetrics().recordInference({ ...BASE, model: 'a', durationSeconds: 1 });
    const { resourceMetrics, errors } = await reader.collect();
    await provider.shutdown();
    expect(errors.map(String)).toEqual(['Error: selector failed']);
    const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names).toContain('llm_otel_invalid_input_total');
    expect(names).toContain('llm_otel_internal_errors_total');
    expect(names).not.toContain('llm_inference_latency_seconds');
  });
});
