import { createHash } from 'node:crypto';

/** The form two tasks must share to count as the same task: NFKC, lower case, single spaces. */
export function normalizeTask(task: string): string {
  return task.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** 16 hex digits of SHA-256 over the normalized task: the key of rollout pairs and of the train/test split. */
export function taskHash(task: string): string {
  return createHash('sha256').update(normalizeTask(task)).digest('hex').slice(0, 16);
}

/** 'test' for about `testFraction` of tasks, chosen by task hash, so a task is always on one side. */
export function splitOf(task: string, testFraction: number): 'train' | 'test' {
  if (testFraction <= 0) return 'train';
  const u = parseInt(taskHash(task).slice(0, 8), 16) / 0x1_0000_0000;
  return u < testFraction ? 'test' : 'train';
}

/** Identity of a row for duplicate removal: SHA-256 over its prompt and completion parts. */
export function contentKey(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
