// Waits for a workflow's result, printing a progress line to stderr whenever it changes (polled every 2 s).
import { setTimeout as sleep } from 'node:timers/promises';

export async function resultWithProgress<T>(
  result: Promise<T>,
  poll: () => Promise<string | null>,
  everyMs = 2000,
): Promise<T> {
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => undefined);
  let shown = '';
  while (!finished) {
    await Promise.race([sleep(everyMs), result.catch(() => undefined)]);
    const line = await poll().catch(() => null);
    if (line && line !== shown) process.stderr.write(`${line}\n`);
    shown = line || shown;
  }
  return result;
}
