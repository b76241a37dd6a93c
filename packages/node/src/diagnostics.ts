import {
  DiagConsoleLogger,
  type DiagLogger,
  DiagLogLevel,
  diag,
  type MeterProvider,
  metrics,
} from '@opentelemetry/api';
import type { LogLevelName } from './config.js';

const LEVELS: Record<LogLevelName, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/** What the OpenTelemetry API logs when a second global provider is refused. */
const DUPLICATE_METRICS = 'Attempted duplicate registration of API: metrics';

export const LATE_PROVIDER_WARNING =
  '@llm-otel/node: another MeterProvider tried to become the global one after @llm-otel/node/register ' +
  'had registered its own, so that provider and its exporters receive no metrics. Fix: load ' +
  '@llm-otel/node/register after your OpenTelemetry SDK has started (or call register() after sdk.start()): ' +
  'register() then records into your provider. Or drop your own metric readers and let register() export ' +
  '(see "Start-up order" in the @llm-otel/node README).';

let watching: MeterProvider | undefined;
let warned = false;
let loggerInstalled = false;

function lateProvider(provider: unknown): void {
  if (watching === undefined || provider === watching || warned) return;
  warned = true;
  diag.warn(LATE_PROVIDER_WARNING);
  process.emitWarning(LATE_PROVIDER_WARNING, 'LlmOtelWarning');
}

/** Forwards to the console at `OTEL_LOG_LEVEL` and watches for refused provider registrations. */
class LlmOtelDiagLogger implements DiagLogger {
  private readonly console = new DiagConsoleLogger();
  constructor(private readonly level: DiagLogLevel) {}

  private forward(level: DiagLogLevel, name: keyof DiagLogger, message: string, args: unknown[]): void {
    if (this.level >= level) this.console[name](message, ...args);
  }
  error(message: string, ...args: unknown[]): void {
    // The error comes from whichever copy of @opentelemetry/api the other SDK uses: the logger is global.
    if (typeof message === 'string' && message.includes(DUPLICATE_METRICS)) lateProvider(undefined);
    this.forward(DiagLogLevel.ERROR, 'error', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.forward(DiagLogLevel.WARN, 'warn', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.forward(DiagLogLevel.INFO, 'info', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.forward(DiagLogLevel.DEBUG, 'debug', message, args);
  }
  verbose(message: string, ...args: unknown[]): void {
    this.forward(DiagLogLevel.VERBOSE, 'verbose', message, args);
  }
}

/** Whether some code already installed a diag logger (the API keeps it in its global slot). */
function hasDiagLogger(): boolean {
  const slot = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return slot?.diag !== undefined;
}

/**
 * With `OTEL_LOG_LEVEL` set, installs once per process the console diagnostic logger at that level
 * (as the OpenTelemetry SDK does), so dropped input and export failures show; it also watches for
 * a refused second MeterProvider registered through another copy of the API. A logger the app
 * installed first is kept. Without the variable nothing is installed, so that an app setting its
 * own logger later does not get the API's "logger will be overwritten" warning because of us.
 */
export function installDiagLogger(level: LogLevelName | undefined): void {
  if (level === undefined || loggerInstalled || hasDiagLogger()) return;
  loggerInstalled = true;
  const logLevel = LEVELS[level];
  diag.setLogger(new LlmOtelDiagLogger(logLevel), {
    logLevel: Math.max(logLevel, DiagLogLevel.ERROR),
    suppressOverrideMessage: true,
  });
}

/**
 * Warns once, with the fix, when another MeterProvider tries to replace `provider` as the global one
 * (e.g. the app's NodeSDK started after `--require @llm-otel/node/register`): the API refuses it and
 * that provider's exporters would silently serve nothing. Returns the function that stops watching.
 */
export function watchLateMeterProviders(provider: MeterProvider): () => void {
  watching = provider;
  // The app's SDK normally shares our copy of the API (a peer dependency): see the attempt directly.
  const original = metrics.setGlobalMeterProvider;
  const patched = function (this: typeof metrics, other: MeterProvider): boolean {
    const accepted = original.call(this, other);
    if (!accepted) lateProvider(other);
    return accepted;
  };
  metrics.setGlobalMeterProvider = patched;
  return () => {
    if (watching === provider) watching = undefined;
    if (metrics.setGlobalMeterProvider === patched) metrics.setGlobalMeterProvider = original;
  };
}
