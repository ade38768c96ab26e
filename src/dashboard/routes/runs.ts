// /api/runs: the runs list (filters, sort, cursor pages), a run's detail with its output and round-1 draft,
// its Chrome trace, and human feedback on it.
import fs from 'node:fs';
import { createRoute, z } from '@hono/zod-openapi';
import { PathSandboxError, resolveInside } from '../../security/sandbox';
import { router, timeBound, type DashboardContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { ApiError, notFound } from '../errors';
import { publicRow, type RunRow } from '../run-row';
import { RUN_SORTS } from '../run-index';
import {
  FeedbackBody,
  FeedbackResponse,
  RunDetail,
  RunIdParam,
  RunsPage,
  RunsQuery,
  TraceQuery,
  errors,
  json,
  jsonBody,
} from '../schemas';

const MAX_TEXT_BYTES = 2 * 1024 * 1024;
const MAX_TRACE_BYTES = 64 * 1024 * 1024;

const RunCursor = z.strictObject({
  s: z.enum(RUN_SORTS),
  o: z.enum(['asc', 'desc']),
  v: z.number().nullable(),
  id: z.string().max(100),
});

const list = createRoute({
  method: 'get',
  path: '/api/runs',
  tags: ['runs'],
  summary: 'Runs, filtered and sorted, one cursor page at a time',
  request: { query: RunsQuery },
  responses: { 200: json(RunsPage, 'A page of runs'), ...errors(400, 401, 403) },
});

const detail = createRoute({
  method: 'get',
  path: '/api/runs/{run_id}',
  tags: ['runs'],
  summary: 'A run: its record, output, round-1 draft, feedback, and links to its trace and Temporal',
  request: { params: RunIdParam },
  responses: { 200: json(RunDetail, 'The run'), ...errors(400, 401, 403, 404) },
});

const trace = createRoute({
  method: 'get',
  path: '/api/runs/{run_id}/trace',
  tags: ['runs'],
  summary: 'The Chrome Trace Event file of a run (opens in ui.perfetto.dev)',
  request: { params: RunIdParam, query: TraceQuery },
  responses: {
    200: json(z.looseObject({ traceEvents: z.array(z.unknown()) }), 'Chrome trace JSON'),
    ...errors(400, 401, 403, 404),
  },
});

const feedback = createRoute({
  method: 'post',
  path: '/api/runs/{run_id}/feedback',
  tags: ['runs'],
  summary: 'Rate a run 1–10 with a comment (appended to data/feedback.jsonl)',
  request: { params: RunIdParam, body: jsonBody(FeedbackBody) },
  responses: { 201: json(FeedbackResponse, 'The feedback record'), ...errors(400, 401, 403, 404, 415) },
});

/** A text file a record points to, read inside the data folder only; null when absent or refused. */
function readText(dataDir: string, rel: unknown) {
  if (typeof rel !== 'string' || rel === '') return null;
  try {
    const abs = resolveInside(dataDir, rel);
    const fd = fs.openSync(abs, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(size, MAX_TEXT_BYTES));
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return { path: rel, text: buf.subarray(0, n).toString('utf8'), bytes: size, truncated: size > n };
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if (err instanceof PathSandboxError || (err as NodeJS.ErrnoException).code) return null;
    throw err;
  }
}

export function runRoutes(ctx: DashboardContext) {
  const app = router();

  const findRow = async (runId: string): Promise<RunRow> => {
    await ctx.runs.refresh();
    const row = ctx.runs.get(runId);
    if (!row) throw notFound('run');
    return row;
  };

  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    await ctx.runs.refresh();
    let after = null;
    if (q.cursor) {
      const cur = decodeCursor(q.cursor, RunCursor);
      if (cur.s !== q.sort || cur.o !== q.order)
        throw new ApiError(400, 'invalid_cursor', 'the cursor belongs to another sort or order');
      after = { v: cur.v, id: cur.id };
    }
    const page = ctx.runs.page({
      filter: {
        status: q.status,
        model: q.model,
        kind: q.kind,
        session: q.session,
        q: q.q,
        from: timeBound(q.from, false),
        to: timeBound(q.to, true),
      },
      sort: q.sort,
      order: q.order,
      after,
      limit: q.limit,
    });
    return c.json(
      {
        items: page.items.map(publicRow),
        next_cursor: page.next ? encodeCursor({ s: q.sort, o: q.order, ...page.next }) : null,
        total: page.total,
      },
      200,
    );
  });

  app.openapi(detail, async (c) => {
    const { run_id } = c.req.valid('param');
    const row = await findRow(run_id);
    const rec = await ctx.runs.record(row);
    if (!rec) throw new ApiError(409, 'log_changed', 'runs.jsonl changed while reading; retry');
    await ctx.feedback.refresh();
    const s = ctx.settings;
    return c.json(
      {
        run: rec as z.infer<typeof RunDetail>['run'],
        summary: publicRow(row),
        output: readText(ctx.dataDir, rec.output_path),
        draft: readText(ctx.dataDir, rec.draft_path),
        links: {
          trace: row.has_trace ? `/api/runs/${row.run_id}/trace` : null,
          temporal_ui:
            `http://127.0.0.1:${s.TEMPORAL_UI_PORT}/namespaces/${encodeURIComponent(s.TEMPORAL_NAMESPACE)}` +
            `/workflows/${encodeURIComponent(row.workflow_id)}`,
          perfetto: 'https://ui.perfetto.dev/',
          session: `/api/sessions/${encodeURIComponent(row.session)}`,
        },
        feedback: {
          ...ctx.feedback.stats('run', row.run_id),
          items: await ctx.feedback.list('run', row.run_id),
        },
      },
      200,
    );
  });

  app.openapi(trace, async (c) => {
    const { run_id } = c.req.valid('param');
    const { download } = c.req.valid('query');
    const row = await findRow(run_id);
    const rec = await ctx.runs.record(row);
    const rel = rec?.trace_path;
    if (typeof rel !== 'string' || !rel) throw notFound('trace');
    let text: string;
    try {
      const abs = resolveInside(ctx.dataDir, rel);
      if (fs.statSync(abs).size > MAX_TRACE_BYTES)
        throw new ApiError(413, 'too_large', 'the trace is too large');
      text = fs.readFileSync(abs, 'utf8');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw notFound('trace');
    }
    let body: { traceEvents: unknown[] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(409, 'trace_unreadable', 'the trace file is not valid JSON');
    }
    if (download) c.header('content-disposition', `attachment; filename="${row.run_id}.trace.json"`);
    return c.json(body, 200);
  });

  app.openapi(feedback, async (c) => {
    const { run_id } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await findRow(run_id);
    const rec = await ctx.feedback.add('run', row.run_id, body.rating, body.comment);
    return c.json(rec, 201);
  });

  return app;
}
