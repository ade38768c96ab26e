// Human labels for calibration and reports: the dashboard's feedback.jsonl, or a JSONL/CSV file of
// scores (run_id + human_score) and preference pairs (better_run_id + worse_run_id).
import fs from 'node:fs';
import { readJsonl } from '../audit/jsonl';
import { parseCsv } from '../papers/csv';

export interface HumanPair {
  better: string;
  worse: string;
  source: 'file' | 'derived';
}

export interface HumanRatings {
  /** run_id → mean human score (0–10) over every rating of that run. */
  scores: Map<string, number>;
  pairs: HumanPair[];
  /** Rows that are not a score or a pair, with the reason. */
  skipped: { line: number; reason: string }[];
  corruptLines: number;
}

const num = (v: unknown): number | null => {
  const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
};
const id = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** Interprets one row: a score or a pair (several accepted spellings), or a reason it is neither. */
export function classifyRow(
  r: Record<string, unknown>,
):
  | { score: { runId: string; value: number } }
  | { pair: { better: string; worse: string } }
  | { skip: string } {
  if (r.target !== undefined && r.target !== 'run')
    return { skip: `feedback on a ${String(r.target)}, not a run` };
  const better = id(r.better_run_id) ?? id(r.chosen_run_id);
  const worse = id(r.worse_run_id) ?? id(r.rejected_run_id);
  if (better && worse) return { pair: { better, worse } };
  const a = id(r.run_a);
  const b = id(r.run_b);
  const pref = typeof r.preferred === 'string' ? r.preferred.trim().toLowerCase() : '';
  if (a && b && (pref === 'a' || pref === 'b'))
    return { pair: pref === 'a' ? { better: a, worse: b } : { better: b, worse: a } };
  const runId = id(r.run_id) ?? (r.target === 'run' ? id(r.id) : null);
  const value = num(r.human_score) ?? num(r.rating) ?? num(r.score);
  if (runId && value !== null) {
    if (value < 0 || value > 10) return { skip: `score ${value} is outside 0–10` };
    return { score: { runId, value } };
  }
  return { skip: 'neither a score (run_id + human_score/rating) nor a pair (better_run_id + worse_run_id)' };
}

async function* rowsOf(
  file: string,
  onCorrupt: () => void,
): AsyncGenerator<[number, Record<string, unknown>]> {
  if (/\.csv$/i.test(file)) {
    const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
    const cols = (header ?? []).map((h) => h.trim());
    let line = 1;
    for (const r of rows) yield [++line, Object.fromEntries(cols.map((c, i) => [c, r[i] ?? '']))];
    return;
  }
  let line = 0;
  for await (const r of readJsonl(file, { onSkip: onCorrupt })) yield [++line, r];
}

export async function readHumanRatings(file: string): Promise<HumanRatings> {
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  const sums = new Map<string, { total: number; n: number }>();
  const out: HumanRatings = { scores: new Map(), pairs: [], skipped: [], corruptLines: 0 };
  for await (const [line, r] of rowsOf(file, () => out.corruptLines++)) {
    const c = classifyRow(r);
    if ('skip' in c) out.skipped.push({ line, reason: c.skip });
    else if ('pair' in c) out.pairs.push({ ...c.pair, source: 'file' });
    else {
      const s = sums.get(c.score.runId) ?? { total: 0, n: 0 };
      s.total += c.score.value;
      s.n++;
      sums.set(c.score.runId, s);
    }
  }
  for (const [k, s] of sums) out.scores.set(k, s.total / s.n);
  return out;
}

/** Pairs implied by scores: two rated runs of the same task whose human scores differ. */
export function derivePairs(
  scores: Map<string, number>,
  taskOf: (runId: string) => string | undefined,
): HumanPair[] {
  const byTask = new Map<string, string[]>();
  for (const runId of scores.keys()) {
    const t = taskOf(runId);
    if (t === undefined) continue;
    byTask.set(t, [...(byTask.get(t) ?? []), runId]);
  }
  const pairs: HumanPair[] = [];
  for (const ids of byTask.values())
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) {
        const a = scores.get(ids[i])!;
        const b = scores.get(ids[j])!;
        if (a !== b)
          pairs.push({ better: a > b ? ids[i] : ids[j], worse: a > b ? ids[j] : ids[i], source: 'derived' });
      }
  return pairs;
}
