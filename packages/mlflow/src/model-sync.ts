import {
  getLlmMetrics,
  getModelRegistry,
  type ModelInfo,
  type ModelRegistry,
  type ModelRegistryChange,
  ModelRegistryError,
} from '@llm-otel/core';
import { diag } from '@opentelemetry/api';
import { backoffDelay, DEFAULT_RETRY, delay, type RetryOptions } from './backoff.js';
import { MlflowClient, type MlflowModelVersion } from './client.js';
import { MlflowConfigError, type MlflowConnectionOptions } from './config.js';
import { isNotFound, MlflowError } from './errors.js';
import {
  filterLiteral,
  sourceOf,
  TAG_DEPLOYED_AT,
  TAG_MODEL_HASH,
  TAG_SERVICE_NAME,
  TAG_VERSION,
  tagOf,
  versionTags,
} from './tags.js';

/** Options of {@link startModelSync}. Unset fields come from the environment (named on each). */
export interface ModelSyncOptions extends MlflowConnectionOptions {
  /** A client to use instead of one built from the connection options. */
  client?: MlflowClient;
  /** The registry to mirror. Default: `getModelRegistry()`. */
  registry?: ModelRegistry;
  /** The alias pointed at each registered version and followed. Default `production`. Env: `LLM_OTEL_MLFLOW_ALIAS`. */
  alias?: string;
  /** Put on each version as the `llm_otel.service_name` tag. Env: `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** Mirror `registerModel()` into MLflow (default true). */
  push?: boolean;
  /** Follow the alias at start and on every poll (default true). */
  follow?: boolean;
  /**
   * Models whose alias is followed besides those in the registry (an app that registers nothing
   * itself and takes its versions from MLflow). Env: `LLM_OTEL_MLFLOW_MODELS` (comma-separated).
   */
  models?: string[];
  /** Poll period in ms: unsynced registrations are tried again and aliases read. Default 60000. Env: `LLM_OTEL_MLFLOW_POLL_INTERVAL_MS`. */
  pollIntervalMs?: number;
  /** Retries of a round of work (see {@link RetryOptions}). */
  retry?: Partial<RetryOptions>;
}

/** What the sync has done so far (for diagnostics and tests). */
export interface ModelSyncStatus {
  /** Whether the last request reached MLflow; undefined before the first. */
  readonly reachable: boolean | undefined;
  /** Registrations made visible in MLflow (version created or found, alias set). */
  readonly pushed: number;
  /** Times the registry took a version from the MLflow alias. */
  readonly followed: number;
  /** Requests tried again after a transient failure. */
  readonly retries: number;
  /** Registrations given up on for a permanent error (a name MLflow refuses, no permission), or versions read from MLflow the registry refused. */
  readonly dropped: number;
  /** Registrations waiting to reach MLflow (at most one per model: a newer one replaces it). */
  readonly pending: number;
  /** The last failure's message (never credentials; MLflow's own text). */
  readonly lastError: string | undefined;
}

/** A running sync; {@link ModelSync.stop} ends it. */
export interface ModelSync {
  /** Runs a round now (pending registrations, then the aliases); settles when it is done, never rejects. */
  syncNow(): Promise<void>;
  status(): ModelSyncStatus;
  /** Stops polling and retrying and unsubscribes from the registry; pending work is dropped. */
  stop(): void;
}

const DEFAULT_ALIAS = 'production';
const DEFAULT_POLL_MS = 60_000;
/** MLflow's alias rule: letters, digits, `_` and `-`, not `latest` or `vN`. */
const ALIAS_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new MlflowConfigError(`${name} must be a positive number`);
  return value;
}

/**
 * Mirrors the model registry into MLflow's and follows MLflow back:
 * - every `registerModel()` creates (or finds) the registered model and a version tagged with the
 *   model hash, service name and deployed-at, and points the alias (default `production`) at it:
 *   off the request path, in order, at most one pending registration per model, retried with
 *   backoff;
 * - at start and on every poll, the version each alias points at becomes the registry's deployed
 *   version (so `llm_model_version` and the version endpoint follow MLflow).
 * MLflow unreachable does not stop the app: the sync logs it once and keeps trying.
 *
 * @throws MlflowConfigError when no tracking URI is set or an option is invalid.
 */
export function startModelSync(options: ModelSyncOptions = {}, env: NodeJS.ProcessEnv = process.env): ModelSync {
  const client = options.client ?? new MlflowClient(options, env);
  const alias = options.alias ?? env.LLM_OTEL_MLFLOW_ALIAS ?? DEFAULT_ALIAS;
  if (!ALIAS_PATTERN.test(alias) || alias === 'latest' || /^v\d+$/i.test(alias))
    throw new MlflowConfigError(`alias ${JSON.stringify(alias)} is not a valid MLflow alias`);
  const pollIntervalMs = positive(
    'pollIntervalMs',
    options.pollIntervalMs ??
      (env.LLM_OTEL_MLFLOW_POLL_INTERVAL_MS ? Number(env.LLM_OTEL_MLFLOW_POLL_INTERVAL_MS) : undefined),
    DEFAULT_POLL_MS,
  );
  const retry: RetryOptions = {
    attempts: positive('retry.attempts', options.retry?.attempts, DEFAULT_RETRY.attempts),
    initialDelayMs: positive('retry.initialDelayMs', options.retry?.initialDelayMs, DEFAULT_RETRY.initialDelayMs),
    maxDelayMs: positive('retry.maxDelayMs', options.retry?.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
  };
  const models = (options.models ?? (env.LLM_OTEL_MLFLOW_MODELS ?? '').split(','))
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const sync = new ModelSyncLoop(client, options.registry ?? getModelRegistry(), {
    alias,
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME,
    push: options.push ?? true,
    follow: options.follow ?? true,
    models,
    pollIntervalMs,
    retry,
  });
  sync.start();
  return sync;
}

interface LoopSettings {
  alias: string;
  serviceName: string | undefined;
  push: boolean;
  follow: boolean;
  models: string[];
  pollIntervalMs: number;
  retry: RetryOptions;
}

class ModelSyncLoop implements ModelSync {
  /** The newest registration per model not yet in MLflow, in order of registration. */
  private readonly pending = new Map<string, ModelInfo>();
  private readonly stopped = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private round: Promise<void> | undefined;
  private again = false;
  /**
   * Registrations MLflow refused (e.g. no write permission), per model: while one is still the
   * registry's deployed version, the alias is not followed, so a refusal never undoes the app's
   * own registration. Bounded by the registry's model limit.
   */
  private readonly refused = new Map<string, ModelInfo>();
  /** True while the sync itself registers a version read from MLflow: that is no change to push back. */
  private applying = false;
  private reachable: boolean | undefined;
  private unreachableReported = false;
  private readonly reported = new Set<string>();
  private counts = { pushed: 0, followed: 0, retries: 0, dropped: 0 };
  private lastError: string | undefined;

  constructor(
    private readonly client: MlflowClient,
    private readonly registry: ModelRegistry,
    private readonly settings: LoopSettings,
  ) {}

  start(): void {
    if (this.settings.push) {
      this.unsubscribe = this.registry.onChange((change) => this.onChange(change));
      // Registrations this process made before the sync started (e.g. at the top of an app started
      // with --import @llm-otel/node/register, which loads this module lazily) are pushed too;
      // models restored from an earlier run's registry file are not: MLflow's alias is newer.
      for (const info of this.registry.listModels())
        if (info.registeredAt.getTime() >= performance.timeOrigin) this.pending.set(info.modelName, info);
    }
    this.timer = setInterval(() => void this.syncNow(), this.settings.pollIntervalMs);
    this.timer.unref?.();
    void this.syncNow();
  }

  stop(): void {
    this.stopped.abort();
    this.unsubscribe?.();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.pending.clear();
    this.refused.clear();
  }

  status(): ModelSyncStatus {
    return { reachable: this.reachable, ...this.counts, pending: this.pending.size, lastError: this.lastError };
  }

  syncNow(): Promise<void> {
    if (this.stopped.signal.aborted) return Promise.resolve();
    if (this.round !== undefined) {
      // A round is running: run one more after it, so work queued meanwhile is not missed.
      this.again = true;
      return this.round;
    }
    this.round = (async () => {
      try {
        do {
          this.again = false;
          await this.runRound();
        } while (this.again && !this.stopped.signal.aborted);
      } catch (error) {
        // A bug of ours; the app must not see it: counted and logged once by core.
        getLlmMetrics().reportInternalError('mlflowModelSync', error);
      } finally {
        this.round = undefined;
      }
    })();
    return this.round;
  }

  private onChange(change: ModelRegistryChange): void {
    if (this.applying || change.kind !== 'registered') return;
    // A newer registration replaces the pending one: MLflow gets the model's latest, in order.
    this.pending.delete(change.model.modelName);
    this.pending.set(change.model.modelName, change.model);
    void this.syncNow();
  }

  private async runRound(): Promise<void> {
    for (const info of this.pending.values()) {
      if (this.stopped.signal.aborted) return;
      const outcome = await this.withRetries(`register ${info.modelName}`, () => this.push(info));
      if (outcome === 'retry-later') return; // MLflow is down: the poll tries again, aliases too
      // Only forget it if no newer registration replaced it meanwhile.
      if (this.pending.get(info.modelName) === info) this.pending.delete(info.modelName);
      if (outcome === 'done') {
        this.counts.pushed++;
        this.refused.delete(info.modelName);
      } else this.refused.set(info.modelName, info);
    }
    if (!this.settings.follow) return;
    const names = new Set([...this.settings.models, ...this.registry.listModels().map((m) => m.modelName)]);
    for (const name of names) {
      if (this.stopped.signal.aborted || this.pending.has(name)) continue;
      // A read MLflow refuses (e.g. a name it does not allow) is logged once, not counted as a drop.
      const outcome = await this.withRetries(`follow ${name}`, () => this.follow(name), false);
      if (outcome === 'retry-later') return;
    }
  }

  /** Runs `work` with bounded retries on transient failures. */
  private async withRetries(
    what: string,
    work: () => Promise<void>,
    countDrop = true,
  ): Promise<'done' | 'dropped' | 'retry-later'> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        this.markReachable();
        return 'done';
      } catch (error) {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (!(error instanceof MlflowError) || !error.transient) {
          if (error instanceof MlflowError) this.markReachable();
          if (countDrop) this.counts.dropped++;
          this.warnOnce(`drop:${what}`, `@llm-otel/mlflow: ${what} failed and is dropped: ${this.lastError}`);
          return 'dropped';
        }
        this.markUnreachable(error);
        if (attempt >= this.settings.retry.attempts || this.stopped.signal.aborted) return 'retry-later';
        this.counts.retries++;
        await delay(backoffDelay(attempt, this.settings.retry), this.stopped.signal);
        if (this.stopped.signal.aborted) return 'retry-later';
      }
    }
  }

  /** Makes `info` the version the alias points at in MLflow (idempotent: a version found is reused). */
  private async push(info: ModelInfo): Promise<void> {
    const { client } = this;
    const { alias, serviceName } = this.settings;
    try {
      const modelTags = serviceName ? [{ key: TAG_SERVICE_NAME, value: serviceName }] : [];
      await client.createRegisteredModel(info.modelName, modelTags);
    } catch (error) {
      if (!(error instanceof MlflowError && error.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw error;
    }
    const version = (await this.findVersion(info)) ?? (await this.createVersion(info));
    await client.setRegisteredModelAlias(info.modelName, alias, version.version);
  }

  /** The MLflow version created for this exact registration before (a restart, a retry after a lost answer). */
  private async findVersion(info: ModelInfo): Promise<MlflowModelVersion | undefined> {
    const name = filterLiteral(info.modelName);
    const version = filterLiteral(info.version);
    if (name === undefined || version === undefined) return undefined;
    const found = await this.client.searchModelVersions(`name = ${name} AND tags.\`${TAG_VERSION}\` = ${version}`);
    return found.find((v) => tagOf(v, TAG_MODEL_HASH) === info.modelHash);
  }

  private createVersion(info: ModelInfo): Promise<MlflowModelVersion> {
    return this.client.createModelVersion(info.modelName, sourceOf(info), versionTags(info, this.settings.serviceName));
  }

  /** Makes the version the alias points at the registry's deployed version of `name`. */
  private async follow(name: string): Promise<void> {
    let target: MlflowModelVersion;
    try {
      target = await this.client.getModelVersionByAlias(name, this.settings.alias);
    } catch (error) {
      if (isNotFound(error)) return; // no such model or alias in MLflow (yet): nothing to follow
      throw error;
    }
    const modelHash = tagOf(target, TAG_MODEL_HASH);
    if (modelHash === undefined) {
      this.warnOnce(
        `nohash:${name}`,
        `@llm-otel/mlflow: version ${target.version} of ${name} (alias ${this.settings.alias}) has no ${TAG_MODEL_HASH} tag; not followed`,
      );
      return;
    }
    const version = tagOf(target, TAG_VERSION) ?? target.version;
    const current = this.registry.getModelInfo(name);
    if (current?.version === version && current.modelHash === modelHash) return;
    if (current !== undefined && this.refused.get(name) === current) return;
    // A registration made while we were asking wins: it is pushed next.
    if (this.pending.has(name)) return;
    const deployedAt = tagOf(target, TAG_DEPLOYED_AT) ?? target.creation_timestamp;
    this.applying = true;
    try {
      this.registry.registerModel({
        modelName: name,
        version,
        modelHash,
        metadata: {
          ...(deployedAt !== undefined ? { deploymentDate: deployedAt } : {}),
          mlflowVersion: target.version,
          mlflowAlias: this.settings.alias,
        },
      });
      this.counts.followed++;
      diag.info(`@llm-otel/mlflow: ${name} follows MLflow alias ${this.settings.alias}: version ${version}`);
    } catch (error) {
      if (!(error instanceof ModelRegistryError)) throw error;
      this.counts.dropped++;
      this.warnOnce(
        `invalid:${name}`,
        `@llm-otel/mlflow: version ${target.version} of ${name} can not be registered: ${error.message}`,
      );
    } finally {
      this.applying = false;
    }
  }

  private markReachable(): void {
    if (this.reachable === false)
      diag.info(`@llm-otel/mlflow: MLflow at ${this.client.connection.baseUrl} is reachable again`);
    this.reachable = true;
    // The next outage is reported again (once).
    this.unreachableReported = false;
  }

  private markUnreachable(error: MlflowError): void {
    this.reachable = false;
    if (this.unreachableReported) return;
    this.unreachableReported = true;
    diag.warn(
      `@llm-otel/mlflow: MLflow is unreachable (${error.message}); the app runs on, the model sync retries with backoff (reported once per outage)`,
    );
  }

  private warnOnce(key: string, message: string): void {
    // Keys are per model and kind: bounded by the registry's model limit.
    if (this.reported.has(key)) return;
    this.reported.add(key);
    diag.warn(message);
  }
}
