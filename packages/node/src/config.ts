import { LlmOtelConfigError } from '@llm-otel/core';
import { describeBadValue } from './describe-bad-value.js';
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

/**
 * The logs or traces signal of register(): where its records go. Every field is resolved from the
 * option, then the `OTEL_*` variables of the signal (see the README).
 */
export interface SignalOptions {
  /** `otlp` or `console`. Env: `OTEL_LOGS_EXPORTER` / `OTEL_TRACES_EXPORTER`. */
  exporter?: SignalExporter;
  /**
   * Base endpoint, e.g. `http://localhost:4318` (`/v1/logs` or `/v1/traces` is appended for HTTP).
   * Env: `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or
   * `OTEL_EXPORTER_OTLP_ENDPOINT`. Default: localhost on the protocol's standard port.
   */
  endpoint?: string;
  /** Env: `OTEL_EXPORTER_OTLP_{LOGS,TRACES}_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`. Default `http/protobuf`. */
  protocol?: OtlpProtocol;
  /** Export timeout in ms. Env: `OTEL_EXPORTER_OTLP_{LOGS,TRACES}_TIMEOUT` or `OTEL_EXPORTER_OTLP_TIMEOUT`. Default 10000. */
  timeoutMs?: number;
  /**
   * Records held for export at most; beyond it new ones are dropped and counted in
   * `llm_otel_dropped_events_total`. Env: `OTEL_BLRP_MAX_QUEUE_SIZE` / `OTEL_BSP_MAX_QUEUE_SIZE`. Default 2048.
   */
  maxQueueSize?: number;
  /** Delay between exports in ms. Env: `OTEL_BLRP_SCHEDULE_DELAY` / `OTEL_BSP_SCHEDULE_DELAY`. Default 1000 (logs), 5000 (traces). */
  scheduleDelayMs?: number;
}

/** Exporters of the logs and traces signals. */
export type SignalExporter = 'otlp' | 'console';

/** A logs or traces signal after options and environment are merged: `false` when off. */
export interface ResolvedSignal {
  otlp: { url: string; protocol: OtlpProtocol; timeoutMs: number } | false;
  console: boolean;
  maxQueueSize: number;
  scheduleDelayMs: number;
}

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
  /** The per-call log records (events): `false` when no logs exporter is configured. */
  logs: ResolvedSignal | false;
  /** The TracerProvider register() sets up: `false` when no traces exporter is configured. */
  traces: ResolvedSignal | false;
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
      `${source}=${describeBadValue(value)} is not valid; accepted: an integer port from 0 to 65535`,
    );
  return port;
}

function parseMillis(value: unknown, source: string): number {
  const ms = typeof value === 'string' ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0)
    throw new LlmOtelConfigError(
      `${source}=${describeBadValue(value)} is not valid; accepted: a positive integer number of milliseconds`,
    );
  return ms;
}

function parseProtocol(value: string, source: string): OtlpProtocol {
  if (!(PROTOCOLS as readonly string[]).includes(value))
    throw new LlmOtelConfigError(
      `${source}=${describeBadValue(value)} is not valid; accepted: ${PROTOCOLS.join(', ')}`,
    );
  return value as OtlpProtocol;
}

function parseTemporality(value: unknown, source: string): TemporalityPreference {
  const lower = typeof value === 'string' ? value.toLowerCase() : value;
  if (!(TEMPORALITIES as readonly unknown[]).includes(lower))
    throw new LlmOtelConfigError(
      `${source}=${describeBadValue(value)} is not valid; accepted: ${TEMPORALITIES.join(', ')}`,
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
      `${source}=${describeBadValue(value)} is not valid; accepted: an http:// or https:// URL`,
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

/**
 * The OTLP metric push settings of `options`, then the `OTEL_EXPORTER_OTLP_*` and `OTEL_METRIC_EXPORT_*`
 * variables: register()'s, and those of `llmOtlpMetricExporter()`.
 *
 * @throws LlmOtelConfigError naming the option (`otlp.<name>`) or variable and the accepted values.
 */
export function resolveOtlp(options: OtlpOptions, env: Env): Exclude<ResolvedConfig['otlp'], false> {
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

const SIGNAL_EXPORTERS = ['otlp', 'console', 'none'] as const;

/** The names and defaults of one signal's variables. */
const SIGNALS = {
  logs: { name: 'LOGS', path: '/v1/logs', batch: 'OTEL_BLRP', delayMs: 1000 },
  traces: { name: 'TRACES', path: '/v1/traces', batch: 'OTEL_BSP', delayMs: 5000 },
} as const;

function parseQueueSize(value: unknown, source: string): number {
  const size = typeof value === 'string' ? Number(value) : value;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 1_000_000)
    throw new LlmOtelConfigError(
      `${source}=${describeBadValue(value)} is not valid; accepted: an integer from 1 to 1000000 (records held for export)`,
    );
  return size;
}

/** The exporters `OTEL_{LOGS,TRACES}_EXPORTER` asks for; undefined when the variable is not set. */
function signalExportersFromEnv(env: Env, variable: string): Set<string> | undefined {
  const raw = envValue(env, variable);
  if (raw === undefined) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of names) {
    if (!(SIGNAL_EXPORTERS as readonly string[]).includes(name))
      throw new LlmOtelConfigError(
        `${variable}=${JSON.stringify(raw)} is not valid; accepted: a comma-separated list of ${SIGNAL_EXPORTERS.join(', ')}`,
      );
  }
  return names.includes('none') ? new Set() : new Set(names);
}

/**
 * The logs or traces signal. On when the option asks for it, else when `OTEL_{LOGS,TRACES}_EXPORTER`
 * names `otlp` or `console`, else when the signal's own endpoint variable is set. The specification's
 * default exporter is `otlp`; here an unset variable means none (unless the signal endpoint is set),
 * so that a process without a collector loads no logs or trace SDK and sends nothing.
 */
function resolveSignal(
  signal: keyof typeof SIGNALS,
  option: SignalOptions | false | undefined,
  env: Env,
): ResolvedSignal | false {
  if (option === false) return false;
  const { name, path, batch, delayMs } = SIGNALS[signal];
  const variable = `OTEL_${name}_EXPORTER`;
  const signalEndpoint = envValue(env, `OTEL_EXPORTER_OTLP_${name}_ENDPOINT`);
  let exporters: Set<string>;
  if (option?.exporter !== undefined) {
    if (option.exporter !== 'otlp' && option.exporter !== 'console')
      throw new LlmOtelConfigError(
        `${signal}.exporter=${describeBadValue(option.exporter)} is not valid; accepted: otlp, console`,
      );
    exporters = new Set([option.exporter]);
  } else {
    exporters =
      signalExportersFromEnv(env, variable) ??
      new Set(option !== undefined || signalEndpoint !== undefined ? ['otlp'] : []);
  }
  if (exporters.size === 0) return false;

  let otlp: ResolvedSignal['otlp'] = false;
  if (exporters.has('otlp')) {
    const protocolVariable =
      envValue(env, `OTEL_EXPORTER_OTLP_${name}_PROTOCOL`) !== undefined
        ? `OTEL_EXPORTER_OTLP_${name}_PROTOCOL`
        : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    const protocol =
      option?.protocol !== undefined
        ? parseProtocol(option.protocol, `${signal}.protocol`)
        : parseProtocol(envValue(env, protocolVariable) ?? 'http/protobuf', protocolVariable);
    const grpc = protocol === 'grpc';
    const base =
      option?.endpoint ?? (signalEndpoint === undefined ? envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') : undefined);
    let url: string;
    if (base !== undefined) {
      const parsed = parseUrl(
        base,
        option?.endpoint !== undefined ? `${signal}.endpoint` : 'OTEL_EXPORTER_OTLP_ENDPOINT',
      );
      url = grpc || parsed.pathname.endsWith(path) ? parsed.href : `${parsed.href.replace(/\/+$/, '')}${path}`;
    } else if (signalEndpoint !== undefined) {
      url = parseUrl(signalEndpoint, `OTEL_EXPORTER_OTLP_${name}_ENDPOINT`).href;
    } else {
      url = grpc ? 'http://localhost:4317' : `http://localhost:4318${path}`;
    }
    const timeoutVariable =
      envValue(env, `OTEL_EXPORTER_OTLP_${name}_TIMEOUT`) !== undefined
        ? `OTEL_EXPORTER_OTLP_${name}_TIMEOUT`
        : 'OTEL_EXPORTER_OTLP_TIMEOUT';
    const timeoutMs =
      option?.timeoutMs !== undefined
        ? parseMillis(option.timeoutMs, `${signal}.timeoutMs`)
        : parseMillis(envValue(env, timeoutVariable) ?? 10000, timeoutVariable);
    otlp = { url, protocol, timeoutMs };
  }
  const maxQueueSize =
    option?.maxQueueSize !== undefined
      ? parseQueueSize(option.maxQueueSize, `${signal}.maxQueueSize`)
      : parseQueueSize(envValue(env, `${batch}_MAX_QUEUE_SIZE`) ?? 2048, `${batch}_MAX_QUEUE_SIZE`);
  const scheduleDelayMs =
    option?.scheduleDelayMs !== undefined
      ? parseMillis(option.scheduleDelayMs, `${signal}.scheduleDelayMs`)
      : parseMillis(envValue(env, `${batch}_SCHEDULE_DELAY`) ?? delayMs, `${batch}_SCHEDULE_DELAY`);
  return { otlp, console: exporters.has('console'), maxQueueSize, scheduleDelayMs };
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
    logs?: SignalOptions | false;
    traces?: SignalOptions | false;
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
    logs: resolveSignal('logs', options.logs, env),
    traces: resolveSignal('traces', options.traces, env),
    logLevel: parseLogLevel(env),
  };
}
