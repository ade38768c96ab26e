// /api/analytics: the seed's pandas analyses as endpoints, served from running aggregates.
import { createRoute } from '@hono/zod-openapi';
import { DIMENSIONS } from '../../audit/records';
import { router, type DashboardContext } from '../context';
import {
  FailureRate,
  FirstRoundScores,
  AnalyticsQuery,
  Overview,
  ScoreDistribution,
  StageStatsSchema,
  errors,
  json,
} from '../schemas';

const get = <T extends Parameters<typeof json>[0]>(path: string, summary: string, schema: T) =>
  createRoute({
    method: 'get',
    path,
    tags: ['analytics'],
    summary,
    request: { query: AnalyticsQuery },
    responses: { 200: json(schema, summary), ...errors(400, 401, 403) },
  });

export function analyticsRoutes(ctx: DashboardContext) {
  const app = router();
  // Harness runs unless another kind (or `all`) is asked for: lit-review scores come from another rubric.
  const a = (c: { req: { query(k: 'kind'): string | undefined } }) =>
    ctx.runs.analytics.of(c.req.query('kind') ?? 'run');

  app.openapi(get('/api/analytics/summary', 'Totals for KPI cards', Overview), async (c) => {
    await ctx.runs.refresh();
    return c.json({ kind: c.req.query('kind') ?? 'run', ...a(c).overview() }, 200);
  });
  app.openapi(
    get('/api/analytics/failure-rate', 'Failure rate by producer model', FailureRate),
    async (c) => {
      await ctx.runs.refresh();
      return c.json({ items: a(c).failureRate() }, 200);
    },
  );
  app.openapi(
    get(
      '/api/analytics/first-round-scores',
      'Mean first-round score per dimension by model',
      FirstRoundScores,
    ),
    async (c) => {
      await ctx.runs.refresh();
      return c.json({ dimensions: [...DIMENSIONS], items: a(c).firstRoundScores() }, 200);
    },
  );
  app.openapi(
    get('/api/analytics/score-distribution', 'Histogram of best and first-round scores', ScoreDistribution),
    async (c) => {
      await ctx.runs.refresh();
      return c.json(a(c).scoreDistribution(), 200);
    },
  );
  app.openapi(get('/api/analytics/stages', 'Tokens and duration by stage', StageStatsSchema), async (c) => {
    await ctx.runs.refresh();
    return c.json({ items: a(c).stageStats() }, 200);
  });

  return app;
}
