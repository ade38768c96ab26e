// Opaque pagination cursors: base64url JSON, validated on the way back in (a bad cursor is a 400, not a crash).
import { z } from 'zod';
import { ApiError } from './errors';

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_cursor', 'the cursor is not one this API returned');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, 'invalid_cursor', 'the cursor is not one this API returned');
  return parsed.data;
}
