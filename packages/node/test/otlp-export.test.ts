import { getLlmMetrics, INSTRUMENTS } from '@llm-otel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../src/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpMetric {
  name: string;
  unit: string;
  description: string;
  histogram?: {
    dataPoints: Array<{ attributes: OtlpAttribute[]; explicitBounds: number[]; count: string | number; sum: number }>;
  };
  sum?: {
    isMonotonic: boolean;
    dataPoints: Array<{ attributes: OtlpAttribute[]; asInt?: string | number; asDouble?: number }>;
  };
}

/** A minimal OTLP/HTTP receiver (JSON encoding) that keeps every request body. */
const startReceiver = () => startOtlpReceiver({ path: '/v1/metrics', jsonOnly: true });

const attrs = (list: OtlpAttribute[]) =>
  Object.fromEntries(list.map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)]));

describe('OTLP push through register()', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const metricsByName = new Map<string, OtlpMetric>();
  let resourceAttrs: Record<string, unknown> = {};

  beforeAll(async () => {
    receiver = await startReceiver();
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment.name=test';
    const handle = register({
      serviceName: 'otlp-test',
      serviceVersion: '1.2.3',
      prometheus: false,
      otlp: { endpoint: receiver.url, protocol: 'http/json', intervalMs: 60_000 },
    });
    getLlmMetrics().recordInference({
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o',
      durationSeconds: 1.25,
      inputTokens: 30,
      outputTokens: 12,
      timeToFirstTokenSeconds: 0.25,
    });
    await handle.shutdown(); // flushes
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
    for (const body of receiver.bodies as Array<{
      resourceMetrics: Array<{
        resource: { attributes: OtlpAttribute[] };
        scopeMetrics: Array<{ metrics: OtlpMetric[] }>;
      }>;
    }>) {
      for (const rm of body.resourceMetrics) {
        resourceAttrs = attrs(rm.resource.attributes);
        for (const sm of rm.scopeMetrics) for (const m of sm.metrics) metricsByName.set(m.name, m);
      }
    }
  });

  afterAll(() => receiver.server.close());

  it('delivers the latency histogram with its unit, buckets and attributes', () => {
    const m = metricsByName.get('llm_inference_latency_seconds');
    expect(m?.unit).toBe('s');
    const point = m?.histogram?.dataPoints[0];
    expect(point?.explicitBounds).toEqual([...INSTRUMENTS.inferenceLatency.buckets]);
    expect(Number(point?.count)).toBe(1);
    expect(point?.sum).toBe(1.25);
    expect(attrs(point?.attributes ?? [])).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
    });
  });

  it('delivers the token counter as a monotonic sum in {token}', () => {
    const m = metricsByName.get('llm_token_generation_rate_total');
    expect(m?.unit).toBe('{token}');
    expect(m?.sum?.isMonotonic).toBe(true);
    expect(Number(m?.sum?.dataPoints[0]?.asInt ?? m?.sum?.dataPoints[0]?.asDouble)).toBe(12);
  });

  it('delivers token counts and TTFT with their buckets', () => {
    const tokens = metricsByName.get('llm_request_token_count');
    expect(tokens?.unit).toBe('{token}');
    expect(tokens?.histogram?.dataPoints.map((p) => attrs(p.attributes)['gen_ai.token.type']).sort()).toEqual([
      'input',
      'output',
    ]);
    expect(tokens?.histogram?.dataPoints[0]?.explicitBounds).toEqual([...INSTRUMENTS.requestTokens.buckets]);
    const ttft = metricsByName.get('llm_time_to_first_token_seconds');
    expect(ttft?.histogram?.dataPoints[0]?.explicitBounds).toEqual([...INSTRUMENTS.timeToFirstToken.buckets]);
  });

  it('sends the resource: service name, version, instance id and OTEL_RESOURCE_ATTRIBUTES', () => {
    expect(resourceAttrs['service.name']).toBe('otlp-test');
    expect(resourceAttrs['service.version']).toBe('1.2.3');
    expect(resourceAttrs['service.instance.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(resourceAttrs['deployment.environment.name']).toBe('test');
  });
});
