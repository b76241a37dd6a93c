import { getLlmMetrics } from '@llm-otel/core';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LlmOtelHandle, register } from '../src/index.js';
import { prefersOpenMetrics } from '../src/prometheus-reader.js';
import { freePort, parseExposition } from './helpers.js';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
// What Prometheus 3 sends with scrape_protocols [OpenMetricsText1.0.0, PrometheusText0.0.4].
const PROMETHEUS_OM_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1';
const PROMETHEUS_TEXT_ACCEPT =
  'text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,*/*;q=0.1';

const CALL = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  serverAddress: 'localhost',
  serverPort: 8080,
};

/** The series (name and labels) of an exposition, exemplars left aside. */
function seriesOf(text: string): string[] {
  return parseExposition(text.replace(/ # \{.*$/gm, ''))
    .samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`)
    .sort();
}

describe('prefersOpenMetrics', () => {
  it.each([
    [PROMETHEUS_OM_ACCEPT, true],
    // Prometheus 2.42's default.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      true,
    ],
    ['application/openmetrics-text', true],
    ['application/openmetrics-text; version=0.0.1', true],
    [PROMETHEUS_TEXT_ACCEPT, false],
    ['text/plain', false],
    ['*/*', false],
    ['application/openmetrics-text;q=0', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (accept, expected) => {
    expect(prefersOpenMetrics(accept)).toBe(expected);
  });
});

describe('the OpenMetrics exposition of the Prometheus endpoint', () => {
  let handle: LlmOtelHandle;
  let url: string;
  const spans = new InMemorySpanExporter();

  beforeAll(async () => {
    const port = await freePort();
    handle = register({ serviceName: 'openmetrics-test', prometheus: { host: '127.0.0.1', port }, otlp: false });
    await handle.ready;
    url = handle.prometheusUrl as string;
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    const m = getLlmMetrics();
    m.recordInference({ ...CALL, durationSeconds: 0.8, inputTokens: 100, outputTokens: 41 }, m.startCallSpan(CALL));
    m.recordInference({ ...CALL, durationSeconds: 0.04, error: 'rate_limit' });
    m.recordQualityScore(0.75, { model: 'gpt-4o-mini', task: 'summarization' });
  });

  afterAll(async () => {
    trace.disable();
    await handle.shutdown();
  });

  it('answers an OpenMetrics scrape with OpenMetrics text ending in # EOF', async () => {
    const response = await fetch(url, { headers: { accept: PROMETHEUS_OM_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(OPENMETRICS);
    const text = await response.text();
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE target info\n');
    expect(text).toMatch(/^target_info\{.*service_name="openmetrics-test".*\} 1$/m);
    expect(text).toContain(
      '# TYPE llm_inference_latency_seconds histogram\n# UNIT llm_inference_latency_seconds seconds\n',
    );
    // Counters: the family without _total, the sample with it.
    expect(text).toContain('# TYPE llm_token_generation_rate counter\n');
    expect(text).toMatch(/^llm_token_generation_rate_total\{.*\} 41$/m);
    expect(text).toContain('# TYPE llm_response_quality_score gauge\n');
    // No UNIT where the name does not end with it (OpenMetrics requires the suffix).
    expect(text).not.toMatch(/^# UNIT llm_token_generation_rate /m);
    expect(text).not.toMatch(/^# UNIT llm_request_token_count /m);
  });

  it("puts the sampled call's trace and span id on its latency bucket, and nowhere else", async () => {
    const text = await (await fetch(url, { headers: { accept: PROMETHEUS_OM_ACCEPT } })).text();
    const finished = spans.getFinishedSpans();
    expect(finished).toHaveLength(2);
    const [ok, failed] = finished.map((s) => s.spanContext());
    const withExemplar = text.split('\n').filter((line) => line.includes(' # {'));
    expect(withExemplar).toHaveLength(2);
    const okLine = withExemplar.find((line) => line.includes(`trace_id="${ok?.traceId}"`)) ?? '';
    expect(okLine).toMatch(
      new RegExp(
        `^llm_inference_latency_seconds_bucket\\{[^}]*le="1"\\} 1 # \\{trace_id="${ok?.traceId}",span_id="${ok?.spanId}"\\} 0\\.8 \\d+\\.\\d{3}$`,
      ),
    );
    expect(okLine).not.toContain('error_type');
    const failedLine = withExemplar.find((line) => line.includes(`span_id="${failed?.spanId}"`)) ?? '';
    expect(failedLine).toMatch(
      /^llm_inference_latency_seconds_bucket\{[^}]*error_type="rate_limit"[^}]*le="0.05"\} 1 # /,
    );
  });

  it('names every series as the classic format does, which stays text/plain without exemplars', async () => {
    const om = await (await fetch(url, { headers: { accept: PROMETHEUS_OM_ACCEPT } })).text();
    const classicResponse = await fetch(url, { headers: { accept: PROMETHEUS_TEXT_ACCEPT } });
    expect(classicResponse.headers.get('content-type')).toBe('text/plain');
    const classic = await classicResponse.text();
    expect(classic).not.toContain('trace_id');
    expect(classic).not.toContain('# EOF');
    expect(seriesOf(om)).toEqual(seriesOf(classic));
  });

  it('keeps the 404 for other paths', async () => {
    const other = new URL('/other', url);
    const response = await fetch(other, { headers: { accept: PROMETHEUS_OM_ACCEPT } });
    expect(response.status).toBe(404);
  });
});
