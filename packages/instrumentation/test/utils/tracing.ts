import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as traceSdk from '@opentelemetry/sdk-trace-base';

/**
 * Keeps the finished spans in memory as they end, synchronously. The SDK's own pair
 * (SimpleSpanProcessor + InMemorySpanExporter) exports asynchronously in SDK 3.x, which the Node 24
 * matrix runs, and takes its exporter differently; a processor behaves the same in 2.x and 3.x.
 */
export class FinishedSpans implements SpanProcessor {
  private spans: ReadableSpan[] = [];

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }

  getFinishedSpans(): ReadableSpan[] {
    return this.spans;
  }

  reset(): void {
    this.spans = [];
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** SDK 2.x names it BasicTracerProvider (sdk-trace-base), SDK 3.x TracerProvider (sdk-trace). */
const TracerProviderClass = (traceSdk.BasicTracerProvider ??
  (traceSdk as unknown as { TracerProvider: typeof traceSdk.BasicTracerProvider })
    .TracerProvider) as typeof traceSdk.BasicTracerProvider;

export type TestTracerProvider = traceSdk.BasicTracerProvider;

/** A TracerProvider of whichever SDK the test runs with, sending every span to `processor`. */
export function testTracerProvider(processor: SpanProcessor): TestTracerProvider {
  return new TracerProviderClass({ spanProcessors: [processor] });
}
