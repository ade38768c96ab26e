import fs from 'node:fs';
import { recordSecurityEvent } from '../security/events';
import { PathSandboxError, resolveInside } from '../security/sandbox';

export type TextResult = { ok: true; text: string } | { ok: false; reason: string };

const OUTSIDE = 'is outside the data folder';
/** Whether a reason is the sandbox's refusal (a record naming a path outside the data folder: a security event). */
export const isRefusal = (reason: string) => reason.endsWith(OUTSIDE);

/** Reads a file named in a record (relative to the data folder). Missing, empty or outside → a reason. */
export function readRecordText(dataDir: string, rel: string | null, what = 'output'): TextResult {
  if (!rel) return { ok: false, reason: `no ${what} path in the record` };
  let abs: string;
  try {
    abs = resolveInside(dataDir, rel);
  } catch (e) {
    if (e instanceof PathSandboxError) return { ok: false, reason: `${what} path ${rel} ${OUTSIDE}` };
    throw e;
  }
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: `${what} file ${rel} ${code === 'ENOENT' ? 'is missing' : `unreadable (${code})`}`,
    };
  }
  if (!text.trim()) return { ok: false, reason: `${what} file ${rel} is empty` };
  return { ok: true, text };
}

/** Every sandbox refusal among `reasons` becomes a `path_sandbox` event of the run (a record naming such a path was
 * written or tampered with outside the product). */
export async function recordRefusals(
  dataDir: string,
  runId: string,
  layer: string,
  reasons: string[],
): Promise<void> {
  for (const reason of reasons.filter(isRefusal))
    await recordSecurityEvent(dataDir, {
      runId,
      eventType: 'path_sandbox',
      layer,
      severity: 'block',
      detail: `${layer}: ${reason}`,
    });
}
