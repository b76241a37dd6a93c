import { ModelRegistryError } from './registry-error.js';

/**
 * The saved form of a model registry (what a store such as `persistRegistry()` of `@llm-otel/node`
 * writes as JSON), and its reading: the whole snapshot is checked before any entry is used, so a bad
 * entry anywhere never leaves a half-loaded registry.
 */

/** The format tag of a saved registry. */
export const SNAPSHOT_FORMAT = 'llm-otel.model-registry';

/** One registered model as saved. Dates are ISO strings. */
export interface ModelRegistrySnapshotEntry {
  modelName: string;
  version: string;
  modelHash: string;
  metadata: Record<string, unknown>;
  deployedAt: string;
  registeredAt: string;
}

/** The saved form of a registry (versioned so the format can evolve). */
export interface ModelRegistrySnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: 1;
  models: ModelRegistrySnapshotEntry[];
}

/** An entry whose fields have the types of a snapshot entry (values are checked by the registry). */
export interface SnapshotEntryFields {
  modelName: string;
  version: string;
  modelHash: string;
  metadata: Record<string, unknown>;
  deployedAt: Date;
  registeredAt: Date;
}

/**
 * Reads the entries of a saved registry, checking the envelope and the type of every field of every
 * entry. `source` names the store (e.g. the file path) in messages.
 *
 * @throws ModelRegistryError naming the source and the entry (by index and name) of the first problem.
 */
export function readSnapshotEntries(raw: unknown, source: string): SnapshotEntryFields[] {
  const content = raw as Partial<ModelRegistrySnapshot> | null;
  if (
    typeof content !== 'object' ||
    content === null ||
    content.format !== SNAPSHOT_FORMAT ||
    content.version !== 1 ||
    !Array.isArray(content.models)
  )
    throw new ModelRegistryError(`model registry file ${source} is not an llm-otel model registry (format version 1)`);
  const seen = new Set<string>();
  return content.models.map((entry: unknown, index) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const where = `model registry file ${source}: entry ${index}${typeof e.modelName === 'string' ? ` (${JSON.stringify(e.modelName.slice(0, 128))})` : ''}`;
    for (const field of ['modelName', 'version', 'modelHash', 'deployedAt', 'registeredAt'] as const)
      if (typeof e[field] !== 'string') throw new ModelRegistryError(`${where}: ${field} is not a string`);
    const metadata = e.metadata ?? {};
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      throw new ModelRegistryError(`${where}: metadata is not an object`);
    const deployedAt = new Date(e.deployedAt as string);
    const registeredAt = new Date(e.registeredAt as string);
    if (Number.isNaN(deployedAt.getTime()) || Number.isNaN(registeredAt.getTime()))
      throw new ModelRegistryError(`${where}: has an invalid date`);
    if (seen.has(e.modelName as string)) throw new ModelRegistryError(`${where}: the model is listed twice`);
    seen.add(e.modelName as string);
    return {
      modelName: e.modelName as string,
      version: e.version as string,
      modelHash: e.modelHash as string,
      metadata: metadata as Record<string, unknown>,
      deployedAt,
      registeredAt,
    };
  });
}
