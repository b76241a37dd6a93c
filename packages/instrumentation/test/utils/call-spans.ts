import { context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach } from 'vitest';
import { installStackContext } from './stack-context.js';
import { FinishedSpans, type TestTracerProvider, testTracerProvider } from './tracing.js';

/** The spans of the running test (see {@link traceEachTest}). */
export interface SpanTest {
  /** The global TracerProvider of the running test. */
  readonly provider: TestTracerProvider;
  /** Every span finished in the running test. */
  finished(): ReadableSpan[];
  /** The call spans (core's scope) finished in the running test. */
  callSpans(): ReadableSpan[];
}

/**
 * Gives each test of the file a stack context manager and a fresh global TracerProvider that keeps
 * the finished spans (shut down, and the globals removed, after the test). Call at the file's top.
 */
export function traceEachTest(): SpanTest {
  let exporter = new FinishedSpans();
  let provider: TestTracerProvider | undefined;
  beforeEach(() => {
    installStackContext();
    exporter = new FinishedSpans();
    provider = testTracerProvider(exporter);
    trace.disable();
    trace.setGlobalTracerProvider(provider);
  });
  afterEach(async () => {
    trace.disable();
    context.disable();
    await provider?.shutdown();
  });
  return {
    get provider(): TestTracerProvider {
      if (provider === undefined) throw new Error('traceEachTest: no test is running');
      return provider;
    },
    finished: () => exporter.getFinishedSpans(),
    callSpans: () => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@llm-otel/core'),
  };
}
