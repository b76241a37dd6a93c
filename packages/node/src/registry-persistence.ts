import { getModelRegistry, type ModelRegistry, type ModelRegistryStore } from '@llm-otel/core';
import { acquireRegistryLock, readRegistryFile, removeStaleTemporaryFiles, writeFileAtomic } from './registry-file.js';

/** Options of {@link persistRegistry}. */
export interface PersistRegistryOptions {
  /** The registry to keep in the file. Default: the process-wide `getModelRegistry()`. */
  registry?: ModelRegistry;
}

/** A registry kept in a file by {@link persistRegistry}. */
export interface RegistryPersistence {
  /** The file. */
  readonly path: string;
  /** Stops writing the file and releases its lock (the registry keeps its models). Idempotent. */
  stop(): void;
}

/**
 * Keeps a model registry in a JSON file: loads the models the file holds (they replace registrations
 * of the same names made before), then writes the file before every change is made, atomically
 * (temporary file, fsync, rename: a crash mid-write leaves the previous file intact). When a write
 * fails, `registerModel()`/`unregisterModel()` throw and the registry is unchanged. Call it at start,
 * before registering.
 *
 * One process writes a file: `<path>.lock` holds the writer's pid until {@link RegistryPersistence.stop}
 * or exit, and a crashed writer's lock is taken over. Temporary files of crashed writers are removed,
 * those of live processes never.
 *
 * @throws Error naming the file when it is not a valid registry file or another live process writes
 *   it; ModelRegistryError naming the entry when an entry is invalid (nothing of the file is used then).
 */
export function persistRegistry(path: string, options: PersistRegistryOptions = {}): RegistryPersistence {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('persistRegistry: path must be a file path');
  const registry = options.registry ?? getModelRegistry();
  const release = acquireRegistryLock(path);
  const store: ModelRegistryStore = {
    name: path,
    load: () => readRegistryFile(path),
    save: (snapshot) => {
      try {
        writeFileAtomic(path, `${JSON.stringify(snapshot, null, 2)}\n`);
      } catch (error) {
        throw new Error(
          `model registry file ${path} could not be written, so the change was not made: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
    },
  };
  try {
    removeStaleTemporaryFiles(path);
    registry.attachStore(store);
  } catch (error) {
    release();
    throw error;
  }
  let stopped = false;
  return {
    path,
    stop: () => {
      if (stopped) return;
      stopped = true;
      // Detach only our own store: the app may have attached another one since.
      registry.detachStore(store);
      release();
    },
  };
}
