import { LlmOtelConfigError, type OtlpOptions, type PrometheusOptions, type SignalOptions } from './config.js';
import { describeBadValue } from './describe-bad-value.js';
import type { MlflowRegisterOptions } from './mlflow-traces-config.js';
import { isPriceTable } from './prices.js';
import type { RegisterOptions } from './register.js';

/** The options register() knows; anything else is most likely a typo and is rejected. */
const REGISTER_KEYS = [
  'serviceName',
  'serviceVersion',
  'resourceAttributes',
  'prometheus',
  'otlp',
  'instrumentations',
  'views',
  'cardinalityLimit',
  'metrics',
  'healthProbe',
  'prices',
  'logs',
  'traces',
  'callEvents',
  'mlflow',
] as const satisfies readonly (keyof RegisterOptions)[];
const MLFLOW_KEYS = ['traces'] as const satisfies readonly (keyof MlflowRegisterOptions)[];
const PROMETHEUS_KEYS = ['host', 'port'] as const satisfies readonly (keyof PrometheusOptions)[];
const OTLP_KEYS = [
  'endpoint',
  'protocol',
  'intervalMs',
  'timeoutMs',
  'temporalityPreference',
] as const satisfies readonly (keyof OtlpOptions)[];
const SIGNAL_KEYS = [
  'exporter',
  'endpoint',
  'protocol',
  'timeoutMs',
  'maxQueueSize',
  'scheduleDelayMs',
] as const satisfies readonly (keyof SignalOptions)[];

// A new option must be added to these lists, or register() would reject it as unknown: the build
// fails until it is.
type Unlisted<T, K> = Exclude<keyof T, K>;
const everyOptionListed: [
  Unlisted<RegisterOptions, (typeof REGISTER_KEYS)[number]>,
  Unlisted<PrometheusOptions, (typeof PROMETHEUS_KEYS)[number]>,
  Unlisted<OtlpOptions, (typeof OTLP_KEYS)[number]>,
  Unlisted<SignalOptions, (typeof SIGNAL_KEYS)[number]>,
  Unlisted<MlflowRegisterOptions, (typeof MLFLOW_KEYS)[number]>,
] extends [never, never, never, never, never]
  ? true
  : false = true;
void everyOptionListed;

function fail(option: string, value: unknown, accepted: string): never {
  throw new LlmOtelConfigError(`${option}=${describeBadValue(value)} is not valid; accepted: ${accepted}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkKeys(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      throw new LlmOtelConfigError(
        `${prefix}${key} is not an option of register(); known: ${known.map((k) => prefix + k).join(', ')}`,
      );
  }
}

function checkString(value: unknown, option: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === ''))
    fail(option, value, 'a non-empty string');
}

function isAttributeValue(value: unknown): boolean {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || Number.isFinite(v);
  return scalar(value) || (Array.isArray(value) && value.every((v) => v == null || scalar(v)));
}

/**
 * Checks the types and ranges of register()'s options before anything is set up; `undefined`
 * means the default. Values also read from `OTEL_*` variables (port, protocol, intervals, URL)
 * are checked by `resolveConfig()`, `metrics` and the entries of `prices` by `@llm-otel/core`,
 * `healthProbe` by the probe.
 *
 * @throws LlmOtelConfigError naming the option and the accepted values.
 */
export function checkRegisterOptions(options: unknown): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) fail('options', options, 'an object of register() options, or nothing');
  checkKeys(options, REGISTER_KEYS, '');
  checkString(options.serviceName, 'serviceName');
  checkString(options.serviceVersion, 'serviceVersion');

  const { resourceAttributes } = options;
  if (resourceAttributes !== undefined) {
    if (!isPlainObject(resourceAttributes)) fail('resourceAttributes', resourceAttributes, 'an object of attributes');
    for (const [key, value] of Object.entries(resourceAttributes)) {
      if (value !== undefined && !isAttributeValue(value))
        fail(`resourceAttributes.${key}`, value, 'a string, finite number, boolean, or an array of them');
    }
  }

  const { prometheus, otlp } = options;
  if (prometheus !== undefined && prometheus !== false) {
    if (!isPlainObject(prometheus)) fail('prometheus', prometheus, 'false or an object { host?, port? }');
    checkKeys(prometheus, PROMETHEUS_KEYS, 'prometheus.');
    checkString(prometheus.host, 'prometheus.host');
  }
  if (otlp !== undefined && otlp !== false) {
    if (!isPlainObject(otlp))
      fail(
        'otlp',
        otlp,
        'false or an object { endpoint?, protocol?, intervalMs?, timeoutMs?, temporalityPreference? }',
      );
    checkKeys(otlp, OTLP_KEYS, 'otlp.');
    checkString(otlp.endpoint, 'otlp.endpoint');
  }

  const { instrumentations, views, cardinalityLimit, metrics } = options;
  if (instrumentations !== undefined) {
    if (!Array.isArray(instrumentations)) fail('instrumentations', instrumentations, 'an array of instrumentations');
    instrumentations.forEach((item: unknown, i) => {
      const ok =
        typeof item === 'object' &&
        item !== null &&
        typeof (item as { enable?: unknown }).enable === 'function' &&
        typeof (item as { disable?: unknown }).disable === 'function';
      if (!ok) fail(`instrumentations[${i}]`, item, 'an OpenTelemetry Instrumentation (with enable() and disable())');
    });
  }
  if (views !== undefined) {
    if (!Array.isArray(views)) fail('views', views, 'an array of SDK ViewOptions');
    views.forEach((view: unknown, i) => {
      if (typeof view !== 'object' || view === null) fail(`views[${i}]`, view, 'an SDK ViewOptions object');
    });
  }
  if (
    cardinalityLimit !== undefined &&
    (typeof cardinalityLimit !== 'number' || !Number.isSafeInteger(cardinalityLimit) || cardinalityLimit < 1)
  )
    fail('cardinalityLimit', cardinalityLimit, 'a positive integer (series kept per instrument)');
  if (metrics !== undefined && !isPlainObject(metrics))
    fail('metrics', metrics, 'an object of @llm-otel/core LlmMetricsOptions');
  for (const signal of ['logs', 'traces'] as const) {
    const value = options[signal];
    if (value === undefined || value === false) continue;
    if (!isPlainObject(value))
      fail(signal, value, `false or an object { ${SIGNAL_KEYS.map((k) => `${k}?`).join(', ')} }`);
    checkKeys(value, SIGNAL_KEYS, `${signal}.`);
    checkString(value.endpoint, `${signal}.endpoint`);
  }
  // Its values are checked by @llm-otel/core's configureCallEvents().
  if (options.callEvents !== undefined && !isPlainObject(options.callEvents))
    fail(
      'callEvents',
      options.callEvents,
      'an object { captureContent?, maxMessageLength?, maxContentLength?, redact? }',
    );
  const { mlflow } = options;
  if (mlflow !== undefined) {
    if (!isPlainObject(mlflow)) fail('mlflow', mlflow, 'an object { traces?: boolean }');
    checkKeys(mlflow, MLFLOW_KEYS, 'mlflow.');
    if (mlflow.traces !== undefined && typeof mlflow.traces !== 'boolean')
      fail('mlflow.traces', mlflow.traces, 'true or false');
  }
  const { prices } = options;
  if (prices !== undefined && !isPlainObject(prices) && !isPriceTable(prices))
    fail(
      'prices',
      prices,
      'a price table object { version?: 1, providers: {...} } or a PriceTable from loadPriceTable()',
    );
}
