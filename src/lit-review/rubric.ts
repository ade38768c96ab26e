// The review rubric for the lit-review Wiggum loop, and how it maps onto the record's six Wiggum dimensions.
import type { DimensionScores } from '../harness/rubric';

export const REVIEW_DIMENSIONS = ['coverage', 'synthesis', 'accuracy', 'structure', 'citations'] as const;
export type ReviewDimension = (typeof REVIEW_DIMENSIONS)[number];
export type ReviewScores = Record<ReviewDimension, number>;

export const REVIEW_RUBRIC = {
  version: 'litreview-v1',
  weights: {
    coverage: 0.2,
    synthesis: 0.25,
    accuracy: 0.25,
    structure: 0.15,
    citations: 0.15,
  } as ReviewScores,
  describe: {
    coverage: 'the included papers and the main themes of the topic are all covered',
    synthesis: 'papers are compared and connected across sections, not summarised one by one',
    accuracy: 'every claim about a paper matches its abstract; nothing is invented',
    structure: 'clear sections that follow the outline, with an introduction and a conclusion',
    citations: 'claims carry [@key] citations to the right papers',
  } as Record<ReviewDimension, string>,
};

/** Weighted sum in code (never trusted from the model), 2 decimals, 0–10. */
export function reviewComposite(s: ReviewScores): number {
  let total = 0;
  for (const d of REVIEW_DIMENSIONS) total += REVIEW_RUBRIC.weights[d] * s[d];
  return Math.round(total * 100) / 100;
}

/**
 * The run record keeps the six Wiggum dimensions for every kind of run, so review scores are mapped:
 * relevance and completeness ← coverage, depth ← synthesis, groundedness ← accuracy,
 * specificity ← citations, structure ← structure.
 */
export function toWiggumDimensions(s: ReviewScores): DimensionScores {
  return {
    relevance: s.coverage,
    completeness: s.coverage,
    depth: s.synthesis,
    groundedness: s.accuracy,
    specificity: s.citations,
    structure: s.structure,
  };
}
