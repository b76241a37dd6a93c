import { ATTR_LLM_MODEL_HASH, ATTR_LLM_MODEL_NAME, ATTR_LLM_MODEL_VERSION } from './attributes.js';
import { globalSingleton } from './global-state.js';
import { getLlmMetrics } from './llm-metrics.js';
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
   * Free-form metadata. `deploymentDate` (or the spec's `deployment_date`) as an ISO date, a Date, or
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

const HASH_PATTERN = /^([a-z0-9-]{1,16}:)?[0-9a-f]{6,128}$/i;
const VERSION_PATTERN = /^\S{1,128}$/;

function deploymentDateOf(metadata: Record<string, unknown>, fallback: Date): Date {
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
 * `llm_model_deployed_at_seconds`. Registering a model again replaces its previous version, so only
 * one `llm_model_version` series per model is reported.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelInfo>();
  private file: string | undefined;

  constructor() {
    const metrics = getLlmMetrics();
    metrics.addGaugeObserver('modelVersion', (result) => {
      for (const m of this.models.values()) {
        result.observe(1, {
          [ATTR_LLM_MODEL_NAME]: m.modelName,
          [ATTR_LLM_MODEL_VERSION]: m.version,
          [ATTR_LLM_MODEL_HASH]: m.modelHash,
        });
      }
    });
    metrics.addGaugeObserver('modelDeployedAt', (result) => {
      for (const m of this.models.values()) {
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
    this.models.set(info.modelName, info);
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
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      throw new ModelRegistryError('metadata must be a plain object');
    return Object.freeze({
      modelName,
      version,
      modelHash,
      metadata: Object.freeze({ ...metadata }),
      deployedAt: deployedAt ?? deploymentDateOf(metadata, registeredAt),
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
    const existed = this.models.delete(modelName);
    if (existed) this.save();
    return existed;
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
      this.models.set(info.modelName, info);
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
