import { ATTR_LLM_MODEL_HASH, ATTR_LLM_MODEL_NAME, ATTR_LLM_MODEL_VERSION } from './attributes.js';
import { globalSingleton } from './global-state.js';
import { getLlmMetrics } from './llm-metrics.js';
import { copyMetadata, isMetadataObject, MetadataError } from './model-metadata.js';
import {
  type RegistryFileContent,
  readRegistryFile,
  removeStaleTemporaryFiles,
  writeFileAtomic,
} from './registry-file.js';

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

/** Thrown by the registry for invalid registrations; the message names the field. */
export class ModelRegistryError extends Error {
  override name = 'ModelRegistryError';
}

/** Replaced versions still reported (at 0); older ones are forgotten by the registry. */
const MAX_RETIRED = 32;
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
 * The model registry of the spec: which version of each model is deployed. Registered models are
 * exported as `llm_model_version` (value 1, labelled with name, version and hash) and
 * `llm_model_deployed_at_seconds`. Registering a model again replaces its previous version: the new
 * version's series is 1 and the replaced one's turns to 0, so exactly one series per model is 1
 * (`llm_model_version == 1` is the deployed set).
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelInfo>();
  /**
   * Versions replaced or removed, reported with `llm_model_version` 0. The OpenTelemetry JS SDK keeps
   * exporting an attribute set it has seen once (cumulative temporality), so a replaced version can
   * not vanish from the exporters: it turns to 0 instead, and only the deployed one is 1. Bounded.
   */
  private readonly retired: ModelInfo[] = [];
  private file: string | undefined;

  constructor() {
    const metrics = getLlmMetrics();
    const versionAttributes = (m: ModelInfo) => ({
      [ATTR_LLM_MODEL_NAME]: m.modelName,
      [ATTR_LLM_MODEL_VERSION]: m.version,
      [ATTR_LLM_MODEL_HASH]: m.modelHash,
    });
    metrics.addGaugeObserver('modelVersion', (result) => {
      for (const m of this.retired) result.observe(0, versionAttributes(m));
      for (const m of this.models.values()) result.observe(1, versionAttributes(m));
    });
    metrics.addGaugeObserver('modelDeployedAt', (result) => {
      for (const m of [...this.retired, ...this.models.values()]) {
        result.observe(m.deployedAt.getTime() / 1000, {
          [ATTR_LLM_MODEL_NAME]: m.modelName,
          [ATTR_LLM_MODEL_VERSION]: m.version,
        });
      }
    });
  }

  /**
   * Registers (or re-deploys) a model version.
   * @throws ModelRegistryError when a field is invalid.
   */
  registerModel(registration: ModelRegistration): ModelInfo {
    const info = this.validate(registration, new Date());
    this.replace(info.modelName, info);
    this.save();
    // Make sure the observable gauges exist on the current global provider.
    getLlmMetrics().instruments();
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
    return this.models.get(modelName);
  }

  /** The deployed version of a model, or undefined. */
  getModelVersion(modelName: string): string | undefined {
    return this.models.get(modelName)?.version;
  }

  /** All registered models, in registration order. */
  listModels(): ModelInfo[] {
    return [...this.models.values()];
  }

  /** Removes a model; its series disappear from the next collection. Returns whether it existed. */
  unregisterModel(modelName: string): boolean {
    const existed = this.replace(modelName, undefined);
    if (existed) this.save();
    return existed;
  }

  /** Sets (or removes) the deployed version of a model, retiring the one it replaces. */
  private replace(modelName: string, next: ModelInfo | undefined): boolean {
    const previous = this.models.get(modelName);
    const same = (a: ModelInfo, b: ModelInfo) =>
      a.modelName === b.modelName && a.version === b.version && a.modelHash === b.modelHash;
    if (next !== undefined) {
      // A version deployed again is no longer retired.
      for (let i = this.retired.length - 1; i >= 0; i--)
        if (same(this.retired[i] as ModelInfo, next)) this.retired.splice(i, 1);
      this.models.set(modelName, next);
    } else {
      this.models.delete(modelName);
    }
    if (previous !== undefined && (next === undefined || !same(previous, next))) {
      this.retired.push(previous);
      if (this.retired.length > MAX_RETIRED) this.retired.shift();
    }
    return previous !== undefined;
  }

  /**
   * Keeps the registry in a JSON file: loads the models it holds (they replace registrations of the
   * same names made before), then writes the file after every change, atomically (a crash mid-write
   * leaves the previous file intact). Call it at start, before registering.
   *
   * @throws Error naming the file when it exists but is not a valid registry file, and
   *   ModelRegistryError when an entry in it is invalid.
   */
  persistTo(path: string): void {
    const content = readRegistryFile(path);
    removeStaleTemporaryFiles(path);
    for (const entry of content?.models ?? []) {
      const info = this.validate(entry, new Date(entry.registeredAt), new Date(entry.deployedAt));
      if (Number.isNaN(info.deployedAt.getTime()) || Number.isNaN(info.registeredAt.getTime()))
        throw new ModelRegistryError(`model registry file ${path}: entry ${entry.modelName} has an invalid date`);
      this.replace(info.modelName, info);
    }
    this.file = path;
    this.save();
    getLlmMetrics().instruments();
  }

  /** Stops writing to the file given to {@link persistTo}. */
  stopPersisting(): void {
    this.file = undefined;
  }

  private save(): void {
    if (this.file === undefined) return;
    const content: RegistryFileContent = {
      format: 'llm-otel.model-registry',
      version: 1,
      models: [...this.models.values()].map((m) => ({
        modelName: m.modelName,
        version: m.version,
        modelHash: m.modelHash,
        metadata: { ...m.metadata },
        deployedAt: m.deployedAt.toISOString(),
        registeredAt: m.registeredAt.toISOString(),
      })),
    };
    writeFileAtomic(this.file, `${JSON.stringify(content, null, 2)}\n`);
  }
}

/** The process-wide model registry (the spec's `get_model_registry()`). */
export function getModelRegistry(): ModelRegistry {
  return globalSingleton('modelRegistry', () => new ModelRegistry());
}
