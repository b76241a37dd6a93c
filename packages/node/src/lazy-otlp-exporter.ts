import { diag } from '@opentelemetry/api';
import type { IOtlpExportDelegate, OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import type {
  AggregationTemporality,
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from './config.js';
import { withLatencyExemplars } from './otlp-exemplars.js';
import { temporalitySelector } from './temporality.js';

type OtlpConfig = Exclude<ResolvedConfig['otlp'], false>;
type ExportCallback = Parameters<PushMetricExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];
/** `ExportResultCode.FAILED` of `@opentelemetry/core`, not a dependency of ours. */
const FAILED = 1 as ExportResult['code'];

/** The gRPC service and method of OTLP metrics export (as the SDK's gRPC exporter names them). */
const GRPC_SERVICE = 'MetricsExportService';
const GRPC_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

/** What is used of `@opentelemetry/otlp-exporter-base/node-http` (the SDK's OTLP/HTTP transport). */
interface NodeHttpExport {
  convertLegacyHttpOptions(
    config: OTLPExporterNodeConfigBase,
    signalIdentifier: string,
    signalResourcePath: string,
    requiredHeaders: Record<string, string>,
  ): object;
  createOtlpHttpExportDelegate<Internal, Response>(
    options: object,
    serializer: ISerializer<Internal, Response>,
    metricsComponentType: string,
    exporterMetricsHelper: IExporterMetricsHelper<Internal>,
    meterProvider: undefined,
  ): IOtlpExportDelegate<Internal>;
}

/**
 * Loads `@opentelemetry/otlp-exporter-base/node-http`. The ESM build type-checks it against the
 * subpath's own types (NodeNext reads the package's `exports`); the CommonJS build resolves types
 * with node10, which does not read `exports`, hence the ignore. At run time both builds load the
 * subpath through `exports`.
 */
async function loadNodeHttp(): Promise<NodeHttpExport> {
  // @ts-ignore TS2307 in the CommonJS build only (see above); @ts-expect-error would fail the ESM build.
  const nodeHttp = await import('@opentelemetry/otlp-exporter-base/node-http');
  // Checked against the subpath's types in the ESM build (`any` in the CommonJS one).
  return nodeHttp;
}

/** The SDK's OTLP/HTTP export delegate for metrics (as its HTTP exporters make it), with `serializer`. */
async function httpDelegate<Response>(
  options: OTLPExporterNodeConfigBase,
  contentType: string,
  serializer: ISerializer<ResourceMetrics, Response>,
  helper: IExporterMetricsHelper<ResourceMetrics>,
): Promise<IOtlpExportDelegate<ResourceMetrics>> {
  const http = await loadNodeHttp();
  const settings = http.convertLegacyHttpOptions(options, 'METRICS', 'v1/metrics', { 'Content-Type': contentType });
  return http.createOtlpHttpExportDelegate(settings, serializer, 'otlp_http_metric_exporter', helper, undefined);
}

/**
 * Loads the OTLP exporter modules of the protocol (each weighs tens of ms of start-up and MiB) and
 * builds the SDK's metric exporter for it as the SDK's own classes do (same options, environment
 * variables, transport and retries), except for the serializer: the SDK's, with the latency
 * exemplars added (see {@link withLatencyExemplars}), which the SDK's serializers never write.
 */
async function loadExporter(config: OtlpConfig): Promise<PushMetricExporter> {
  const options = { url: config.url, timeoutMillis: config.timeoutMs };
  const [{ OTLPMetricExporterBase }, transformer] = await Promise.all([
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/otlp-transformer'),
  ]);
  const helper = transformer.MetricsExporterMetricsHelper;
  switch (config.protocol) {
    case 'grpc': {
      const grpc = await import('@opentelemetry/otlp-grpc-exporter-base');
      const serializer = withLatencyExemplars(transformer.ProtobufMetricsSerializer, 'protobuf');
      const settings = grpc.convertLegacyOtlpGrpcOptions(options, 'METRICS');
      const delegate = grpc.createOtlpGrpcExportDelegate(
        settings,
        serializer,
        'otlp_grpc_metric_exporter',
        helper,
        undefined,
        GRPC_SERVICE,
        GRPC_PATH,
      );
      return new OTLPMetricExporterBase(delegate, options);
    }
    case 'http/json':
      return new OTLPMetricExporterBase(
        await httpDelegate(
          options,
          'application/json',
          withLatencyExemplars(transformer.JsonMetricsSerializer, 'json'),
          helper,
        ),
        options,
      );
    default:
      return new OTLPMetricExporterBase(
        await httpDelegate(
          options,
          'application/x-protobuf',
          withLatencyExemplars(transformer.ProtobufMetricsSerializer, 'protobuf'),
          helper,
        ),
        options,
      );
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
