/**
 * The traces signal of register(): a BasicTracerProvider with a bounded BatchSpanProcessor per
 * exporter, and an AsyncLocalStorage context manager when the app has none (spans nest and log
 * records carry the active span only with one). Loaded with `import()` only when a traces exporter
 * is configured. Core's recording API makes the spans of LLM calls through it (the global provider).
 */

import { type Context, context, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { boundedBatch } from './bounded-batch.js';
import type { ResolvedSignal } from './config.js';
import type { QueueGuard } from './queue-guard.js';

type OtlpConfig = Exclude<ResolvedSignal['otlp'], false>;

async function loadOtlpExporter(config: OtlpConfig): Promise<SpanExporter> {
  const options = { url: config.url, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter(options);
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(options);
    default:
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(options);
  }
}

class GuardedProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    readonly guard: QueueGuard,
  ) {}
  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    // Unsampled spans never reach the exporter: only sampled ones take room.
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.guard.tryAdmit()) this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function guardedBatch(exporter: SpanExporter, config: ResolvedSignal, onDrop: () => void): GuardedProcessor {
  const bounded = boundedBatch(exporter, config, onDrop);
  return new GuardedProcessor(new BatchSpanProcessor(bounded.exporter, bounded.options), bounded.guard);
}

function hasGlobalTracerProvider(): boolean {
  const provider = trace.getTracerProvider();
  const delegate = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

function hasGlobalContextManager(): boolean {
  const slot = (globalThis as Record<symbol, { context?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return slot?.context !== undefined;
}

/** What {@link setUpTraces} built. */
export interface TracesSetup {
  provider: BasicTracerProvider;
  guards: QueueGuard[];
  /** True when the provider became the global one (no other was registered). */
  global: boolean;
  shutdown(): Promise<void>;
}

/**
 * Builds the TracerProvider of `config` (plus `extraProcessors`, e.g. the MLflow one); registers it
 * (and a context manager) only where none is set.
 */
export async function setUpTraces(
  config: ResolvedSignal,
  resource: Resource,
  onDrop: () => void,
  extraProcessors: SpanProcessor[] = [],
): Promise<TracesSetup> {
  const processors: GuardedProcessor[] = [];
  if (config.otlp) processors.push(guardedBatch(await loadOtlpExporter(config.otlp), config, onDrop));
  if (config.console) processors.push(guardedBatch(new ConsoleSpanExporter(), config, onDrop));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [...processors, ...extraProcessors] });
  let contextManager: AsyncLocalStorageContextManager | undefined;
  if (!hasGlobalContextManager()) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const global = !hasGlobalTracerProvider() && trace.setGlobalTracerProvider(provider);
  return {
    provider,
    guards: processors.map((p) => p.guard),
    global,
    shutdown: async () => {
      try {
        await provider.shutdown();
      } finally {
        if (global) trace.disable();
        if (contextManager !== undefined) {
          context.disable();
          contextManager.disable();
        }
      }
    },
  };
}
