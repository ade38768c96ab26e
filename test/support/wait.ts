// Waiting for a condition in tests: one polling helper, with a generous default (the machine is shared).
import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `cond` every `everyMs` until it returns something truthy and returns that; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  cond: () => T | Promise<T>,
  timeoutMs = 120_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
