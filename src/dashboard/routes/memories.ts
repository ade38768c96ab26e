// /api/memories: CRUD over the memory store, its graph, prune candidates, and ratings that move quality.
import { createRoute } from '@hono/zod-openapi';
import { embed } from '../../llm/client';
import { scanAndRecord } from '../../security/events';
import { router, type DashboardContext } from '../context';
import { decodeCursor, encodeCursor } from '../cursor';
import { ApiError, notFound } from '../errors';
import { memoryGraph, memorySummary, pruneCandidates } from '../memory-graph';
import {
  Deleted,
  GraphQuery,
  GraphSchema,
  MemoriesPage,
  MemoriesQuery,
  MemoryCreate,
  MemoryCreated,
  MemoryFeedbackBody,
  MemoryFeedbackResponse,
  MemoryIdParam,
  MemoryPatch,
  MemorySchema,
  PruneCandidates,
  PruneQuery,
  errors,
  json,
  jsonBody,
} from '../schemas';
import { z } from '@hono/zod-openapi';

const MemoryCursor = z.strictObject({ o: z.number().int().min(0).max(10_000_000) });
const EMBED_TIMEOUT_MS = 10_000;
const tag = ['memories'];

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/memories',
    tags: tag,
    summary: 'Memories, newest first (text search with q)',
    request: { query: MemoriesQuery },
    responses: { 200: json(MemoriesPage, 'A page of memories'), ...errors(400, 401, 403) },
  }),
  graph: createRoute({
    method: 'get',
    path: '/api/memories/graph',
    tags: tag,
    summary: 'Memories as nodes; edges from embedding similarity ≥ threshold, the same run or the same task',
    request: { query: GraphQuery },
    responses: { 200: json(GraphSchema, 'The memory graph'), ...errors(400, 401, 403) },
  }),
  prune: createRoute({
    method: 'get',
    path: '/api/memories/prune-candidates',
    tags: tag,
    summary:
      'Memories worth reviewing for deletion: low quality, near-duplicates, never retrieved (with reasons)',
    request: { query: PruneQuery },
    responses: { 200: json(PruneCandidates, 'Candidates with reasons'), ...errors(400, 401, 403) },
  }),
  get: createRoute({
    method: 'get',
    path: '/api/memories/{id}',
    tags: tag,
    summary: 'One memory',
    request: { params: MemoryIdParam },
    responses: { 200: json(MemorySchema, 'The memory'), ...errors(400, 401, 403, 404) },
  }),
  create: createRoute({
    method: 'post',
    path: '/api/memories',
    tags: tag,
    summary: 'Add a memory (scanned for injection; embedded when the model server answers)',
    request: { body: jsonBody(MemoryCreate) },
    responses: { 201: json(MemoryCreated, 'The new memory'), ...errors(400, 401, 403, 415, 422) },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/api/memories/{id}',
    tags: tag,
    summary: 'Change a memory’s text, quality, score or tags',
    request: { params: MemoryIdParam, body: jsonBody(MemoryPatch) },
    responses: { 200: json(MemorySchema, 'The updated memory'), ...errors(400, 401, 403, 404, 415, 422) },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/api/memories/{id}',
    tags: tag,
    summary: 'Delete a memory',
    request: { params: MemoryIdParam },
    responses: { 200: json(Deleted, 'Deleted'), ...errors(400, 401, 403, 404) },
  }),
  feedback: createRoute({
    method: 'post',
    path: '/api/memories/{id}/feedback',
    tags: tag,
    summary: 'Rate a memory 1–10: moves its quality score and is appended to data/feedback.jsonl',
    request: { params: MemoryIdParam, body: jsonBody(MemoryFeedbackBody) },
    responses: {
      200: json(MemoryFeedbackResponse, 'The memory after the rating'),
      ...errors(400, 401, 403, 404, 415),
    },
  }),
};

export function memoryRoutes(ctx: DashboardContext) {
  const app = router();
  const store = () => ctx.memories();

  /** New text gets its embedding now; with the model server down, none (the next run's recall embeds it). */
  const embedOrNull = async (text: string): Promise<number[] | null> => {
    try {
      const s = ctx.settings;
      const [v] = await embed({
        host: s.OLLAMA_HOST,
        model: s.embedModel,
        input: [text],
        signal: AbortSignal.timeout(EMBED_TIMEOUT_MS),
      });
      return v;
    } catch (err) {
      ctx.log.warn({ reason: (err as Error).message?.slice(0, 200) }, 'memory saved without an embedding');
      return null;
    }
  };
  const refuseInjection = async (text: string, runId: string | null) => {
    const scan = await scanAndRecord(ctx.dataDir, text, { runId, layer: 'memory_write' });
    if (scan.verdict === 'block')
      throw new ApiError(
        422,
        'blocked_by_scanner',
        'the text was refused by the injection scanner (see /api/security/events)',
      );
  };

  app.openapi(routes.list, (c) => {
    const q = c.req.valid('query');
    const offset = q.cursor ? decodeCursor(q.cursor, MemoryCursor).o : 0;
    const items = store().list({ limit: q.limit + 1, offset, q: q.q });
    const more = items.length > q.limit;
    return c.json(
      {
        items: items.slice(0, q.limit).map(memorySummary),
        next_cursor: more ? encodeCursor({ o: offset + q.limit }) : null,
        total: q.q ? null : store().count(),
      },
      200,
    );
  });

  app.openapi(routes.graph, (c) => {
    const q = c.req.valid('query');
    const ms = store().list({ limit: q.limit });
    return c.json(
      { ...memoryGraph(ms, { threshold: q.threshold, maxEdges: q.max_edges }), threshold: q.threshold },
      200,
    );
  });

  app.openapi(routes.prune, (c) => {
    const q = c.req.valid('query');
    const items = pruneCandidates(store().all(), {
      qualityBelow: q.quality_below,
      duplicateThreshold: q.duplicate_threshold,
      unusedDays: q.unused_days,
      now: Date.now(),
    });
    return c.json({ items }, 200);
  });

  app.openapi(routes.get, (c) => {
    const m = store().get(c.req.valid('param').id);
    if (!m) throw notFound('memory');
    return c.json(memorySummary(m), 200);
  });

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    await refuseInjection(body.text, body.run_id ?? null);
    const m = store().add({ ...body, embedding: await embedOrNull(body.text) });
    return c.json({ memory: memorySummary(m), embedded: Boolean(m.embedding) }, 201);
  });

  app.openapi(routes.patch, async (c) => {
    const { id } = c.req.valid('param');
    const patch = c.req.valid('json');
    const cur = store().get(id);
    if (!cur) throw notFound('memory');
    let embedding: number[] | null | undefined;
    if (patch.text !== undefined && patch.text !== cur.text) {
      await refuseInjection(patch.text, cur.run_id);
      embedding = await embedOrNull(patch.text);
    }
    const m = store().update(id, embedding === undefined ? patch : { ...patch, embedding });
    if (!m) throw notFound('memory');
    return c.json(memorySummary(m), 200);
  });

  app.openapi(routes.delete, (c) => {
    const { id } = c.req.valid('param');
    if (!store().delete(id)) throw notFound('memory');
    return c.json({ deleted: true, id }, 200);
  });

  app.openapi(routes.feedback, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    if (!store().get(id)) throw notFound('memory');
    const feedback = await ctx.feedback.add('memory', id, body.rating, body.comment);
    const m = store().rate(id, body.rating);
    if (!m) throw notFound('memory');
    return c.json({ memory: memorySummary(m), feedback }, 200);
  });

  return app;
}
