/**
 * Notices for the dashboard: things an operator should see without looking for them (today: an evaluator whose
 * nightly drift check fell below its qualification interval). One line each in `data/notices.jsonl`, written by
 * the audit worker; `readNotices` is what the dashboard shows.
 */
import path from 'node:path';
import { z } from 'zod';
import { appendJsonl, readJsonl } from '../audit/jsonl';

export const Notice = z.object({
  notice_id: z.string(),
  at: z.string(),
  kind: z.enum(['evaluator_drift']),
  severity: z.enum(['info', 'warning']),
  /** One sentence for the operator. */
  message: z.string(),
  model: z.string().nullable(),
  digest: z.string().nullable(),
  /** The measurement that raised it (a line of evaluators.jsonl) and what it was compared with. */
  qualification_id: z.string().nullable(),
  baseline_qualification_id: z.string().nullable(),
});
export type Notice = z.infer<typeof Notice>;

export const noticesFile = (dataDir: string) => path.join(dataDir, 'notices.jsonl');

/** Appends a notice once per notice_id (a retried activity does not add it twice). */
export async function appendNotice(dataDir: string, n: Notice): Promise<void> {
  await appendJsonl(noticesFile(dataDir), Notice.parse(n), { key: 'notice_id' });
}

/** Every valid notice, newest first; `since` (ISO time) keeps the later ones only. */
export async function readNotices(dataDir: string, opts: { since?: string } = {}): Promise<Notice[]> {
  const since = opts.since ? Date.parse(opts.since) : -Infinity;
  const out: Notice[] = [];
  for await (const line of readJsonl(noticesFile(dataDir), { key: 'notice_id' })) {
    const r = Notice.safeParse(line);
    if (r.success && Date.parse(r.data.at) >= since) out.push(r.data);
  }
  return out.reverse();
}
