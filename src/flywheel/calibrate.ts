// `flywheel calibrate`: how well each evaluator agrees with human ratings.
import { readJsonl } from '../audit/jsonl';
import { derivePairs, readHumanRatings, type HumanPair } from './human-ratings';
import { positionCheck, type PositionCall } from './position';
import { publishedScores, runView, type RunView } from './run-view';
import { cohenKappa, kendallTauB, mean, round, spearman } from './stats';
import { taskHash } from './task-hash';
import { readRecordText, recordRefusals } from './text';

export interface PositionStats {
  asked: number;
  consistent: number;
  unusable: number;
  /** consistent / (asked − unusable). */
  consistency: number | null;
  /** Share of usable answers that picked slot A: 0.5 is no position bias. */
  firstSlotRate: number | null;
  error?: string;
}

export interface EvaluatorCalibration {
  model: string;
  /** Runs with both a human score and this evaluator's score. */
  n: number;
  spearman: number | null;
  kendallTauB: number | null;
  /** Cohen's kappa on pass/fail (score ≥ threshold) between evaluator and human. */
  kappa: number | null;
  /** Mean of evaluator − human. */
  meanGap: number | null;
  pairs: number;
  pairAgreements: number;
  pairTies: number;
  /** Pairs where the evaluator scored the human's preferred run higher, over all pairs (ties count against). */
  pairAgreement: number | null;
  position: PositionStats | null;
}

export interface CalibrationReport {
  humanFile: string;
  runsFile: string;
  threshold: number;
  ratedRuns: number;
  /** Rated run ids not found in runs.jsonl. */
  unmatchedRuns: number;
  pairs: { file: number; derived: number; unmatched: number };
  skippedRows: { line: number; reason: string }[];
  corruptLines: number;
  evaluators: EvaluatorCalibration[];
}

export interface CalibrateOptions {
  humanFile: string;
  runsFile: string;
  dataDir: string;
  threshold?: number;
  /** Ask each evaluator about this many pairs in both orders (0 = skip the position check). */
  positionPairs?: number;
  llm?: Omit<PositionCall, 'model'>;
}

export async function calibrate(o: CalibrateOptions): Promise<CalibrationReport> {
  const threshold = o.threshold ?? 8.0;
  const human = await readHumanRatings(o.humanFile);
  const runs = new Map<string, RunView>();
  for await (const rec of readJsonl(o.runsFile, { key: 'run_id' })) {
    const v = runView(rec);
    if (!('error' in v)) runs.set(v.runId, v);
  }
  const rated = [...human.scores.keys()].filter((k) => runs.has(k));
  const derived = derivePairs(new Map(rated.map((k) => [k, human.scores.get(k)!])), (k) =>
    runs.has(k) ? taskHash(runs.get(k)!.task) : undefined,
  );
  const allPairs: HumanPair[] = [...human.pairs, ...derived];
  const pairs = allPairs.filter((p) => runs.has(p.better) && runs.has(p.worse));
  const evalScores = new Map<string, Map<string, number>>(); // run → model → score
  for (const r of runs.values()) evalScores.set(r.runId, publishedScores(r));

  const models = new Set<string>();
  for (const k of rated) for (const m of evalScores.get(k)!.keys()) models.add(m);
  for (const p of pairs)
    for (const k of [p.better, p.worse]) for (const m of evalScores.get(k)!.keys()) models.add(m);

  const evaluators: EvaluatorCalibration[] = [];
  for (const model of [...models].sort()) {
    const items = rated.filter((k) => evalScores.get(k)!.has(model));
    const ev = items.map((k) => evalScores.get(k)!.get(model)!);
    const hu = items.map((k) => human.scores.get(k)!);
    const mine = pairs.filter(
      (p) => evalScores.get(p.better)!.has(model) && evalScores.get(p.worse)!.has(model),
    );
    let agree = 0;
    let ties = 0;
    for (const p of mine) {
      const d = evalScores.get(p.better)!.get(model)! - evalScores.get(p.worse)!.get(model)!;
      if (d > 0) agree++;
      else if (d === 0) ties++;
    }
    evaluators.push({
      model,
      n: items.length,
      spearman: round(spearman(ev, hu)),
      kendallTauB: round(kendallTauB(ev, hu)),
      kappa: round(
        cohenKappa(
          ev.map((x) => x >= threshold),
          hu.map((x) => x >= threshold),
        ),
      ),
      meanGap: round(mean(ev.map((x, i) => x - hu[i]))),
      pairs: mine.length,
      pairAgreements: agree,
      pairTies: ties,
      pairAgreement: mine.length ? round(agree / mine.length) : null,
      position: o.positionPairs && o.llm ? await position(o, model, pairs, runs) : null,
    });
  }
  return {
    humanFile: o.humanFile,
    runsFile: o.runsFile,
    threshold,
    ratedRuns: rated.length,
    unmatchedRuns: human.scores.size - rated.length,
    pairs: {
      file: human.pairs.length,
      derived: derived.length,
      unmatched: allPairs.length - pairs.length,
    },
    skippedRows: human.skipped,
    corruptLines: human.corruptLines,
    evaluators,
  };
}

/** Asks `model` about up to positionPairs pairs (those whose output files exist) in both orders. */
async function position(
  o: CalibrateOptions,
  model: string,
  pairs: HumanPair[],
  runs: Map<string, RunView>,
): Promise<PositionStats> {
  const s: PositionStats = { asked: 0, consistent: 0, unusable: 0, consistency: null, firstSlotRate: null };
  let slotA = 0;
  for (const p of pairs) {
    if (s.asked >= o.positionPairs!) break;
    const better = runs.get(p.better)!;
    const worse = runs.get(p.worse)!;
    const a = readRecordText(o.dataDir, better.outputPath);
    const b = readRecordText(o.dataDir, worse.outputPath);
    if (!a.ok) await recordRefusals(o.dataDir, p.better, 'calibrate', [a.reason]);
    if (!b.ok) await recordRefusals(o.dataDir, p.worse, 'calibrate', [b.reason]);
    if (!a.ok || !b.ok) continue;
    s.asked++;
    try {
      const r = await positionCheck({ ...o.llm!, model }, better.task, a.text, b.text);
      if (r.consistent === null) s.unusable++;
      else {
        if (r.consistent) s.consistent++;
        slotA += (r.forward === 'A' ? 1 : 0) + (r.swapped === 'A' ? 1 : 0);
      }
    } catch (e) {
      s.asked--;
      s.error = (e as Error).message;
      break;
    }
  }
  const usable = s.asked - s.unusable;
  s.consistency = usable ? round(s.consistent / usable) : null;
  s.firstSlotRate = usable ? round(slotA / (2 * usable)) : null;
  return s;
}
