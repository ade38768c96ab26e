// What every route group gets: settings, the log indexes, the memory store, and a router factory whose
// validation failures all answer with the API's one error shape.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Settings } from '../config';
import type { MemoryStore } from '../memory/store';
import { errorBody, issuesOf } from './errors';
import type { EventIndex } from './event-index';
import type { FeedbackIndex } from './feedback';
import type { Binding } from './guard';
import type { RunIndex } from './run-index';

export interface DashboardContext {
  settings: Settings;
  dataDir: string;
  runs: RunIndex;
  events: EventIndex;
  feedback: FeedbackIndex;
  /** Opened on first use, closed by close(). */
  memories(): MemoryStore;
  binding(): Binding;
  log: Logger;
}

export function router(): OpenAPIHono {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success)
        return c.json(errorBody('invalid_request', 'invalid request', issuesOf(result.error)), 400);
    },
  });
}

/** Epoch ms of a `from`/`to` parameter; a bare date as `to` covers that whole day. */
export function timeBound(v: string | undefined, end: boolean): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  return end && /^\d{4}-\d{2}-\d{2}$/.test(v) ? ms + 86_400_000 - 1 : ms;
}
