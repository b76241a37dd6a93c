import { diag } from '@opentelemetry/api';
import {
  ConsoleMetricExporter,
  type IMetricReader,
  type MetricProducer,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from './config.js';
import { LazyOtlpExporter } from './lazy-otlp-exporter.js';
import { PrometheusReader } from './prometheus-reader.js';

/**
 * A Prometheus pull reader and a promise that settles when its HTTP server listens (or failed to).
 * It serves the classic text format, or OpenMetrics (with latency exemplars) to scrapes asking for it.
 */
export function createPrometheusReader(
  config: Exclude<ResolvedConfig['prometheus'], false>,
  metricProducers: MetricProducer[] = [],
): {
  reader: PrometheusReader;
  url: string;
  listening: Promise<void>;
} {
  let settle: (error?: Error) => void = () => {};
  const listening = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const reader = new PrometheusReader(
    { host: config.host, port: config.port, endpoint: '/metrics', metricProducers },
    (error) => {
      if (error) {
        const message = `@llm-otel/node: the Prometheus endpoint could not listen on ${config.host}:${config.port}: ${error.message}`;
        diag.error(message);
        process.emitWarning(message, 'LlmOtelWarning');
        settle(error);
      } else {
        settle();
      }
    },
  );
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { reader, url: `http://${shownHost}:${config.port}/metrics`, listening };
}

/**
 * A periodic reader pushing OTLP with the configured temporality preference (cumulative by
 * default, which Prometheus-style backends need). The exporter module loads in the background.
 */
export function createOtlpReader(
  config: Exclude<ResolvedConfig['otlp'], false>,
  metricProducers: MetricProducer[] = [],
): IMetricReader {
  return new PeriodicExportingMetricReader({
    metricProducers,
    exporter: new LazyOtlpExporter(config),
    exportIntervalMillis: config.intervalMs,
    exportTimeoutMillis: config.timeoutMs,
  });
}

/** A periodic reader printing to stdout (`OTEL_METRICS_EXPORTER=console`), for debugging. */
export function createConsoleReader(intervalMs: number, metricProducers: MetricProducer[] = []): IMetricReader {
  return new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: intervalMs,
    metricProducers,
  });
}
