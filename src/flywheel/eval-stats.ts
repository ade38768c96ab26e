// Figures of `flywheel eval`: mean composite, pass rate, and the paired difference against a baseline with a
// 95% percentile-bootstrap interval (deterministic: a seeded generator, so the same runs give the same interval).
import { seededRandom } from '../util/random';

export interface EvalItem {
  model: string;
  set: 'battery' | 'train';
  task_hash: string;
  run_id: string | null;
  final: 'PASS' | 'FAIL' | 'ERROR';
  /** The composite score of the last round; null when the run failed. */
  score: number | null;
}

export interface ModelFigures {
  n: number;
  mean_composite: number | null;
  pass_rate: number | null;
  errors: number;
}

export interface PairedDiff {
  n: number;
  mean: number | null;
  ci95: [number, number] | null;
}

export interface SetFigures {
  model: ModelFigures;
  baseline: ModelFigures | null;
  diff: PairedDiff | null;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

const rng = seededRandom;

/** 95% percentile-bootstrap interval of the mean of `d`. */
export function bootstrapCi(d: number[], resamples = 2000, seed = 1): [number, number] | null {
  if (!d.length) return null;
  const next = rng(seed);
  const means: number[] = [];
  for (let i = 0; i < resamples; i++) {
    let s = 0;
    for (let j = 0; j < d.length; j++) s += d[Math.floor(next() * d.length)];
    means.push(s / d.length);
  }
  means.sort((a, b) => a - b);
  return [r3(means[Math.floor(0.025 * resamples)]), r3(means[Math.ceil(0.975 * resamples) - 1])];
}

export function figures(items: EvalItem[]): ModelFigures {
  const scored = items.filter((i) => i.score !== null);
  const m = mean(scored.map((i) => i.score!));
  const done = items.filter((i) => i.final !== 'ERROR');
  return {
    n: items.length,
    mean_composite: m === null ? null : r3(m),
    pass_rate: done.length ? r3(done.filter((i) => i.final === 'PASS').length / done.length) : null,
    errors: items.length - done.length,
  };
}

/** Model − baseline over the tasks both scored (an errored run counts as missing for its task). */
export function pairedDiff(model: EvalItem[], baseline: EvalItem[], seed = 1): PairedDiff {
  const b = new Map(baseline.filter((i) => i.score !== null).map((i) => [i.task_hash, i.score!]));
  const d = model
    .filter((i) => i.score !== null && b.has(i.task_hash))
    .map((i) => i.score! - b.get(i.task_hash)!);
  const m = mean(d);
  return { n: d.length, mean: m === null ? null : r3(m), ci95: bootstrapCi(d, 2000, seed) };
}

export function setFigures(
  items: EvalItem[],
  set: EvalItem['set'],
  model: string,
  baseline?: string,
): SetFigures {
  const of = (m: string) => items.filter((i) => i.set === set && i.model === m);
  return {
    model: figures(of(model)),
    baseline: baseline ? figures(of(baseline)) : null,
    diff: baseline ? pairedDiff(of(model), of(baseline)) : null,
  };
}
