import { MlflowConfigError } from './config.js';

/**
 * Options of the artifact storage of the experiment tracking (`artifacts` of
 * `startVariantTracking()`): sampled calls' messages as JSONL files of their variant's run, and
 * the variants' prompt templates. Unset fields come from the variables named on each.
 */
export interface ArtifactOptions {
  /** Store artifacts. Default: true when this object is given, else `LLM_OTEL_MLFLOW_ARTIFACTS=true` turns them on (off by default). */
  enabled?: boolean;
  /**
   * Share of the calls under a variant whose messages are kept, 0 to 1 (only while the app's
   * content capture is on). Env: `LLM_OTEL_MLFLOW_ARTIFACT_SAMPLE_RATE`. Default 0.1.
   */
  sampleRate?: number;
  /** Most records per file (per variant and flush); more are dropped and counted. Env: `LLM_OTEL_MLFLOW_ARTIFACT_MAX_RECORDS`. Default 100. */
  maxRecordsPerFlush?: number;
  /** Most bytes per file (per variant and flush); records that do not fit are dropped and counted. Env: `LLM_OTEL_MLFLOW_ARTIFACT_MAX_BYTES`. Default 1048576. */
  maxBytes?: number;
  /** Most bytes of records waiting for upload, all variants together. Env: `LLM_OTEL_MLFLOW_ARTIFACT_MAX_BUFFER_BYTES`. Default 8388608. */
  maxBufferBytes?: number;
}

/** The artifact settings in force. */
export interface ArtifactSettings {
  readonly sampleRate: number;
  readonly maxRecordsPerFlush: number;
  readonly maxBytes: number;
  readonly maxBufferBytes: number;
}

export const DEFAULT_ARTIFACT_SETTINGS: ArtifactSettings = Object.freeze({
  sampleRate: 0.1,
  maxRecordsPerFlush: 100,
  maxBytes: 1_048_576,
  maxBufferBytes: 8_388_608,
});

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'enabled',
  'sampleRate',
  'maxRecordsPerFlush',
  'maxBytes',
  'maxBufferBytes',
]);

/**
 * The artifact settings from `options` (`true`: on with defaults; `false`: off) and the
 * environment; undefined when the storage is off.
 * @throws MlflowConfigError naming the option or variable of a bad value.
 */
export function resolveArtifactSettings(
  options: ArtifactOptions | boolean | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ArtifactSettings | undefined {
  const given: ArtifactOptions = typeof options === 'boolean' ? { enabled: options } : (options ?? {});
  if (typeof given !== 'object' || given === null)
    throw new MlflowConfigError('artifacts must be a boolean or an object { enabled, sampleRate, ... }');
  for (const key of Object.keys(given))
    if (!KNOWN_KEYS.has(key))
      throw new MlflowConfigError(
        `artifacts: unknown option ${JSON.stringify(key)} (expected ${[...KNOWN_KEYS].join(', ')})`,
      );
  // An options object turns the storage on unless it says `enabled: false`.
  const enabled =
    given.enabled ?? (options === undefined ? flag(env.LLM_OTEL_MLFLOW_ARTIFACTS, 'LLM_OTEL_MLFLOW_ARTIFACTS') : true);
  if (typeof enabled !== 'boolean') throw new MlflowConfigError('artifacts.enabled must be a boolean');
  if (!enabled) return undefined;
  const d = DEFAULT_ARTIFACT_SETTINGS;
  return Object.freeze({
    sampleRate: number(
      'sampleRate',
      given.sampleRate,
      'LLM_OTEL_MLFLOW_ARTIFACT_SAMPLE_RATE',
      env,
      d.sampleRate,
      (n) => n >= 0 && n <= 1,
      'a number from 0 to 1',
    ),
    maxRecordsPerFlush: number(
      'maxRecordsPerFlush',
      given.maxRecordsPerFlush,
      'LLM_OTEL_MLFLOW_ARTIFACT_MAX_RECORDS',
      env,
      d.maxRecordsPerFlush,
      (n) => Number.isSafeInteger(n) && n >= 1 && n <= 100_000,
      'an integer from 1 to 100000',
    ),
    maxBytes: number(
      'maxBytes',
      given.maxBytes,
      'LLM_OTEL_MLFLOW_ARTIFACT_MAX_BYTES',
      env,
      d.maxBytes,
      (n) => Number.isSafeInteger(n) && n >= 1024 && n <= 1_073_741_824,
      'an integer from 1024 to 1073741824',
    ),
    maxBufferBytes: number(
      'maxBufferBytes',
      given.maxBufferBytes,
      'LLM_OTEL_MLFLOW_ARTIFACT_MAX_BUFFER_BYTES',
      env,
      d.maxBufferBytes,
      (n) => Number.isSafeInteger(n) && n >= 1024 && n <= 4_294_967_296,
      'an integer from 1024 to 4294967296',
    ),
  });
}

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value.trim() === '') return false;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw new MlflowConfigError(`${name} must be true or false (got ${JSON.stringify(value.slice(0, 40))})`);
}

function number(
  option: string,
  given: unknown,
  variable: string,
  env: NodeJS.ProcessEnv,
  fallback: number,
  ok: (n: number) => boolean,
  expected: string,
): number {
  const fromEnv = env[variable];
  const [value, source] =
    given !== undefined
      ? [given, `artifacts.${option}`]
      : fromEnv !== undefined && fromEnv.trim() !== ''
        ? [Number(fromEnv), variable]
        : [fallback, option];
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))
    throw new MlflowConfigError(`${source} must be ${expected} (got ${JSON.stringify(given ?? fromEnv)})`);
  return value;
}
