import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The on-disk form of the registry (versioned so the format can evolve). */
export interface RegistryFileContent {
  format: 'llm-otel.model-registry';
  version: 1;
  models: Array<{
    modelName: string;
    version: string;
    modelHash: string;
    metadata: Record<string, unknown>;
    deployedAt: string;
    registeredAt: string;
  }>;
}

/**
 * Writes `content` to `path` atomically: to a temporary file in the same directory, flushed to disk,
 * then renamed over the target (rename is atomic on POSIX file systems), and the directory flushed.
 * A crash at any point leaves either the old file or the new one, never a partial one.
 */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file is gone already
    }
    throw error;
  }
  try {
    const dirFd = openSync(dirname(path), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/** Reads a registry file; undefined when it does not exist. Throws with the path on a bad file. */
export function readRegistryFile(path: string): RegistryFileContent | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`model registry file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const content = parsed as Partial<RegistryFileContent>;
  if (content?.format !== 'llm-otel.model-registry' || content.version !== 1 || !Array.isArray(content.models))
    throw new Error(`model registry file ${path} is not an llm-otel model registry (format version 1)`);
  return content as RegistryFileContent;
}

/** Removes temporary files a crashed writer of `path` left behind (they never replaced the file). */
export function removeStaleTemporaryFiles(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (pid === process.pid) continue;
    try {
      unlinkSync(join(dirname(path), name));
    } catch {
      // another process may have removed it
    }
  }
}
