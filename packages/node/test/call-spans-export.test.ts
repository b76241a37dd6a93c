import { createRequire } from 'node:module';
import { getLlmMetrics } from '@llm-otel/core';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../src/index.js';
import { startOtlpReceiver } from './otlp-receiver.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; arrayValue?: { values: Array<{ stringValue?: string }> } };
}
interface OtlpSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: OtlpAttribute[];
  status?: { code?: number; message?: string };
}
interface TracesBody {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }>;
  }>;
}

/** A minimal OTLP/HTTP traces receiver (JSON encoding) that keeps every request body. */
const startReceiver = () => startOtlpReceiver<TracesBody>({ path: '/v1/traces', jsonOnly: true });

function attrs(list: OtlpAttribute[]): Record<string, unknown> {
  return Object.fromEntries(
    list.map((a) => [
      a.key,
      a.value.stringValue ??
        (a.value.intValue !== undefined
          ? Number(a.value.intValue)
          : a.value.arrayValue?.values.map((v) => v.stringValue)),
    ]),
  );
}

/** OTLP's SPAN_KIND_CLIENT and STATUS_CODE_ERROR. */
const KIND_CLIENT = 3;
const STATUS_ERROR = 2;

const ENV_KEYS = ['OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'];

describe('call spans exported over OTLP/HTTP by register() with OTEL_TRACES_EXPORTER=otlp', () => {
  const simulator = new ModelSimulator({}, { scripted: true });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const spans: OtlpSpan[] = [];
  let resource: Record<string, unknown> = {};
  let appSpan: { traceId: string; spanId: string } | undefined;

  beforeAll(async () => {
    receiver = await startReceiver();
    const base = await simulator.start();
    process.env.OTEL_TRACES_EXPORTER = 'otlp';
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.url}/v1/traces`;
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/json';
    try {
      const handle = register({ serviceName: 'spans-test', prometheus: false, otlp: false });
      await handle.ready;
      // Loaded after register(), as an app does: the instrumentation patches it on load.
      const { OpenAI } = createRequire(import.meta.url)('openai') as typeof import('openai');
      const client = new OpenAI({ apiKey: 'k', baseURL: `${base}/v1`, maxRetries: 0 });
      const messages = [{ role: 'user' as const, content: 'Say hello' }];
      await trace.getTracer('app').startActiveSpan('handle request', async (span) => {
        appSpan = span.spanContext();
        await client.chat.completions.create({ model: 'gpt-test', messages });
        span.end();
      });
      const stream = await client.chat.completions.create({ model: 'gpt-test', messages, stream: true });
      for await (const _chunk of stream) {
        // read to the end
      }
      await client.chat.completions.create({ model: 'fail-429', messages }).catch(() => undefined);
      // A call recorded by hand with the core API.
      getLlmMetrics().recordInference({ provider: 'acme', operation: 'chat', model: 'm1', durationSeconds: 0.25 });
      await handle.shutdown(); // flushes
    } finally {
      for (const key of ENV_KEYS) delete process.env[key];
    }
    for (const body of receiver.bodies)
      for (const rs of body.resourceSpans) {
        resource = attrs(rs.resource.attributes);
        for (const ss of rs.scopeSpans) if (ss.scope.name === '@llm-otel/core') spans.push(...ss.spans);
      }
  });
  afterAll(async () => {
    receiver.server.close();
    await simulator.stop();
  });

  it('delivers one CLIENT span per call: instrumented, streamed, failed and recorded by hand', () => {
    expect(spans.map((s) => s.name)).toEqual(['chat gpt-test', 'chat gpt-test', 'chat fail-429', 'chat m1']);
    expect(spans.every((s) => s.kind === KIND_CLIENT)).toBe(true);
    expect(resource['service.name']).toBe('spans-test');
  });

  it("makes the instrumented call's span a child of the app span active when it started", () => {
    expect(spans[0]?.traceId).toBe(appSpan?.traceId);
    expect(spans[0]?.parentSpanId).toBe(appSpan?.spanId);
  });

  it('carries the GenAI attributes, the response id and finish reasons, and the usage when the response has it', () => {
    for (const span of spans.slice(0, 2)) {
      expect(attrs(span.attributes)).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-test',
        'gen_ai.response.id': 'chatcmpl-1',
        'gen_ai.response.finish_reasons': ['stop'],
        'server.address': '127.0.0.1',
      });
    }
    // The stream did not ask for usage (register() asks only known OpenAI-compatible hosts).
    expect(attrs(spans[0]?.attributes ?? [])['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });

  it('marks the failed call with status ERROR and error.type, without error text', () => {
    const failed = spans[2];
    expect(failed?.status?.code).toBe(STATUS_ERROR);
    expect(failed?.status?.message ?? '').toBe('');
    expect(attrs(failed?.attributes ?? [])['error.type']).toBe('rate_limit');
  });
});
