// /api/sessions: runs grouped by the job that started them (CLI submission, rollout batch, lit-review).
import { createRoute, z } from '@hono/zod-openapi';
import { router, type DashboardContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { notFound } from '../errors';
import { publicRow } from '../run-row';
import { publicSession, type Session } from '../sessions';
import {
  SessionDetail,
  SessionDetailQuery,
  SessionIdParam,
  SessionsPage,
  SessionsQuery,
  errors,
  json,
} from '../schemas';

const SessionCursor = z.strictObject({ v: z.number().nullable(), id: z.string().max(300) });
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const list = createRoute({
  method: 'get',
  path: '/api/sessions',
  tags: ['sessions'],
  summary: 'Sessions, most recently active first',
  request: { query: SessionsQuery },
  responses: { 200: json(SessionsPage, 'A page of sessions'), ...errors(400, 401, 403) },
});

const detail = createRoute({
  method: 'get',
  path: '/api/sessions/{id}',
  tags: ['sessions'],
  summary: 'A session and its runs (oldest first)',
  request: { params: SessionIdParam, query: SessionDetailQuery },
  responses: { 200: json(SessionDetail, 'The session'), ...errors(400, 401, 403, 404) },
});

export function sessionRoutes(ctx: DashboardContext) {
  const app = router();

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    await ctx.runs.refresh();
    const tests: ((s: Session) => boolean)[] = [];
    if (q.kind) tests.push((s) => s.kind === q.kind);
    if (q.q) {
      const re = new RegExp(escapeRe(q.q), 'i');
      tests.push((s) => re.test(s.task) || re.test(s.id));
    }
    const keep = (s: Session) => tests.every((t) => t(s));
    const sessions = ctx.runs.sessions;
    const page = sessions.page({
      after: q.cursor ? decodeCursor(q.cursor, SessionCursor) : null,
      limit: q.limit,
      keep,
    });
    return c.json(
      {
        items: page.items.map(publicSession),
        next_cursor: page.next ? encodeCursor(page.next) : null,
        total: tests.length ? sessions.count(keep) : sessions.size,
      },
      200,
    );
  });

  app.openapi(detail, async (c) => {
    const { id } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    await ctx.runs.refresh();
    const s = ctx.runs.sessions.get(id);
    if (!s) throw notFound('session');
    const rows = ctx.runs.rowsAt(s.runs).sort((a, b) => a.started_ms - b.started_ms);
    return c.json(
      {
        session: publicSession(s),
        runs: rows.slice(0, limit).map(publicRow),
        runs_truncated: rows.length > limit,
      },
      200,
    );
  });

  return app;
}
