import { isIsoDate } from './date-range';
import { PaperSourceError, type PaperQuery } from './types';

export const DEFAULT_LIMIT = 50;

export type CheckedQuery = PaperQuery & { query: string; limit: number };

/** Validate a query (user input, so plain messages) and clamp its limit to what the API serves per call. */
export function checkQuery(source: string, q: PaperQuery, maxLimit: number): CheckedQuery {
  for (const [name, value] of [
    ['from', q.from],
    ['to', q.to],
  ] as const) {
    if (value !== undefined && !isIsoDate(value)) {
      throw new PaperSourceError(source, `'${name}' must be a date like 2024-01-31, got '${value}'`, {
        retryable: false,
      });
    }
  }
  if (q.from && q.to && q.from > q.to) {
    throw new PaperSourceError(source, `date range is empty: from ${q.from} is after to ${q.to}`, {
      retryable: false,
    });
  }
  const limit = q.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new PaperSourceError(source, `limit must be a positive integer, got ${limit}`, {
      retryable: false,
    });
  }
  return { ...q, query: q.query.trim(), limit: Math.min(limit, maxLimit) };
}
