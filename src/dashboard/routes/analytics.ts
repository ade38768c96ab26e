// /api/analytics: the seed's pandas analyses as endpoints, served from running aggregates.
import { createRoute } from '@hono/zod-openapi';
import { DIMENSIONS } from '../../audit/records';
import { router, type DashboardContext } from '../context';
import {
  FailureRate,
  FirstRoundScores,
  NoQuery,
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
    request: { query: NoQuery },
    responses: { 200: json(schema, summary), ...errors(400, 401, 403) },
  });

export function analyticsRoutes(ctx: DashboardContext) {
  const app = router();
  const a = () => ctx.runs.analytics;

  app.openapi(get('/api/analytics/summary', 'Totals for KPI cards', Overview), async (c) => {
    await ctx.runs.refresh();
    return c.json(a().overview(), 200);
  });
  app.openapi(
    get('/api/analytics/failure-rate', 'Failure rate by producer model', FailureRate),
    async (c) => {
      await ctx.runs.refresh();
      return c.json({ items: a().failureRate() }, 200);
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
      return c.json({ dimensions: [...DIMENSIONS], items: a().firstRoundScores() }, 200);
    },
  );
  app.openapi(
    get('/api/analytics/score-distribution', 'Histogram of best and first-round scores', ScoreDistribution),
    async (c) => {
      await ctx.runs.refresh();
      return c.json(a().scoreDistribution(), 200);
    },
  );
  app.openapi(get('/api/analytics/stages', 'Tokens and duration by stage', StageStatsSchema), async (c) => {
    await ctx.runs.refresh();
    return c.json({ items: a().stageStats() }, 200);
  });

  return app;
}
