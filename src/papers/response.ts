import type { z } from 'zod';
import { PaperSourceError } from './types';

const snippet = (text: string) => JSON.stringify(text.slice(0, 80));

export function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new PaperSourceError(source, `response is not valid JSON (starts ${snippet(text)})`, {
      retryable: false,
    });
  }
}

/** Check a decoded response against its schema; a mismatch is a malformed response, not a retry case. */
export function checkShape<S extends z.ZodType>(source: string, schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length ? issue.path.join('.') : 'response';
  throw new PaperSourceError(source, `malformed response: ${where}: ${issue.message}`, { retryable: false });
}
