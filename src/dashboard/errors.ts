// The one error shape of the API, and the handlers that make every failure a JSON 4xx (or a bare 500, never a stack).
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError, type z } from 'zod';
import type { Logger } from 'pino';
import { PathSandboxError } from '../security/sandbox';

export interface ApiIssue {
  path: string;
  message: string;
}

/** An error the client caused or can act on: becomes `{ error: { code, message, issues? } }` with `status`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);

export function issuesOf(e: ZodError | z.core.$ZodError): ApiIssue[] {
  return e.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function errorBody(code: string, message: string, issues?: ApiIssue[]) {
  return { error: issues?.length ? { code, message, issues } : { code, message } };
}

/** The global error handler: known errors keep their status; anything else is logged and becomes a plain 500. */
export function onError(log: Logger) {
  return (err: unknown, c: Context) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.issues), err.status);
    if (err instanceof ZodError)
      return c.json(errorBody('invalid_request', 'invalid request', issuesOf(err)), 400);
    if (err instanceof PathSandboxError) return c.json(errorBody('forbidden_path', 'path refused'), 403);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      // Hono's own messages (malformed JSON, body too large) carry no user data.
      return c.json(errorBody(codeFor(status), err.message || 'request refused'), status);
    }
    log.error({ err: errorSummary(err), path: c.req.path, method: c.req.method }, 'dashboard request failed');
    return c.json(errorBody('internal', 'internal error'), 500);
  };
}

function codeFor(status: number): string {
  if (status === 413) return 'payload_too_large';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  return 'invalid_request';
}

function errorSummary(err: unknown): { name: string; message: string } {
  const e = err as Error;
  return { name: e?.name ?? 'Error', message: String(e?.message ?? err).slice(0, 300) };
}
