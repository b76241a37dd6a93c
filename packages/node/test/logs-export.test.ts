import { CALL_EVENT_NAME, getLlmMetrics } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SumMetricData } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { register } from '../src/index.js';
import { DROPPED_EVENTS_METRIC, startSignals } from '../src/signals.js';
import { installProvider } from './collect-metrics.js';
import { freePort } from './helpers.js';
import { startOtlpReceiver } from './otlp-receiver.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; arrayValue?: unknown };
}
interface OtlpLogRecord {
  eventName?: string;
  severityNumber?: number;
  severityText?: string;
  attributes: OtlpAttribute[];
}
interface LogsBody {
  resourceLogs: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeLogs: Array<{ scope: { name: string }; logRecords: OtlpLogRecord[] }>;
  }>;
}

/** A minimal OTLP/HTTP logs receiver (JSON encoding) that keeps every request body. */
const startReceiver = () => startOtlpReceiver<LogsBody>({ path: '/v1/logs', jsonOnly: true });

const attrs = (list: OtlpAttribute[]) =>
  Object.fromEntries(
    list.map((a) => [
      a.key,
      a.value.stringValue ??
        a.value.doubleValue ??
        (a.value.intValue !== undefined ? Number(a.value.intValue) : a.value),
    ]),
  );

const ENV_KEYS = [
  'OTEL_LOGS_EXPORTER',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
  'OTEL_BLRP_SCHEDULE_DELAY',
] as const;

describe('per-call log records exported over OTLP/HTTP by register()', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const records: OtlpLogRecord[] = [];
  let resource: Record<string, unknown> = {};
  let scopes: string[] = [];
  let becameGlobal = false;

  beforeAll(async () => {
    receiver = await startReceiver();
    process.env.OTEL_LOGS_EXPORTER = 'otlp';
    process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = `${receiver.url}/v1/logs`;
    process.env.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL = 'http/json';
    try {
      const handle = register({ serviceName: 'logs-test', prometheus: false, otlp: false });
      expect(handle.config.logs).toMatchObject({ otlp: { protocol: 'http/json' }, console: false });
      // Recorded before the logs SDK has loaded: it waits, then goes out with the others.
      const early = {
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o',
        durationSeconds: 0.5,
        responseId: 'early',
      };
      getLlmMetrics().recordInference(early);
      await handle.ready;
      becameGlobal = logs.getLoggerProvider().constructor.name === 'LoggerProvider';
      for (let i = 0; i < 4; i++)
        getLlmMetrics().recordInference({
          provider: 'openai',
          operation: 'chat',
          model: 'gpt-4o',
          durationSeconds: 0.5,
          inputTokens: 10,
          outputTokens: 5,
          responseId: `resp-${i}`,
          error: i === 3 ? 429 : undefined,
          inputMessages: [{ role: 'user', parts: [{ type: 'text', content: 'do not export me' }] }],
        });
      await handle.shutdown(); // flushes
    } finally {
      for (const key of ENV_KEYS) delete process.env[key];
    }
    for (const body of receiver.bodies)
      for (const rl of body.resourceLogs) {
        resource = attrs(rl.resource.attributes);
        for (const sl of rl.scopeLogs) {
          scopes.push(sl.scope.name);
          records.push(...sl.logRecords);
        }
      }
  });
  afterAll(() => receiver.server.close());

  it('delivers one record per call, those recorded before the SDK loaded included, with the event name and severity by outcome', () => {
    expect(records).toHaveLength(5);
    expect(records.every((r) => r.eventName === CALL_EVENT_NAME)).toBe(true);
    expect(records.map((r) => attrs(r.attributes)['gen_ai.response.id'])).toEqual([
      'early',
      'resp-0',
      'resp-1',
      'resp-2',
      'resp-3',
    ]);
    expect(records.map((r) => r.severityText)).toEqual(['INFO', 'INFO', 'INFO', 'INFO', 'WARN']);
    expect(scopes).toContain('@llm-otel/node');
  });

  it('delivers the attributes, and no content without the opt-in', () => {
    const first = attrs(records[1]?.attributes ?? []);
    expect(first).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.id': 'resp-0',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'llm.request.duration': 0.5,
    });
    expect(attrs(records[4]?.attributes ?? [])['error.type']).toBe('rate_limit');
    expect(JSON.stringify(receiver.bodies)).not.toContain('do not export me');
  });

  it('sends the service resource and registers the provider as the global one', () => {
    expect(resource['service.name']).toBe('logs-test');
    expect(becameGlobal).toBe(true);
  });
});

describe('a logs backend that is down', () => {
  afterEach(() => metrics.disable());

  it('never blocks or breaks the calls: the queue stays bounded and drops are counted', async () => {
    const { reader } = installProvider();
    const port = await freePort(); // nothing listens there
    const config = resolveConfig(
      {
        prometheus: false,
        otlp: false,
        logs: {
          exporter: 'otlp',
          endpoint: `http://127.0.0.1:${port}`,
          protocol: 'http/json',
          maxQueueSize: 50,
          timeoutMs: 200,
        },
        traces: false,
      },
      {},
    );
    const llm = getLlmMetrics();
    const signals = startSignals(config, resourceFromAttributes({}), llm);
    await signals.ready;
    const setup = await signals.logs;
    const guard = setup?.guards[0];
    expect(guard).toBeDefined();
    let maxHeld = 0;
    for (let i = 0; i < 2000; i++) {
      llm.recordInference({ provider: 'openai', operation: 'chat', model: 'gpt-4o', durationSeconds: 0.1 });
      maxHeld = Math.max(maxHeld, guard?.size ?? 0);
    }
    expect(maxHeld).toBeLessThanOrEqual(50);
    expect(guard?.dropped).toBeGreaterThanOrEqual(2000 - 50 - 512);
    const { resourceMetrics } = await reader.collect();
    const dropped = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === DROPPED_EVENTS_METRIC) as SumMetricData | undefined;
    expect(dropped?.dataPoints[0]?.attributes).toEqual({ 'llm_otel.signal': 'logs' });
    expect(dropped?.dataPoints[0]?.value).toBe(guard?.dropped);
    await signals.shutdown();
    expect(llm.getCallEventSink()).toBeUndefined();
  });
});
