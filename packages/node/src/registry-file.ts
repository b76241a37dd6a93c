import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The temporary file a write of `path` goes through; the pid in it tells whose it is. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
}

/**
 * Writes `content` to `path` atomically: to a temporary file in the same directory, flushed to disk,
 * then renamed over the target (rename is atomic on POSIX file systems), and the directory flushed.
 * A crash at any point leaves either the old file or the new one, never a partial one.
 */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = temporaryName(path);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(tmp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (error) {
    removeQuietly(tmp);
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

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

/** Reads and parses a registry file; undefined when it does not exist. Throws naming the path. */
export function readRegistryFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`model registry file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Whether a process with this pid runs on this host (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files that writers of `path` left behind when they crashed. Only files of
 * processes that are gone are removed: a live process's file may be in the middle of its write.
 */
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
    if (pid === process.pid || isProcessAlive(pid)) continue;
    removeQuietly(join(dirname(path), name));
  }
}

/** The lock file that makes one process at a time the writer of `path`. */
export function lockFileOf(path: string): string {
  return `${path}.lock`;
}

/**
 * Makes this process the only writer of `path` until the returned function is called (or the
 * process exits): creates `<path>.lock` holding the pid. A lock whose process is gone (it crashed)
 * is taken over. The lock is created complete or not at all (written aside, then hard-linked into
 * place, which fails when the name exists), so a reader never sees an empty lock.
 *
 * Limits: processes on one host (the pid is checked with `kill(pid, 0)`); two processes taking over
 * the same stale lock at the same instant can both succeed (a crash followed by two simultaneous
 * starts).
 *
 * @throws Error naming the file and the pid of the process that holds it.
 */
export function acquireRegistryLock(path: string): () => void {
  const lock = lockFileOf(path);
  const own = String(process.pid);
  const aside = `${lock}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(aside, own, { mode: 0o644 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(aside, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lock);
      if (holder === process.pid)
        throw new Error(`model registry file ${path} is already persisted by this process (lock ${lock})`);
      if (attempt > 0 || (holder !== undefined && isProcessAlive(holder)))
        throw new Error(
          `model registry file ${path} is in use by process ${holder ?? '(unknown)'} (lock ${lock}); one process writes a registry file`,
        );
      removeQuietly(lock); // its process is gone: take it over
    }
  } finally {
    removeQuietly(aside);
  }
  const release = () => {
    process.removeListener('exit', release);
    if (readHolder(lock) === process.pid) removeQuietly(lock);
  };
  process.on('exit', release);
  return release;
}

function readHolder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
