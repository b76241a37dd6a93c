import { getLlmMetrics } from '@llm-otel/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getRegistration, register } from '../src/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

interface OtlpMetric {
  name: string;
  histogram?: { aggregationTemporality: number; dataPoints: Array<{ count: string | number }> };
  sum?: { aggregationTemporality: number; dataPoints: Array<{ asInt?: string | number; asDouble?: number }> };
}
interface OtlpBody {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: OtlpMetric[] }> }>;
}

/** OTLP's AggregationTemporality enum values. */
const DELTA = 1;
const CUMULATIVE = 2;

/** A minimal OTLP/HTTP JSON receiver keeping every request body. */
const startReceiver = () => startOtlpReceiver<OtlpBody>();

function byName(body: OtlpBody | undefined): Map<string, OtlpMetric> {
  const out = new Map<string, OtlpMetric>();
  for (const rm of body?.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  return out;
}

const call = { provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 1, outputTokens: 5 } as const;

describe('OTLP temporality through register()', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.server.close());
  afterEach(async () => {
    await getRegistration()?.shutdown();
    delete process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE;
    receiver.bodies.length = 0;
  });

  it('exports the llm_* call metrics as delta, like the rest, with OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta', async () => {
    process.env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE = 'delta';
    const handle = register({
      prometheus: false,
      instrumentations: [],
      otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000 },
    });
    getLlmMetrics().recordInference(call);
    await handle.forceFlush();
    getLlmMetrics().recordInference(call);
    getLlmMetrics().recordInference({ ...call, error: 'timeout' });
    await handle.forceFlush();
    const [first, second] = receiver.bodies.map(byName);
    expect(first?.get('llm_inference_latency_seconds')?.histogram?.aggregationTemporality).toBe(DELTA);
    expect(first?.get('llm_token_generation_rate_total')?.sum?.aggregationTemporality).toBe(DELTA);
    expect(Number(first?.get('llm_inference_latency_seconds')?.histogram?.dataPoints[0]?.count)).toBe(1);
    // The second export holds only what was recorded since the first.
    const latency = second?.get('llm_inference_latency_seconds')?.histogram;
    expect(latency?.aggregationTemporality).toBe(DELTA);
    expect(latency?.dataPoints.map((p) => Number(p.count)).sort()).toEqual([1, 1]);
    expect(second?.get('llm_error_rate_total')?.sum?.aggregationTemporality).toBe(DELTA);
    expect(second?.get('llm_token_generation_rate_total')?.sum?.aggregationTemporality).toBe(DELTA);
  });

  it('exports cumulative by default, the final flush of shutdown() included', async () => {
    const handle = register({
      prometheus: false,
      instrumentations: [],
      otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000 },
    });
    getLlmMetrics().recordInference(call);
    await handle.forceFlush();
    getLlmMetrics().recordInference(call);
    await handle.shutdown();
    const [first, last] = receiver.bodies.map(byName);
    expect(first?.get('llm_inference_latency_seconds')?.histogram?.aggregationTemporality).toBe(CUMULATIVE);
    expect(Number(last?.get('llm_inference_latency_seconds')?.histogram?.dataPoints[0]?.count)).toBe(2);
  });
});
