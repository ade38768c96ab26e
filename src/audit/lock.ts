// An exclusive lock per file that holds across processes (a `<file>.lock` directory, via proper-lockfile)
// and within one process (a promise queue, so callers in one process never spin on their own lock).
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';

/** A holder that crashed stops refreshing its lock's mtime; after this long others take the lock over. */
const STALE_MS = 5000;

const queues = new Map<string, Promise<unknown>>();

export class LockError extends Error {}

export async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.then(
    () => withProcessLock(key, fn),
    () => withProcessLock(key, fn),
  );
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

async function withProcessLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  let compromised: Error | null = null;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      lockfilePath: `${file}.lock`,
      stale: STALE_MS,
      update: STALE_MS / 5,
      // Enough patience to outlast a stale lock left by a killed holder.
      retries: { retries: 400, factor: 1.3, minTimeout: 2, maxTimeout: 50, randomize: true },
      // The default throws from a timer and would crash the process.
      onCompromised: (err) => {
        compromised = err;
      },
    });
  } catch (err) {
    throw new LockError(`cannot lock ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return await fn();
  } finally {
    if (!compromised) await release().catch(() => undefined);
  }
}
