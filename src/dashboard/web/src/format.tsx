// Small display helpers shared by the pages.
export function fmtDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function fmtScore(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1);
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : n.toLocaleString('en-US');
}

/** The last composite score of a run, or null when no round was scored. */
export function lastScore(scores: readonly number[] | undefined): number | null {
  return scores && scores.length ? scores[scores.length - 1] : null;
}

export const STATUS_CLASS: Record<string, string> = {
  PASS: 'ok',
  FAIL: 'warn',
  ERROR: 'bad',
  CANCELLED: 'muted',
  TERMINATED: 'muted',
  TIMED_OUT: 'bad',
};

export const DIMENSIONS = ['relevance', 'completeness', 'depth', 'specificity', 'structure', 'groundedness'];

/** One color per dimension, readable on white; index 6 is the composite. */
export const PALETTE = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#111827'];

/** Badge class of an evaluator's qualification status. */
export const QUALIFICATION_CLASS: Record<string, string> = {
  qualified: 'ok',
  unqualified: 'bad',
  unknown: 'warn',
};

/** A 0–1 rate as a percentage, or '–'. */
export function fmtRate(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(0)}%`;
}
