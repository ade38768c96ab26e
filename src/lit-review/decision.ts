// The curation rule, one pure function used by the workflow (progress) and the activities (log, CSV, output).

/** A paper is excluded when the mean persona score is below this … */
export const MEAN_THRESHOLD = 3.5;
/** … or when any persona scores below this (the single-weak-link veto). */
export const VETO_BELOW = 2;
/** Fewer usable persona scores than this and the paper is excluded: too little evidence to include it. */
export const MIN_SCORES = 3;

export interface PersonaScore {
  persona: string;
  /** 1–5; null when the persona's reply was unusable even after a repair retry. */
  score: number | null;
  reason: string;
  error?: string;
}

export interface Decision {
  /** Mean of the usable scores, 2 decimals; null when there are none. */
  mean: number | null;
  /** Personas that scored below VETO_BELOW. */
  vetoes: string[];
  /** Personas with no usable score. */
  missing: string[];
  included: boolean;
  reason: string;
}

export function decide(scores: PersonaScore[]): Decision {
  const usable = scores.filter((s): s is PersonaScore & { score: number } => s.score !== null);
  const missing = scores.filter((s) => s.score === null).map((s) => s.persona);
  const vetoes = usable.filter((s) => s.score < VETO_BELOW).map((s) => s.persona);
  const exact = usable.length ? usable.reduce((n, s) => n + s.score, 0) / usable.length : null;
  const mean = exact === null ? null : Math.round(exact * 100) / 100;
  if (usable.length < MIN_SCORES)
    return {
      mean,
      vetoes,
      missing,
      included: false,
      reason: `only ${usable.length} of ${scores.length} personas gave a usable score`,
    };
  if (vetoes.length)
    return {
      mean,
      vetoes,
      missing,
      included: false,
      reason: `vetoed: ${vetoes.map((p) => `${p} scored ${usable.find((s) => s.persona === p)!.score}`).join(', ')} (below ${VETO_BELOW})`,
    };
  if ((exact as number) < MEAN_THRESHOLD)
    return { mean, vetoes, missing, included: false, reason: `mean ${mean} is below ${MEAN_THRESHOLD}` };
  return { mean, vetoes, missing, included: true, reason: `mean ${mean}, no persona below ${VETO_BELOW}` };
}
