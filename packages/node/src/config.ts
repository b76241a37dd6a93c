import { LlmOtelConfigError } from '@llm-otel/core';
/** Where and how register() exports metrics; every field is resolved from options, then `OTEL_*` variables. */
export interface PrometheusOptions {
  /** Interface the `/metrics` server listens on. Env: `OTEL_EXPORTER_PROMETHEUS_HOST`. Default `0.0.0.0`. */
  host?: string;
  /** Port of the `/metrics` server. Env: `OTEL_EXPORTER_PROMETHEUS_PORT`. Default 9464. */
  port?: number;
}

/** Transport of the OTLP push exporter. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

export interface OtlpOptions {
  /**
   * Base endpoint, e.g. `http://localhost:4318` (HTTP; `/v1/metrics` is appended) or
   * `http://localhost:4317` (gRPC). Env: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` (used as is) or
   * `OTEL_EXPORTER_OTLP_ENDPOINT`. Default: localhost on the protocol's standard port.
   */
  endpoint?: string;
  /** Env: `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`. Default `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Export interval in milliseconds. Env: `OTEL_METRIC_EXPORT_INTERVAL`. Default 60000. */
  intervalMs?: number;
  /** Export timeout in milliseconds. Env: `OTEL_METRIC_EXPORT_TIMEOUT`. Default 30000 (capped at the interval). */
  timeoutMs?: number;
  /**
   * Aggregation temporality asked of the OTLP reader, for every metric (the `llm_*` call metrics
   * included). Env: `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`. Default `cumulative`.
   */
  temporalityPreference?: TemporalityPreference;
}

/**
 * `cumulative`: every instrument cumulative. `delta`: counters and histograms delta (up-down
 * counters stay cumulative). `lowmemory`: synchronous counters and histograms delta, the rest
 * cumulative. As the OpenTelemetry OTLP exporters define them.
 */
export type TemporalityPreference = 'cumulative' | 'delta' | 'lowmemory';

/** The settings register() runs with, after options and environment are merged and checked. */
export interface ResolvedConfig {
  serviceName: string | undefined;
  serviceVersion: string | undefined;
  prometheus: Required<PrometheusOptions> | false;
  otlp:
    | {
        url: string;
        protocol: OtlpProtocol;
        intervalMs: number;
        timeoutMs: number;
        temporalityPreference: TemporalityPreference;
      }
    | false;
  console: boolean;
  /** Level of the console diagnostic logger register() installs (`OTEL_LOG_LEVEL`), if set. */
  logLevel: LogLevelName | undefined;
}

/** Values of `OTEL_LOG_LEVEL`, as the OpenTelemetry specification names them. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

// One error class for core's options and ours, so `instanceof` works whichever package threw.
export { LlmOtelConfigError };

type Env = Record<string, string | undefined>;

const EXPORTERS = ['prometheus', 'otlp', 'console', 'none'] as const;
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const TEMPORALITIES: readonly TemporalityPreference[] = ['cumulative', 'delta', 'lowmemory'];
const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;

function envValue(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parsePort(value: unknown, source: string): number {
  const port = typeof value === 'string' ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new LlmOtelConfigError(
      `${source}=${JSON.stringify(value)} is not valid; accepted: an integer port from 0 to 65535`,
    );
  return port;
}

function parseMillis(value: unknown, source: string): number {
  const ms = typeof value === 'string' ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0)
    throw new LlmOtelConfigError(
      `${source}=${JSON.stringify(value)} is not valid; accepted: a positive integer number of milliseconds`,
    );
  return ms;
}

function parseProtocol(value: string, source: string): OtlpProtocol {
  if (!(PROTOCOLS as readonly string[]).includes(value))
    throw new LlmOtelConfigError(`${source}=${JSON.stringify(value)} is not valid; accepted: ${PROTOCOLS.join(', ')}`);
  return value as OtlpProtocol;
}

function parseTemporality(value: unknown, source: string): TemporalityPreference {
  const lower = typeof value === 'string' ? value.toLowerCase() : value;
  if (!(TEMPORALITIES as readonly unknown[]).includes(lower))
    throw new LlmOtelConfigError(
      `${source}=${JSON.stringify(value)} is not valid; accepted: ${TEMPORALITIES.join(', ')}`,
    );
  return lower as TemporalityPreference;
}

function parseLogLevel(env: Env): LogLevelName | undefined {
  const raw = envValue(env, 'OTEL_LOG_LEVEL');
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(lower))
    throw new LlmOtelConfigError(
      `OTEL_LOG_LEVEL=${JSON.stringify(raw)} is not valid; accepted: ${LOG_LEVELS.map((l) => l.toUpperCase()).join(', ')}`,
    );
  return lower as LogLevelName;
}

/** `OTEL_SDK_DISABLED=true` (case-insensitive): register() sets up nothing. */
export function isSdkDisabled(env: Env = process.env): boolean {
  return envValue(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
}

function parseUrl(value: string, source: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url;
  } catch {
    throw new LlmOtelConfigError(
      `${source}=${JSON.stringify(value)} is not valid; accepted: an http:// or https:// URL`,
    );
  }
}

/** Which exporters `OTEL_METRICS_EXPORTER` asks for; undefined when the variable is not set. */
function exportersFromEnv(env: Env): Set<string> | undefined {
  const raw = envValue(env, 'OTEL_METRICS_EXPORTER');
  if (raw === undefined) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of names) {
    if (!(EXPORTERS as readonly string[]).includes(name))
      throw new LlmOtelConfigError(
        `OTEL_METRICS_EXPORTER=${JSON.stringify(raw)} is not valid; accepted: a comma-separated list of ${EXPORTERS.join(', ')}`,
      );
  }
  return new Set(names.filter((n) => n !== 'none'));
}

function resolveOtlp(options: OtlpOptions, env: Env): Exclude<ResolvedConfig['otlp'], false> {
  const protocol =
    options.protocol !== undefined
      ? parseProtocol(options.protocol, 'otlp.protocol')
      : parseProtocol(
          envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') ??
            envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ??
            'http/protobuf',
          envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL') !== undefined
            ? 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'
            : 'OTEL_EXPORTER_OTLP_PROTOCOL',
        );
  const grpc = protocol === 'grpc';
  let url: string;
  const signalEndpoint = envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const baseEndpoint =
    options.endpoint ?? (signalEndpoint === undefined ? envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') : undefined);
  if (baseEndpoint !== undefined) {
    const source = options.endpoint !== undefined ? 'otlp.endpoint' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    const parsed = parseUrl(baseEndpoint, source);
    url =
      grpc || parsed.pathname.endsWith('/v1/metrics') ? parsed.href : `${parsed.href.replace(/\/+$/, '')}/v1/metrics`;
  } else if (signalEndpoint !== undefined) {
    url = parseUrl(signalEndpoint, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT').href;
  } else {
    url = grpc ? 'http://localhost:4317' : 'http://localhost:4318/v1/metrics';
  }
  const intervalMs =
    options.intervalMs !== undefined
      ? parseMillis(options.intervalMs, 'otlp.intervalMs')
      : parseMillis(envValue(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? 60000, 'OTEL_METRIC_EXPORT_INTERVAL');
  const timeoutMs =
    options.timeoutMs !== undefined
      ? parseMillis(options.timeoutMs, 'otlp.timeoutMs')
      : parseMillis(envValue(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? 30000, 'OTEL_METRIC_EXPORT_TIMEOUT');
  const temporalityPreference =
    options.temporalityPreference !== undefined
      ? parseTemporality(options.temporalityPreference, 'otlp.temporalityPreference')
      : parseTemporality(
          envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE') ?? 'cumulative',
          'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
        );
  return { url, protocol, intervalMs, timeoutMs: Math.min(timeoutMs, intervalMs), temporalityPreference };
}

/**
 * Merges register() options with the standard OpenTelemetry environment variables (options win)
 * and checks them.
 *
 * Exporters: the `prometheus` and `otlp` options when given; else `OTEL_METRICS_EXPORTER`; else
 * Prometheus, plus OTLP when an OTLP endpoint variable is set.
 *
 * @throws LlmOtelConfigError naming the offending option or variable and the accepted values.
 */
export function resolveConfig(
  options: {
    serviceName?: string;
    serviceVersion?: string;
    prometheus?: PrometheusOptions | false;
    otlp?: OtlpOptions | false;
  },
  env: Env = process.env,
): ResolvedConfig {
  const fromEnv = exportersFromEnv(env);
  const otlpEndpointSet =
    envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined ||
    envValue(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') !== undefined;
  const wantPrometheus =
    options.prometheus !== undefined ? options.prometheus !== false : (fromEnv?.has('prometheus') ?? true);
  const wantOtlp = options.otlp !== undefined ? options.otlp !== false : (fromEnv?.has('otlp') ?? otlpEndpointSet);

  let prometheus: ResolvedConfig['prometheus'] = false;
  if (wantPrometheus) {
    const p = options.prometheus || {};
    prometheus = {
      host: p.host ?? envValue(env, 'OTEL_EXPORTER_PROMETHEUS_HOST') ?? '0.0.0.0',
      port:
        p.port !== undefined
          ? parsePort(p.port, 'prometheus.port')
          : parsePort(envValue(env, 'OTEL_EXPORTER_PROMETHEUS_PORT') ?? 9464, 'OTEL_EXPORTER_PROMETHEUS_PORT'),
    };
  }
  return {
    serviceName: options.serviceName ?? envValue(env, 'OTEL_SERVICE_NAME'),
    serviceVersion: options.serviceVersion,
    prometheus,
    otlp: wantOtlp ? resolveOtlp(options.otlp || {}, env) : false,
    console: fromEnv?.has('console') ?? false,
    logLevel: parseLogLevel(env),
  };
}
