import { getLlmMetrics } from '@llm-otel/core';
import { metrics, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SumMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { DROPPED_EVENTS_METRIC, startSignals } from '../src/signals.js';
import { installProvider } from './collect-metrics.js';
import { freePort } from './helpers.js';

describe('the traces signal with a backend that is down', () => {
  afterEach(() => metrics.disable());

  it('registers its TracerProvider, keeps the span queue bounded and counts the spans it drops', async () => {
    const { reader } = installProvider();
    const port = await freePort(); // nothing listens there
    const config = resolveConfig(
      {
        prometheus: false,
        otlp: false,
        logs: false,
        traces: { endpoint: `http://127.0.0.1:${port}`, protocol: 'http/json', maxQueueSize: 20, timeoutMs: 200 },
      },
      {},
    );
    const signals = startSignals(config, resourceFromAttributes({}), getLlmMetrics());
    const setup = await signals.traces;
    expect(setup?.global).toBe(true);
    const guard = setup?.guards[0];
    const tracer = trace.getTracer('app');
    let maxHeld = 0;
    for (let i = 0; i < 500; i++) {
      tracer.startSpan(`work ${i}`).end();
      maxHeld = Math.max(maxHeld, guard?.size ?? 0);
    }
    expect(maxHeld).toBeLessThanOrEqual(20);
    expect(guard?.dropped).toBeGreaterThan(0);
    const { resourceMetrics } = await reader.collect();
    const dropped = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === DROPPED_EVENTS_METRIC) as SumMetricData | undefined;
    expect(dropped?.dataPoints[0]?.attributes).toEqual({ 'llm_otel.signal': 'traces' });
    expect(dropped?.dataPoints[0]?.value).toBe(guard?.dropped);
    await signals.shutdown();
    expect(trace.getTracer('after').startSpan('after shutdown').isRecording()).toBe(false);
  });
});
