// The MLflow span processor before and after its experiment is known: spans held in the bounded
// queue (overflow counted), handed over in order, waited for by a flush or shutdown, dropped and
// counted when the experiment never resolves. Real SDK parts: a BasicTracerProvider making the
// spans and a BatchSpanProcessor over the SDK's in-memory exporter as the destination.
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { MlflowSpanProcessor } from '../src/mlflow-traces.js';
import { QueueGuard } from '../src/queue-guard.js';

function setUp(capacity: number, waitMs = 5_000) {
  let dropped = 0;
  let resolvingStopped = false;
  const onDrop = (count: number) => {
    dropped += count;
  };
  const guard = new QueueGuard(capacity, () => onDrop(1));
  const processor = new MlflowSpanProcessor(
    guard,
    onDrop,
    () => {
      resolvingStopped = true;
    },
    waitMs,
  );
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  const exporter = new InMemorySpanExporter();
  // The in-memory exporter forgets its spans at shutdown: the names are kept here.
  const sent: string[] = [];
  return {
    sent,
    processor,
    guard,
    provider,
    span: (name: string) => tracer.startSpan(name).end(),
    /** The destination's batch processor, releasing the guard as the real one does. */
    destination: (): SpanProcessor =>
      new BatchSpanProcessor(
        {
          export: (spans, done) => {
            guard.release(spans.length);
            sent.push(...spans.map((span) => span.name));
            exporter.export(spans, done);
          },
          shutdown: () => exporter.shutdown(),
        },
        { scheduledDelayMillis: 10 },
      ),
    dropped: () => dropped,
    resolvingStopped: () => resolvingStopped,
  };
}

describe('MLflow span processor', () => {
  it('holds spans up to the queue bound until the experiment is known, then sends them in order', async () => {
    const t = setUp(3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) t.span(name);
    expect(t.guard.size).toBe(3);
    expect(t.dropped()).toBe(2);
    t.processor.attach(t.destination());
    await t.processor.forceFlush();
    expect(t.sent).toEqual(['a', 'b', 'c']);
    // The held spans count in the bound until their batch leaves; now there is room again.
    t.span('f');
    await t.processor.forceFlush();
    expect(t.sent).toEqual(['a', 'b', 'c', 'f']);
    expect(t.guard.size).toBe(0);
    expect(t.dropped()).toBe(2);
    await t.provider.shutdown();
  });

  it('a shutdown while the experiment is being resolved waits for it, and the held spans are sent', async () => {
    const t = setUp(10);
    t.span('early');
    const shutdown = t.provider.shutdown();
    setTimeout(() => t.processor.attach(t.destination()), 50);
    await shutdown;
    expect(t.sent).toEqual(['early']);
    expect(t.dropped()).toBe(0);
  });

  it('a shutdown gives up after its wait: held spans dropped and counted, resolution stopped', async () => {
    const t = setUp(10, 50);
    t.span('a');
    t.span('b');
    await t.provider.shutdown();
    expect(t.dropped()).toBe(2);
    expect(t.guard.size).toBe(0);
    expect(t.resolvingStopped()).toBe(true);
  });

  it('an experiment that can not be resolved: held and later spans dropped and counted, nothing sent', async () => {
    const t = setUp(10);
    t.span('a');
    t.processor.close();
    t.span('b');
    t.span('c');
    expect(t.dropped()).toBe(3);
    expect(t.guard.size).toBe(0);
    await t.provider.shutdown();
    expect(t.sent).toEqual([]);
  });
});
