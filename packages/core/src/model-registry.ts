import { ATTR_LLM_MODEL_HASH, ATTR_LLM_MODEL_NAME, ATTR_LLM_MODEL_VERSION } from './attributes.js';
import { globalSingleton } from './global-state.js';
import { getLlmMetrics } from './llm-metrics.js';
import { copyMetadata, isMetadataObject, MetadataError } from './model-metadata.js';
import { ModelRegistryError } from './registry-error.js';
import { type ModelRegistrySnapshot, readSnapshotEntries, SNAPSHOT_FORMAT } from './registry-snapshot.js';

/** What is registered for a deployed model (the spec's `register_model` arguments). */
export interface ModelRegistration {
  /** The model's name, e.g. `mistral`. Non-empty, at most 128 characters. */
  modelName: string;
  /** The deployed version, e.g. `v1.0.0`. Non-empty, at most 128 characters, no whitespace. */
  version: string;
  /** Content hash of the weights: hex (6 to 128 digits), optionally prefixed by an algorithm, e.g. `sha256:ab12...`. */
  modelHash: string;
  /**
   * Free-form metadata, JSON-serialisable (plain objects, arrays, strings, finite numbers, booleans,
   * null, Dates), at most 8 levels deep and about 64 KiB of JSON; the registry keeps a frozen copy.
   * `deploymentDate` (or the spec's `deployment_date`) as an ISO date, a Date, or
   * Unix milliseconds sets `llm_model_deployed_at_seconds`; otherwise the registration time is used.
   */
  metadata?: Record<string, unknown>;
}

/** A registered model. */
export interface ModelInfo {
  readonly modelName: string;
  readonly version: string;
  readonly modelHash: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** When this version was deployed (from metadata, else the registration time). */
  readonly deployedAt: Date;
  /** When `registerModel` was called. */
  readonly registeredAt: Date;
}

export { ModelRegistryError };

/** One change of a {@link ModelRegistry}, as its {@link ModelRegistry.onChange} listeners see it. */
export interface ModelRegistryChange {
  /** `registered`: `registerModel` deployed `model`; `unregistered`: `unregisterModel` removed it. */
  readonly kind: 'registered' | 'unregistered';
  /** The model registered, or the one removed. */
  readonly model: ModelInfo;
  /** The version of the same model deployed before the change, if any. */
  readonly previous: ModelInfo | undefined;
}

/** Called synchronously after a change of the registry was made; what it throws is counted, not passed on. */
export type ModelRegistryListener = (change: ModelRegistryChange) => void;

/** Replaced versions still reported (at 0); older ones are forgotten by the registry. */
const MAX_RETIRED = 32;
/** Most models a registry holds (each is a few series of `llm_model_version`): bounds cardinality. */
export const MAX_MODELS = 1000;
const HASH_PATTERN = /^([a-z0-9-]{1,16}:)?[0-9a-f]{6,128}$/i;
const VERSION_PATTERN = /^\S{1,128}$/;

function deploymentDateOf(metadata: Readonly<Record<string, unknown>>, fallback: Date): Date {
  const raw = metadata.deploymentDate ?? metadata.deployment_date;
  if (raw === undefined) return fallback;
  const date = raw instanceof Date ? raw : typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new ModelRegistryError(
      `metadata.deploymentDate ${JSON.stringify(raw)} is not a date (use an ISO date string, a Date or Unix milliseconds)`,
    );
  }
  return date;
}

/**
 * Where a registry keeps its models between runs, e.g. the JSON file of `persistRegistry()` of
 * `@llm-otel/node` (core itself does no I/O). Both methods are synchronous: the registry commits a
 * change only after `save` returned, so a failed save leaves the registry (and what it exports) as
 * it was.
 */
export interface ModelRegistryStore {
  /** Names the store in error messages, e.g. the file path. */
  readonly name: string;
  /** The saved registry (parsed JSON, checked by the registry), or undefined when nothing is saved yet. */
  load(): unknown;
  /** Saves the whole registry. Throwing refuses the change that asked for the save. */
  save(snapshot: ModelRegistrySnapshot): void;
}

/** What the registry holds: replaced with a new object on every change, never mutated. */
interface RegistryState {
  readonly models: ReadonlyMap<string, ModelInfo>;
  /**
   * Versions replaced or removed, reported with `llm_model_version` 0. The OpenTelemetry JS SDK keeps
   * exporting an attribute set it has seen once (cumulative temporality), so a replaced version can
   * not vanish from the exporters: it turns to 0 instead, and only the deployed one is 1. Bounded.
   */
  readonly retired: readonly ModelInfo[];
}

const sameVersion = (a: ModelInfo, b: ModelInfo) =>
  a.modelName === b.modelName && a.version === b.version && a.modelHash === b.modelHash;

/** The state after setting (or, with undefined, removing) the deployed version of a model. */
function withModel(state: RegistryState, modelName: string, next: ModelInfo | undefined): RegistryState {
  const models = new Map(state.models);
  const previous = models.get(modelName);
  // A version deployed again is no longer retired.
  let retired = next === undefined ? [...state.retired] : state.retired.filter((m) => !sameVersion(m, next));
  if (next !== undefined) models.set(modelName, next);
  else models.delete(modelName);
  if (previous !== undefined && (next === undefined || !sameVersion(previous, next))) {
    retired.push(previous);
    if (retired.length > MAX_RETIRED) retired = retired.slice(retired.length - MAX_RETIRED);
  }
  return { models, retired };
}

function snapshotOf(models: Iterable<ModelInfo>): ModelRegistrySnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: 1,
    models: [...models].map((m) => ({
      modelName: m.modelName,
      version: m.version,
      modelHash: m.modelHash,
      metadata: { ...m.metadata },
      deployedAt: m.deployedAt.toISOString(),
      registeredAt: m.registeredAt.toISOString(),
    })),
  };
}

/**
 * The model registry of the spec: which version of each model is deployed. Registered models are
 * exported as `llm_model_version` (value 1, labelled with name, version and hash) and
 * `llm_model_deployed_at_seconds`. Registering a model again replaces its previous version: the new
 * version's series is 1 and the replaced one's turns to 0, so exactly one series per model is 1
 * (`llm_model_version == 1` is the deployed set).
 */
export class ModelRegistry {
  private state: RegistryState = { models: new Map(), retired: [] };
  private store: ModelRegistryStore | undefined;
  private readonly listeners = new Set<ModelRegistryListener>();

  constructor() {
    const metrics = getLlmMetrics();
    const versionAttributes = (m: ModelInfo) => ({
      [ATTR_LLM_MODEL_NAME]: m.modelName,
      [ATTR_LLM_MODEL_VERSION]: m.version,
      [ATTR_LLM_MODEL_HASH]: m.modelHash,
    });
    metrics.addGaugeObserver('modelVersion', (result) => {
      const { models, retired } = this.state;
      for (const m of retired) result.observe(0, versionAttributes(m));
      for (const m of models.values()) result.observe(1, versionAttributes(m));
    });
    metrics.addGaugeObserver('modelDeployedAt', (result) => {
      const { models, retired } = this.state;
      for (const m of [...retired, ...models.values()]) {
        result.observe(m.deployedAt.getTime() / 1000, {
          [ATTR_LLM_MODEL_NAME]: m.modelName,
          [ATTR_LLM_MODEL_VERSION]: m.version,
        });
      }
    });
  }

  /**
   * Registers (or re-deploys) a model version. With a store attached, the registry is saved first
   * and the change made only when the save succeeded.
   * @throws ModelRegistryError when a field is invalid or the registry already holds
   *   {@link MAX_MODELS} other models; the store's error when saving failed (nothing changed then).
   */
  registerModel(registration: ModelRegistration): ModelInfo {
    const info = this.validate(registration, new Date());
    if (!this.state.models.has(info.modelName) && this.state.models.size >= MAX_MODELS)
      throw new ModelRegistryError(`the registry holds ${MAX_MODELS} models already; unregister one first`);
    const previous = this.state.models.get(info.modelName);
    this.commit(withModel(this.state, info.modelName, info));
    // Make sure the observable gauges exist on the current global provider.
    getLlmMetrics().instruments();
    this.notify({ kind: 'registered', model: info, previous });
    return info;
  }

  private validate(registration: ModelRegistration, registeredAt: Date, deployedAt?: Date): ModelInfo {
    const { modelName, version, modelHash, metadata = {} } = registration ?? ({} as ModelRegistration);
    if (typeof modelName !== 'string' || modelName.trim().length === 0 || modelName.length > 128)
      throw new ModelRegistryError('modelName must be a non-empty string of at most 128 characters');
    if (typeof version !== 'string' || !VERSION_PATTERN.test(version))
      throw new ModelRegistryError('version must be a non-empty string of at most 128 characters without whitespace');
    if (typeof modelHash !== 'string' || !HASH_PATTERN.test(modelHash))
      throw new ModelRegistryError(
        'modelHash must be 6 to 128 hex digits, optionally prefixed by an algorithm name (e.g. "sha256:9f86d0...")',
      );
    if (!isMetadataObject(metadata)) throw new ModelRegistryError('metadata must be a plain object');
    let copied: Readonly<Record<string, unknown>>;
    try {
      copied = copyMetadata(metadata);
    } catch (error) {
      if (error instanceof MetadataError) throw new ModelRegistryError(error.message);
      throw error;
    }
    return Object.freeze({
      modelName,
      version,
      modelHash,
      metadata: copied,
      deployedAt: deployedAt ?? deploymentDateOf(copied, registeredAt),
      registeredAt,
    });
  }

  /** The registered info for a model, or undefined. */
  getModelInfo(modelName: string): ModelInfo | undefined {
    return this.state.models.get(modelName);
  }

  /** The deployed version of a model, or undefined. */
  getModelVersion(modelName: string): string | undefined {
    return this.state.models.get(modelName)?.version;
  }

  /** All registered models, in registration order. */
  listModels(): ModelInfo[] {
    return [...this.state.models.values()];
  }

  /**
   * Removes a model; its series turns to 0 at the next collection. Returns whether it existed.
   * @throws the store's error when saving failed (the model stays registered then).
   */
  unregisterModel(modelName: string): boolean {
    const removed = this.state.models.get(modelName);
    if (removed === undefined) return false;
    this.commit(withModel(this.state, modelName, undefined));
    this.notify({ kind: 'unregistered', model: removed, previous: removed });
    return true;
  }

  /**
   * Keeps the registry in `store` (`persistRegistry()` of `@llm-otel/node` attaches a file): loads the
   * saved models (they replace registrations of the same names made before), saves the result, and
   * from then on saves before every change. The saved registry is checked entirely before any of it
   * is used, so a bad entry anywhere changes nothing.
   *
   * @throws ModelRegistryError naming the store and the entry when the saved registry is invalid or a
   *   store is attached already; the store's error when loading or saving failed (nothing changed).
   */
  attachStore(store: ModelRegistryStore): void {
    if (this.store !== undefined)
      throw new ModelRegistryError(
        `the registry is kept in ${this.store.name} already; detachStore() first to keep it in ${store.name}`,
      );
    const raw = store.load();
    let next = this.state;
    if (raw !== undefined) {
      const infos = readSnapshotEntries(raw, store.name).map((entry, index) => {
        try {
          return this.validate(entry, entry.registeredAt, entry.deployedAt);
        } catch (error) {
          if (!(error instanceof ModelRegistryError)) throw error;
          throw new ModelRegistryError(
            `model registry file ${store.name}: entry ${index} (${JSON.stringify(entry.modelName.slice(0, 128))}): ${error.message}`,
          );
        }
      });
      for (const info of infos) next = withModel(next, info.modelName, info);
      if (next.models.size > MAX_MODELS)
        throw new ModelRegistryError(`model registry file ${store.name} holds more than ${MAX_MODELS} models`);
    }
    store.save(snapshotOf(next.models.values()));
    this.state = next;
    this.store = store;
    getLlmMetrics().instruments();
  }

  /**
   * Stops saving to the store given to {@link attachStore} (only when it is `store`, if given).
   * Returns whether a store was detached.
   */
  detachStore(store?: ModelRegistryStore): boolean {
    if (this.store === undefined || (store !== undefined && store !== this.store)) return false;
    this.store = undefined;
    return true;
  }

  /**
   * Moved: file persistence needs `node:fs`, so it lives in `@llm-otel/node`:
   * `persistRegistry(path, { registry })`.
   * @deprecated Use `persistRegistry()` of `@llm-otel/node`.
   * @throws ModelRegistryError always, saying where it went.
   */
  persistTo(_path: string): never {
    throw new ModelRegistryError(
      "registry.persistTo(path) moved to @llm-otel/node: import { persistRegistry } from '@llm-otel/node'; persistRegistry(path, { registry })",
    );
  }

  /**
   * Calls `listener` after every `registerModel` and `unregisterModel` that changed the registry, in
   * order, synchronously (e.g. `@llm-otel/mlflow` mirrors the registry into MLflow's; a listener
   * with slow work queues it). Models loaded by {@link attachStore} are not changes. A listener that
   * throws is counted in `llm_otel_internal_errors_total` (component `modelRegistryListener`); the
   * change and the caller are unaffected. Returns a function that removes the listener.
   * @throws ModelRegistryError when `listener` is not a function.
   */
  onChange(listener: ModelRegistryListener): () => void {
    if (typeof listener !== 'function') throw new ModelRegistryError('onChange(listener): listener must be a function');
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private notify(change: ModelRegistryChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        getLlmMetrics().reportInternalError('modelRegistryListener', error);
      }
    }
  }

  /** Saves `next` (when a store is attached), then makes it the registry's state. */
  private commit(next: RegistryState): void {
    this.store?.save(snapshotOf(next.models.values()));
    this.state = next;
  }
}

/** The process-wide model registry (the spec's `get_model_registry()`). */
export function getModelRegistry(): ModelRegistry {
  return globalSingleton('modelRegistry', () => new ModelRegistry());
}
