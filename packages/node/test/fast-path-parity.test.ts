import { getLlmMetrics, type InferenceRecord } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  MeterProvider,
  type MetricData,
  MetricReader,
  type MetricReaderOptions,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { llmMetricProducer, llmViews, register } from '../src/index.js';
import { freePort } from './helpers.js';

const BASE = { provider: 'openai', operation: 'chat', serverAddress: 'api.example.test', serverPort: 443 };

/** Inputs covering errors, streams, absent attributes, values on bucket edges and invalid fields. */
const CALLS: InferenceRecord[] = [
  {
    ...BASE,
    model: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    durationSeconds: 0.8,
    inputTokens: 100,
    outputTokens: 41,
  },
  {
    ...BASE,
    model: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    durationSeconds: 5,
    inputTokens: 1024,
    outputTokens: 4,
  },
  { ...BASE, model: 'gpt-4o', durationSeconds: 6.2, inputTokens: 0, outputTokens: 0 },
  {
    ...BASE,
    model: 'gpt-4o',
    durationSeconds: 2.5,
    inputTokens: 12,
    outputTokens: 300,
    timeToFirstTokenSeconds: 0.3,
  },
  {
    ...BASE,
    model: 'gpt-4o',
    durationSeconds: 1,
    outputTokens: 10,
    timeToFirstTokenSeconds: 0.1,
    timePerOutputTokenSeconds: 0.02,
  },
  { ...BASE, model: 'gpt-4o-mini', durationSeconds: 0.05, error: 'rate_limit' },
  { ...BASE, model: 'gpt-4o-mini', durationSeconds: 0.07, error: 'rate_limit' },
  { ...BASE, model: 'gpt-4o-mini', durationSeconds: 400, error: new Error('boom') },
  { provider: 'ollama', operation: 'generate', durationSeconds: 0, inputTokens: 1, outputTokens: 2_000_000 },
  { provider: 'ollama', operation: 'embeddings', model: 'nomic', durationSeconds: 0.2, inputTokens: 8 },
  { ...BASE, model: 'gpt-4o', durationSeconds: 3, inputTokens: -1, timeToFirstTokenSeconds: 9 },
  { ...BASE, model: 'x'.repeat(300), durationSeconds: 0.4 },
  // Token detail and cost: cached and reasoning tokens (OpenAI counting), Anthropic counting, an
  // unpriced model, a detail that does not fit its total (dropped with the cost).
  {
    ...BASE,
    model: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    durationSeconds: 1.2,
    inputTokens: 1_000_000,
    cachedInputTokens: 200_000,
    outputTokens: 500_000,
    reasoningTokens: 120_000,
  },
  { ...BASE, model: 'gpt-4o-mini', durationSeconds: 0.3, inputTokens: 2048, cachedInputTokens: 1024, outputTokens: 7 },
  {
    provider: 'anthropic',
    operation: 'chat',
    model: 'claude-sonnet-4-5',
    durationSeconds: 3,
    inputTokens: 1000,
    inputTokensKind: 'uncached',
    cachedInputTokens: 2000,
    cacheCreationInputTokens: 500,
    outputTokens: 300,
  },
  { ...BASE, model: 'my-finetune', durationSeconds: 0.5, inputTokens: 10, outputTokens: 3 },
  { ...BASE, model: 'my-finetune', durationSeconds: 0.5, inputTokens: 10, outputTokens: 3, reasoningTokens: 4 },
];

function recordAll(calls: InferenceRecord[]): void {
  const m = getLlmMetrics();
  for (const call of calls) m.recordInference(call);
}

/** The /metrics text as a map from metric name to its block (HELP, UNIT, TYPE and sorted samples). */
function blocks(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of text.split(/\n(?=# HELP )/)) {
    const lines = block.trim().split('\n');
    const help = lines[0] ?? '';
    if (!help.startsWith('# HELP ')) continue;
    const name = help.split(' ')[2] as string;
    expect(out.has(name), `metric ${name} appears twice`).toBe(false);
    out.set(
      name,
      [...lines.filter((l) => l.startsWith('#')), ...lines.filter((l) => !l.startsWith('#')).sort()].join('\n'),
    );
  }
  return out;
}

/** (a) a plain SDK MeterProvider with llmViews(): the API path. */
async function viaSdk(calls: InferenceRecord[], cardinalityLimit?: number): Promise<Map<string, string>> {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ views: llmViews({ cardinalityLimit }), readers: [reader] });
  metrics.setGlobalMeterProvider(provider);
  expect(getLlmMetrics().getAggregator()).toBeUndefined();
  recordAll(calls);
  const { resourceMetrics } = await reader.collect();
  const text = new PrometheusSerializer().serialize(resourceMetrics);
  await provider.shutdown();
  metrics.disable();
  return blocks(text);
}

/** (b) register(): the fast path, scraped from its /metrics endpoint. */
async function viaRegister(calls: InferenceRecord[], cardinalityLimit?: number): Promise<Map<string, string>> {
  const port = await freePort();
  const handle = register({ prometheus: { host: '127.0.0.1', port }, otlp: false, cardinalityLimit });
  try {
    await handle.ready;
    expect(getLlmMetrics().getAggregator()).toBeDefined();
    recordAll(calls);
    const text = await (await fetch(handle.prometheusUrl as string)).text();
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    return blocks(text);
  } finally {
    await handle.shutdown();
    expect(getLlmMetrics().getAggregator()).toBeUndefined();
  }
}

function llmBlocks(page: Map<string, string>): Map<string, string> {
  return new Map([...page].filter(([name]) => name.startsWith('llm_') || name.startsWith('gen_ai_')));
}

describe('recordInference through register() (core aggregation + MetricProducer)', () => {
  afterEach(() => {
    getLlmMetrics({ genAiMetrics: false });
    metrics.disable();
  });

  it('gives the same /metrics text as the SDK path: names, HELP, UNIT, TYPE, buckets, values, labels', async () => {
    getLlmMetrics({ genAiMetrics: true });
    const sdk = llmBlocks(await viaSdk(CALLS));
    const fast = llmBlocks(await viaRegister(CALLS));
    for (const name of [
      'llm_inference_latency_seconds',
      'llm_request_token_count',
      'llm_error_rate_total',
      'llm_time_to_first_token_seconds',
      'llm_time_per_output_token_seconds',
      'llm_token_generation_rate_total',
      'gen_ai_client_operation_duration',
      'gen_ai_client_token_usage',
      'gen_ai_client_operation_time_to_first_chunk',
      'llm_token_usage_detail_total',
      'llm_cost_usd_total',
      'llm_cost_unpriced_calls_total',
    ]) {
      expect(sdk.get(name), name).toBeDefined();
    }
    expect([...fast.keys()].sort()).toEqual([...sdk.keys()].sort());
    for (const [name, block] of sdk) expect(fast.get(name), name).toBe(block);
  });

  it('folds attribute sets past the cardinality limit into one overflow set, as the SDK does', async () => {
    const calls: InferenceRecord[] = [];
    for (let i = 0; i < 12; i++) {
      calls.push({ ...BASE, model: `model-${i}`, durationSeconds: 0.1 * (i + 1), inputTokens: i, outputTokens: 3 });
      calls.push({ ...BASE, model: `model-${i}`, durationSeconds: 0.2, error: i % 2 ? 'timeout' : 'rate_limit' });
    }
    const sdk = llmBlocks(await viaSdk(calls, 5));
    const fast = llmBlocks(await viaRegister(calls, 5));
    const latency = fast.get('llm_inference_latency_seconds') as string;
    const counts = latency.split('\n').filter((l) => l.startsWith('llm_inference_latency_seconds_count'));
    expect(counts).toHaveLength(5);
    expect(counts.filter((l) => l.includes('otel_metric_overflow="true"'))).toHaveLength(1);
    const total = counts.reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(total).toBe(calls.length);
    for (const name of ['llm_inference_latency_seconds', 'llm_request_token_count', 'llm_error_rate_total'])
      expect(fast.get(name), name).toBe(sdk.get(name));
  });

  it('gives readers of an app-owned provider the same metric data (descriptors, min, max, buckets) as the SDK', async () => {
    getLlmMetrics({ genAiMetrics: true });
    const collect = async (producer?: ReturnType<typeof llmMetricProducer>) => {
      const reader = new PullReader({ metricProducers: producer ? [producer] : [] });
      const provider = new MeterProvider({ views: llmViews(), readers: [reader] });
      metrics.setGlobalMeterProvider(provider);
      recordAll(CALLS);
      const { resourceMetrics, errors } = await reader.collect();
      expect(errors).toEqual([]);
      producer?.detach();
      await provider.shutdown();
      metrics.disable();
      const out = new Map<string, unknown>();
      for (const scope of resourceMetrics.scopeMetrics) {
        expect(scope.scope.name).toBe('@llm-otel/core');
        for (const m of scope.metrics) out.set(m.descriptor.name, comparable(m));
      }
      return out;
    };
    const sdk = await collect();
    const producer = llmMetricProducer();
    expect(getLlmMetrics().getAggregator()).toBe(producer.aggregator);
    const fast = await collect(producer);
    expect(getLlmMetrics().getAggregator()).toBeUndefined();
    expect([...fast.keys()].sort()).toEqual([...sdk.keys()].sort());
    for (const [name, data] of sdk) expect(fast.get(name), name).toEqual(data);
  });
});

class PullReader extends MetricReader {
  constructor(options: Pick<MetricReaderOptions, 'metricProducers'>) {
    super({ ...options, aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A metric without timestamps, its points sorted by attributes. */
function comparable(m: MetricData): unknown {
  const { name, description, unit, valueType } = m.descriptor;
  return {
    descriptor: { name, description, unit, valueType },
    temporality: m.aggregationTemporality,
    type: m.dataPointType,
    monotonic: 'isMonotonic' in m ? m.isMonotonic : undefined,
    points: (m.dataPoints as Array<{ attributes: object; value: unknown }>)
      .map((p) => ({ attributes: p.attributes, value: p.value }))
      .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
  };
}
