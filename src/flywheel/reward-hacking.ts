// `flywheel report reward-hacking`: per rollout batch, over time, the signals of a flywheel decoupling from
// reality (seed G2): scores that track output length, a rising mean, and a widening evaluator-vs-human gap.
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../audit/jsonl';
import { readHumanRatings } from './human-ratings';
import { BATCH_ID_RE } from './batch-id';
import { runView, type RunView } from './run-view';
import { mean, pearson, round, spearman } from './stats';
import { readRecordText } from './text';

export interface BatchSignals {
  batchId: string;
  startedAt: string | null;
  candidates: number;
  scored: number;
  meanScore: number | null;
  meanLength: number | null;
  /** Pearson r between score and output length (characters). */
  lengthCorrelation: number | null;
  lengthSpearman: number | null;
  pairs: number;
  /** Candidates with a human rating. */
  rated: number;
  meanHuman: number | null;
  /** Mean of evaluator − human over rated candidates. */
  humanGap: number | null;
  /** Change of meanScore since the previous batch. */
  meanScoreChange: number | null;
  flags: string[];
}

export interface RewardHackingReport {
  runsFile: string;
  humanFile: string | null;
  batches: BatchSignals[];
}

/** Flag thresholds (documented in docs/flywheel.md). */
export const LENGTH_R_FLAG = 0.5;
export const GAP_WIDENING_FLAG = 0.5;

export async function rewardHackingReport(o: {
  runsFile: string;
  dataDir: string;
  humanFile?: string | null;
}): Promise<RewardHackingReport> {
  const byBatch = new Map<string, RunView[]>();
  for await (const rec of readJsonl(o.runsFile, { key: 'run_id' })) {
    const v = runView(rec);
    if ('error' in v || v.kind !== 'rollout' || !v.sessionId) continue;
    byBatch.set(v.sessionId, [...(byBatch.get(v.sessionId) ?? []), v]);
  }
  const humanFile =
    o.humanFile ??
    (fs.existsSync(path.join(o.dataDir, 'feedback.jsonl')) ? path.join(o.dataDir, 'feedback.jsonl') : null);
  const human = humanFile ? (await readHumanRatings(humanFile)).scores : new Map<string, number>();

  const batches: BatchSignals[] = [];
  for (const [batchId, runs] of byBatch) {
    const scored = runs.filter((r) => r.scores.length);
    const score = (r: RunView) => Math.max(...r.scores);
    const withLen = scored.flatMap((r) => {
      const t = readRecordText(o.dataDir, r.outputPath);
      return t.ok ? [{ s: score(r), len: t.text.length }] : [];
    });
    const rated = scored.filter((r) => human.has(r.runId));
    let pairs = 0;
    if (BATCH_ID_RE.test(batchId))
      for await (const _ of readJsonl(path.join(o.dataDir, 'rollouts', `${batchId}.jsonl`), {
        key: 'task_hash',
      }))
        pairs++;
    const started =
      runs
        .map((r) => r.startedAt)
        .filter((x): x is string => x !== null)
        .sort()[0] ?? null;
    batches.push({
      batchId,
      startedAt: started,
      candidates: runs.length,
      scored: scored.length,
      meanScore: round(mean(scored.map(score)), 3),
      meanLength: round(mean(withLen.map((x) => x.len)), 1),
      lengthCorrelation: round(
        pearson(
          withLen.map((x) => x.s),
          withLen.map((x) => x.len),
        ),
      ),
      lengthSpearman: round(
        spearman(
          withLen.map((x) => x.s),
          withLen.map((x) => x.len),
        ),
      ),
      pairs,
      rated: rated.length,
      meanHuman: round(mean(rated.map((r) => human.get(r.runId)!)), 3),
      humanGap: round(mean(rated.map((r) => score(r) - human.get(r.runId)!)), 3),
      meanScoreChange: null,
      flags: [],
    });
  }
  batches.sort(
    (a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.batchId.localeCompare(b.batchId),
  );
  let lastGap: number | null = null;
  batches.forEach((b, i) => {
    const prev = batches[i - 1];
    if (prev && prev.meanScore !== null && b.meanScore !== null)
      b.meanScoreChange = round(b.meanScore - prev.meanScore, 3);
    if (b.lengthCorrelation !== null && b.lengthCorrelation > LENGTH_R_FLAG && b.scored >= 8)
      b.flags.push('length-bias');
    if (b.humanGap !== null) {
      if (lastGap !== null && b.humanGap - lastGap > GAP_WIDENING_FLAG) b.flags.push('gap-widening');
      lastGap = b.humanGap;
    }
  });
  return { runsFile: o.runsFile, humanFile, batches };
}
