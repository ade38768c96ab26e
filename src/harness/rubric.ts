/** The Wiggum rubric: one versioned place for dimensions, weights and the pass threshold. */
import { DIMENSIONS, type Dimension } from '../audit/records';

export { DIMENSIONS, type Dimension };
export type DimensionScores = Record<Dimension, number>;

export interface Rubric {
  version: string;
  weights: DimensionScores;
  threshold: number;
}

export const RUBRIC: Rubric = {
  version: 'wiggum-v1',
  weights: {
    relevance: 0.2,
    completeness: 0.2,
    depth: 0.25,
    groundedness: 0.15,
    specificity: 0.1,
    structure: 0.1,
  },
  threshold: 8.0,
};

/** Weighted sum, computed in code (never trusted from the model), rounded to 2 decimals. */
export function composite(scores: DimensionScores, rubric: Rubric = RUBRIC): number {
  let total = 0;
  for (const d of DIMENSIONS) total += rubric.weights[d] * scores[d];
  return Math.round(total * 100) / 100;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
