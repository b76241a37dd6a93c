import { diag } from '@opentelemetry/api';
import type {
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from './config.js';
import { temporalitySelector } from './temporality.js';

type OtlpConfig = Exclude<ResolvedConfig['otlp'], false>;
type ExportCallback = Parameters<PushMetricExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];
/** `ExportResultCode.FAILED` of `@opentelemetry/core`, not a dependency of ours. */
const FAILED = 1 as ExportResult['code'];

/** Loads the OTLP exporter module of the protocol (each weighs tens of ms of start-up and MiB). */
async function loadExporter(config: OtlpConfig): Promise<PushMetricExporter> {
  const options = { url: config.url, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-metrics-otlp-grpc')).OTLPMetricExporter(options);
    case 'http/json':
      return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter(options);
    default:
      return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter(options);
  }
}

/**
 * An OTLP push exporter that loads the real one in the background, so that register() stays
 * synchronous and a process that does not push OTLP never loads the OTLP modules. Exports wait
 * for the load; the temporality is known without it.
 */
export class LazyOtlpExporter implements PushMetricExporter {
  private readonly delegate: Promise<PushMetricExporter | undefined>;
  private readonly select: (type: InstrumentType) => AggregationTemporality;

  constructor(config: OtlpConfig) {
    this.select = temporalitySelector(config.temporalityPreference);
    this.delegate = loadExporter(config).catch((error: unknown) => {
      diag.error(`@llm-otel/node: the OTLP ${config.protocol} exporter could not be loaded`, error);
      return undefined;
    });
  }

  export(metrics: ResourceMetrics, resultCallback: ExportCallback): void {
    void this.delegate.then((exporter) => {
      if (exporter === undefined) {
        resultCallback({ code: FAILED, error: new Error('OTLP exporter not loaded') });
        return;
      }
      try {
        exporter.export(metrics, resultCallback);
      } catch (error) {
        resultCallback({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
  }

  async forceFlush(): Promise<void> {
    await (await this.delegate)?.forceFlush();
  }

  async shutdown(): Promise<void> {
    await (await this.delegate)?.shutdown();
  }

  selectAggregationTemporality(type: InstrumentType): AggregationTemporality {
    return this.select(type);
  }
}
