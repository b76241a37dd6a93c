import { metrics as metricsApi, type Span, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { type InferenceRecord, LlmMetrics } from '../src/index.js';
import { FastAggregator, type HistogramCell, LATENCY_SECONDS_BUCKETS } from '../src/internal.js';

const CALL: InferenceRecord = {
  provider: 'openai',
  operation: 'chat',
  model: 'gpt-4o-mini',
  durationSeconds: 1.2,
  inputTokens: 10,
  outputTokens: 5,
};

let exporter: InMemorySpanExporter;

function installTracing(options: { sampled?: boolean } = {}): void {
  exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(options.sampled === false ? { sampler: new AlwaysOffSampler() } : {}),
  });
  trace.disable();
  trace.setGlobalTracerProvider(provider);
}

function setup(): { llm: LlmMetrics; aggregator: FastAggregator } {
  const llm = new LlmMetrics();
  const aggregator = new FastAggregator();
  llm.attachAggregator(aggregator);
  return { llm, aggregator };
}

function onlyCell(aggregator: FastAggregator): HistogramCell {
  const cells = [...aggregator.inferenceLatency.cells.values()];
  expect(cells).toHaveLength(1);
  return cells[0] as HistogramCell;
}

/** The bucket index a latency falls in (upper-inclusive boundaries). */
function bucketOf(seconds: number): number {
  const i = LATENCY_SECONDS_BUCKETS.findIndex((b) => seconds <= b);
  return i === -1 ? LATENCY_SECONDS_BUCKETS.length : i;
}

function idsOf(span: ReadableSpan): { traceId: string; spanId: string } {
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

describe('latency exemplars in the core aggregator', () => {
  afterEach(() => {
    trace.disable();
    metricsApi.disable();
  });

  it("keeps the sampled call's trace and span id on the bucket its latency fell in", () => {
    installTracing();
    const { llm, aggregator } = setup();
    const before = Date.now();
    const span = llm.startCallSpan(CALL);
    llm.recordInference(CALL, span);
    const [finished] = exporter.getFinishedSpans();
    if (finished === undefined) throw new Error('no span');
    const cell = onlyCell(aggregator);
    const exemplars = cell.exemplars ?? [];
    expect(exemplars).toHaveLength(LATENCY_SECONDS_BUCKETS.length + 1);
    const bucket = bucketOf(1.2);
    expect(exemplars[bucket]).toMatchObject({ value: 1.2, ...idsOf(finished) });
    expect(exemplars[bucket]?.timeMs).toBeGreaterThanOrEqual(before);
    expect(exemplars.filter((e) => e !== undefined)).toHaveLength(1);
    // Only the latency histogram carries exemplars.
    for (const cell of aggregator.requestTokens.cells.values()) expect(cell.exemplars).toBeUndefined();
  });

  it('keeps the latest exemplar per bucket and one per bucket', () => {
    installTracing();
    const { llm, aggregator } = setup();
    for (const durationSeconds of [1.1, 1.3, 0.02]) llm.recordInference({ ...CALL, durationSeconds });
    const finished = exporter.getFinishedSpans();
    expect(finished).toHaveLength(3);
    const exemplars = onlyCell(aggregator).exemplars ?? [];
    expect(exemplars[bucketOf(1.3)]).toMatchObject({ value: 1.3, ...idsOf(finished[1] as ReadableSpan) });
    expect(exemplars[bucketOf(0.02)]).toMatchObject({ value: 0.02, ...idsOf(finished[2] as ReadableSpan) });
    expect(exemplars.filter((e) => e !== undefined)).toHaveLength(2);
  });

  it('gives a failed call its exemplar on the error series', () => {
    installTracing();
    const { llm, aggregator } = setup();
    llm.recordInference({ ...CALL, error: 429 });
    const [finished] = exporter.getFinishedSpans();
    const cell = onlyCell(aggregator);
    expect(cell.attributes['error.type']).toBe('rate_limit');
    expect(cell.exemplars?.[bucketOf(1.2)]).toMatchObject(idsOf(finished as ReadableSpan));
  });

  it('keeps none for unsampled spans', () => {
    installTracing({ sampled: false });
    const { llm, aggregator } = setup();
    llm.recordInference(CALL, llm.startCallSpan(CALL));
    llm.recordInference(CALL);
    const cell = onlyCell(aggregator);
    expect(cell.count).toBe(2);
    expect(cell.exemplars).toBeUndefined();
  });

  it('keeps none without a TracerProvider', () => {
    trace.disable();
    const { llm, aggregator } = setup();
    llm.recordInference(CALL, llm.startCallSpan(CALL));
    const cell = onlyCell(aggregator);
    expect(cell.count).toBe(1);
    expect(cell.exemplars).toBeUndefined();
  });

  it("records the call and ends the span when a custom tracer's span context throws", () => {
    let ended = 0;
    const span = {
      spanContext: () => {
        throw new Error('broken tracer');
      },
      isRecording: () => false,
      end: () => {
        ended++;
      },
      setAttributes: () => span,
      setStatus: () => span,
    } as unknown as Span;
    const tracer = { startSpan: () => span } as unknown as Tracer;
    const provider: TracerProvider = { getTracer: () => tracer };
    trace.disable();
    trace.setGlobalTracerProvider(provider);
    const { llm, aggregator } = setup();
    llm.recordInference(CALL, llm.startCallSpan(CALL));
    const cell = onlyCell(aggregator);
    expect(cell.count).toBe(1);
    expect(cell.exemplars).toBeUndefined();
    expect(ended).toBe(1);
  });
});
