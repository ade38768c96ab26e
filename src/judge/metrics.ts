/**
 * Evaluator metrics on labelled pairs: pure functions from per-pair judgements to JudgeMetrics, a seeded
 * bootstrap interval (same inputs, same interval), and the qualified/unqualified decision.
 */
import type { JudgeMetrics, QualificationThresholds } from './qualification';
import { seededRandom } from '../util/random';

/** One rubric reply (the product's Wiggum prompt) on one answer of a pair. */
export interface RubricReading {
  /** Weighted composite, null when the reply could not be parsed. */
  composite: number | null;
  repaired: boolean;
  clamped: boolean;
  degenerate: boolean;
  truncated: boolean;
}

/** Everything one evaluator said about one pair: small, persisted per pair, read back to compute metrics. */
export interface PairJudgement {
  index: number;
  /** Which answer is better: 1 = output_1, 2 = output_2. */
  label: 1 | 2;
  /** Lengths in characters of output_1 and output_2 (for the length-bias split). */
  length_1: number;
  length_2: number;
  rubric_1: RubricReading;
  rubric_2: RubricReading;
  /** Direct preference with output_1 in slot A ("forward") and with output_2 in slot A ("swapped"); null = unusable. */
  forward: 'A' | 'B' | null;
  swapped: 'A' | 'B' | null;
}

/** The composite of the better answer strictly above the worse one (ties and unparseable replies are wrong). */
export function pairCorrect(p: PairJudgement): boolean {
  const [better, worse] = p.label === 1 ? [p.rubric_1, p.rubric_2] : [p.rubric_2, p.rubric_1];
  return better.composite !== null && worse.composite !== null && better.composite > worse.composite;
}

/** Which answer (1 or 2) each direct judgement picked: forward A = 1, swapped A = 2. */
export function directPicks(p: PairJudgement): { forward: 1 | 2 | null; swapped: 1 | 2 | null } {
  return {
    forward: p.forward === null ? null : p.forward === 'A' ? 1 : 2,
    swapped: p.swapped === null ? null : p.swapped === 'A' ? 2 : 1,
  };
}

export { seededRandom };

export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_SEED = 20231010;

/**
 * Percentile bootstrap interval (95%) of the mean of 0/1 outcomes: `resamples` resamples with replacement
 * drawn from a PRNG seeded with `seed`, the 2.5th and 97.5th percentiles of their means.
 */
export function bootstrapInterval(
  outcomes: boolean[],
  opts: { resamples?: number; seed?: number } = {},
): [number, number] {
  const n = outcomes.length;
  if (!n) return [0, 0];
  const B = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  const rand = seededRandom(opts.seed ?? BOOTSTRAP_SEED);
  const means = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let hits = 0;
    for (let i = 0; i < n; i++) if (outcomes[Math.floor(rand() * n)]) hits++;
    means[b] = hits / n;
  }
  means.sort();
  const lo = means[Math.floor(0.025 * (B - 1))];
  const hi = means[Math.ceil(0.975 * (B - 1))];
  return [round4(lo), round4(hi)];
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;
const rate = (k: number, n: number) => (n ? round4(k / n) : null);

/** Pairwise accuracy of a subset (null when empty). */
function accuracyOf(ps: PairJudgement[]): number | null {
  return rate(ps.filter(pairCorrect).length, ps.length);
}

/**
 * The figures for one evaluator. Unusable direct replies count as wrong for direct accuracy and are left out of
 * position consistency (a pair needs both replies) and the first-slot rate (a reply must name a slot).
 */
export function judgeMetrics(ps: PairJudgement[]): JudgeMetrics {
  const n = ps.length;
  const correct = ps.map(pairCorrect);
  let ties = 0;
  let directRight = 0;
  let bothUsable = 0;
  let consistent = 0;
  let usable = 0;
  let firstSlot = 0;
  let unparseable = 0;
  const readings: RubricReading[] = [];
  for (const p of ps) {
    readings.push(p.rubric_1, p.rubric_2);
    if (p.rubric_1.composite !== null && p.rubric_1.composite === p.rubric_2.composite) ties++;
    const picks = directPicks(p);
    for (const [slot, pick] of [
      [p.forward, picks.forward],
      [p.swapped, picks.swapped],
    ] as const) {
      if (slot === null) {
        unparseable++;
        continue;
      }
      usable++;
      if (slot === 'A') firstSlot++;
      if (pick === p.label) directRight++;
    }
    if (picks.forward !== null && picks.swapped !== null) {
      bothUsable++;
      if (picks.forward === picks.swapped) consistent++;
    }
  }
  unparseable += readings.filter((r) => r.composite === null).length;
  const better = (p: PairJudgement) => (p.label === 1 ? p.length_1 : p.length_2);
  const worse = (p: PairJudgement) => (p.label === 1 ? p.length_2 : p.length_1);
  const shorter = ps.filter((p) => better(p) < worse(p));
  const longer = ps.filter((p) => better(p) > worse(p));
  return {
    n_pairs: n,
    accuracy: rate(correct.filter(Boolean).length, n) ?? 0,
    accuracy_ci95: bootstrapInterval(correct),
    ties,
    direct_accuracy: rate(directRight, 2 * n),
    position_consistency: rate(consistent, bothUsable),
    first_slot_rate: rate(firstSlot, usable),
    length_bias: {
      shorter_better_accuracy: accuracyOf(shorter),
      shorter_better_n: shorter.length,
      longer_better_accuracy: accuracyOf(longer),
      longer_better_n: longer.length,
    },
    repaired_share: rate(readings.filter((r) => r.repaired).length, readings.length) ?? 0,
    clamped_share: rate(readings.filter((r) => r.clamped).length, readings.length) ?? 0,
    degenerate_share: rate(readings.filter((r) => r.degenerate).length, readings.length) ?? 0,
    unparseable,
    truncated_share: rate(readings.filter((r) => r.truncated).length, readings.length) ?? 0,
  };
}

/** The previous full qualification a drift check compares with. */
export interface DriftBaseline {
  qualification_id: string;
  accuracy: number;
  accuracy_ci95: [number, number];
  status: 'qualified' | 'unqualified';
  reason: string | null;
}

/**
 * qualified | unqualified. A full qualification (or a drift check with no baseline) is judged on the thresholds.
 * A drift check is unqualified when its accuracy falls below the baseline's 95% interval, else keeps the
 * baseline's status.
 */
export function decideStatus(
  m: JudgeMetrics,
  t: QualificationThresholds,
  baseline: DriftBaseline | null = null,
): { status: 'qualified' | 'unqualified'; reason: string | null } {
  if (baseline) {
    if (m.accuracy < baseline.accuracy_ci95[0])
      return {
        status: 'unqualified',
        reason:
          `drift: accuracy ${m.accuracy} on ${m.n_pairs} sampled pairs is below the 95% interval ` +
          `[${baseline.accuracy_ci95.join(', ')}] of qualification ${baseline.qualification_id}`,
      };
    return { status: baseline.status, reason: baseline.status === 'qualified' ? null : baseline.reason };
  }
  const misses: string[] = [];
  if (m.accuracy_ci95[0] < t.min_accuracy_lower_bound)
    misses.push(
      `accuracy interval lower bound ${m.accuracy_ci95[0]} < ${t.min_accuracy_lower_bound} ` +
        `(accuracy ${m.accuracy}, ${m.ties} ties, ${m.n_pairs} pairs)`,
    );
  if (m.position_consistency === null)
    misses.push('position consistency unknown (no usable direct preference in both orders)');
  else if (m.position_consistency < t.min_position_consistency)
    misses.push(`position consistency ${m.position_consistency} < ${t.min_position_consistency}`);
  return misses.length
    ? { status: 'unqualified', reason: misses.join('; ') }
    : { status: 'qualified', reason: null };
}
