import type { Paper } from './types';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: string): boolean {
  return ISO_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));
}

/**
 * Whether the paper's publication date lies in [from, to] (inclusive ISO dates). A year-only or
 * month-only date counts when its span overlaps the range; a paper without a date is outside any range.
 */
export function inDateRange(p: Pick<Paper, 'published'>, from?: string, to?: string): boolean {
  if (!from && !to) return true;
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(p.published ?? '');
  if (!m) return false;
  const [, y, mo, d] = m;
  const earliest = `${y}-${mo ?? '01'}-${d ?? '01'}`;
  const latest = `${y}-${mo ?? '12'}-${d ?? '31'}`;
  if (from && latest < from) return false;
  if (to && earliest > to) return false;
  return true;
}
