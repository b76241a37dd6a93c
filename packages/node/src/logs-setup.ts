/**
 * The logs signal of register(): a LoggerProvider with a bounded BatchLogRecordProcessor per
 * exporter. Loaded with `import()` only when a logs exporter is configured, so a process without
 * one never loads the logs SDK.
 */

import type { Context } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import {
  BatchLogRecordProcessor,
  ConsoleLogRecordExporter,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordProcessor,
  type SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import { boundedBatch } from './bounded-batch.js';
import type { ResolvedSignal } from './config.js';
import type { QueueGuard } from './queue-guard.js';

type OtlpConfig = Exclude<ResolvedSignal['otlp'], false>;

/** Loads the OTLP log exporter of the protocol (only that one module). */
async function loadOtlpExporter(config: OtlpConfig): Promise<LogRecordExporter> {
  const options = { url: config.url, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-logs-otlp-grpc')).OTLPLogExporter(options);
    case 'http/json':
      return new (await import('@opentelemetry/exporter-logs-otlp-http')).OTLPLogExporter(options);
    default:
      return new (await import('@opentelemetry/exporter-logs-otlp-proto')).OTLPLogExporter(options);
  }
}

/** Hands a record to the batch processor only when the guard has room. */
class GuardedProcessor implements LogRecordProcessor {
  constructor(
    private readonly inner: LogRecordProcessor,
    readonly guard: QueueGuard,
  ) {}
  onEmit(record: SdkLogRecord, context?: Context): void {
    if (this.guard.tryAdmit()) this.inner.onEmit(record, context);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

function guardedBatch(exporter: LogRecordExporter, config: ResolvedSignal, onDrop: () => void): GuardedProcessor {
  const bounded = boundedBatch(exporter, config, onDrop);
  const batch = new BatchLogRecordProcessor({ exporter: bounded.exporter, ...bounded.options });
  return new GuardedProcessor(batch, bounded.guard);
}

/** What {@link setUpLogs} built. */
export interface LogsSetup {
  provider: LoggerProvider;
  /** One per exporter, for tests and diagnostics (records held, records dropped). */
  guards: QueueGuard[];
  /** True when the provider became the global one (no other was registered). */
  global: boolean;
  shutdown(): Promise<void>;
}

/** Builds the LoggerProvider of `config`; registers it as the global one only if none is set. */
export async function setUpLogs(config: ResolvedSignal, resource: Resource, onDrop: () => void): Promise<LogsSetup> {
  const processors: GuardedProcessor[] = [];
  if (config.otlp) processors.push(guardedBatch(await loadOtlpExporter(config.otlp), config, onDrop));
  if (config.console) processors.push(guardedBatch(new ConsoleLogRecordExporter(), config, onDrop));
  const provider = new LoggerProvider({ resource, processors });
  const global = logs.setGlobalLoggerProvider(provider) === provider;
  return {
    provider,
    guards: processors.map((p) => p.guard),
    global,
    shutdown: async () => {
      try {
        await provider.shutdown();
      } finally {
        if (global && logs.getLoggerProvider() === provider) logs.disable();
      }
    },
  };
}
