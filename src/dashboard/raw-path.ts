// Request paths are taken as sent: a `.` or `..` segment (plain or %2e-encoded) names nothing here (404). It
// is never resolved by the URL parser into another route: `/api/system/files/%2e%2e/config` is not
// /api/system/config.
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from './errors';

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * True when the path of a request target (origin or absolute form) has a `.`/`..` segment, `\` counting as
 * `/`.
 */
export function hasDotSegment(target: string): boolean {
  const p = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0];
  return p.split(/[/\\]/).some((s) => DOT_SEGMENT.test(s));
}

/** The target as the client sent it (node-server passes the raw request); in-process, the parsed URL. */
function rawTarget(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.url ?? new URL(c.req.url).pathname;
}

export function refuseDotSegments(): MiddlewareHandler {
  return async (c, next) => {
    if (hasDotSegment(rawTarget(c)))
      return c.json(errorBody('invalid_path', 'request paths with . or .. segments name nothing here'), 404);
    return next();
  };
}
