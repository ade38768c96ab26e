// /api/security: the security events log, filterable, and the counts behind the KPI cards.
import { createRoute, z } from '@hono/zod-openapi';
import { router, timeBound, type DashboardContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { ApiError } from '../errors';
import { EventsPage, EventsQuery, SecuritySummary, SummaryQuery, errors, json } from '../schemas';

const EventCursor = z.strictObject({
  o: z.enum(['asc', 'desc']),
  v: z.number().nullable(),
  id: z.string().max(20),
});

const events = createRoute({
  method: 'get',
  path: '/api/security/events',
  tags: ['security'],
  summary: 'Security events (newest first), by severity, event type, layer, run and time',
  request: { query: EventsQuery },
  responses: { 200: json(EventsPage, 'A page of events'), ...errors(400, 401, 403) },
});

const summary = createRoute({
  method: 'get',
  path: '/api/security/summary',
  tags: ['security'],
  summary: 'Counts per severity, event type, layer (and type × layer) and run',
  request: { query: SummaryQuery },
  responses: { 200: json(SecuritySummary, 'Counts'), ...errors(400, 401, 403) },
});

export function securityRoutes(ctx: DashboardContext) {
  const app = router();

  app.openapi(events, async (c) => {
    const q = c.req.valid('query');
    await ctx.events.refresh();
    let after = null;
    if (q.cursor) {
      const cur = decodeCursor(q.cursor, EventCursor);
      if (cur.o !== q.order) throw new ApiError(400, 'invalid_cursor', 'the cursor belongs to another order');
      after = { v: cur.v, id: cur.id };
    }
    const page = ctx.events.page({
      filter: {
        severity: q.severity,
        event_type: q.event_type,
        layer: q.layer,
        run_id: q.run_id,
        from: timeBound(q.from, false),
        to: timeBound(q.to, true),
      },
      order: q.order,
      after,
      limit: q.limit,
    });
    const details = await ctx.events.details(page.items);
    return c.json(
      {
        items: page.items.map((e, i) => ({
          id: e.id,
          ts: e.ts,
          run_id: e.run_id,
          event_type: e.event_type,
          layer: e.layer,
          severity: e.severity,
          ...details[i],
        })),
        next_cursor: page.next ? encodeCursor({ o: q.order, ...page.next }) : null,
        total: page.total,
      },
      200,
    );
  });

  app.openapi(summary, async (c) => {
    const q = c.req.valid('query');
    await ctx.events.refresh();
    return c.json(
      ctx.events.summary({ from: timeBound(q.from, false), to: timeBound(q.to, true), topRuns: q.top_runs }),
      200,
    );
  });

  return app;
}
