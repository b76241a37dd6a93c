import { join } from 'node:path';
import { type Service, start, waitForHttp } from './processes.js';

/** Where the example service sends its calls and its metrics. */
export interface LlmServiceSetup {
  repoRoot: string;
  logDir: string;
  serviceName: string;
  port: number;
  directMetricsPort: number;
  /** The collector's OTLP port for `protocol` (HTTP by default). */
  otlpPort: number;
  /** OTLP transport. Default `http/protobuf`. */
  protocol?: 'http/protobuf' | 'grpc';
  modelUrl: string;
  exportIntervalMs: number;
  /**
   * Also export the per-call log records and spans (`OTEL_LOGS_EXPORTER=otlp`,
   * `OTEL_TRACES_EXPORTER=otlp`) to the same collector, over `protocol`. Default false.
   */
  perCallSignals?: boolean;
  extraEnv?: Record<string, string>;
}

/**
 * The price table the example service runs with: the simulator serves the OpenAI API on loopback,
 * which costs 0 unless priced, so its models are priced at OpenAI's list prices; the Anthropic
 * models it answers for are priced at Anthropic's (cache reads and writes included).
 */
export function simulatorPricesFile(repoRoot: string): string {
  return join(repoRoot, 'examples', 'llm-service', 'simulator-prices.json');
}

/** The variables that turn on the per-call log records and spans of `@llm-otel/node`, over OTLP. */
function perCallSignalsEnv(protocol: 'http/protobuf' | 'grpc'): Record<string, string> {
  return {
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
    // Short batch delays, so a person (or a test) sees a call in the stores within a second or two.
    OTEL_BLRP_SCHEDULE_DELAY: '500',
    OTEL_BSP_SCHEDULE_DELAY: '500',
  };
}

/**
 * Starts examples/llm-service the way a user would, with no telemetry code of its own:
 * `node --import @llm-otel/node/register dist/main.js`, configured by `OTEL_*` variables to push
 * OTLP/HTTP to the collector and to serve its own /metrics, with the model health probe on and
 * the simulator's prices ({@link simulatorPricesFile}, `LLM_OTEL_PRICES_FILE`).
 */
export async function startLlmService(
  setup: LlmServiceSetup,
): Promise<{ service: Service; url: string; directMetricsUrl: string }> {
  const service = start('llm-service', process.execPath, ['--import', '@llm-otel/node/register', 'dist/main.js'], {
    cwd: join(setup.repoRoot, 'examples', 'llm-service'),
    logDir: setup.logDir,
    env: {
      PORT: String(setup.port),
      OPENAI_BASE_URL: `${setup.modelUrl}/v1`,
      OPENAI_API_KEY: 'sk-simulator',
      OLLAMA_HOST: setup.modelUrl,
      ANTHROPIC_BASE_URL: setup.modelUrl,
      ANTHROPIC_API_KEY: 'sk-ant-simulator',
      OTEL_SERVICE_NAME: setup.serviceName,
      OTEL_METRICS_EXPORTER: 'otlp,prometheus',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${setup.otlpPort}`,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: setup.protocol ?? 'http/protobuf',
      OTEL_METRIC_EXPORT_INTERVAL: String(setup.exportIntervalMs),
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(setup.directMetricsPort),
      LLM_OTEL_HEALTH_PROBE: 'true',
      LLM_OTEL_PRICES_FILE: simulatorPricesFile(setup.repoRoot),
      ...(setup.perCallSignals ? perCallSignalsEnv(setup.protocol ?? 'http/protobuf') : {}),
      ...setup.extraEnv,
    },
  });
  const url = `http://127.0.0.1:${setup.port}`;
  await waitForHttp(`${url}/healthz`, 30_000, service);
  return { service, url, directMetricsUrl: `http://127.0.0.1:${setup.directMetricsPort}/metrics` };
}
