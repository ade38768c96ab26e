// /api/models: the "Models" view's data — tuned models with their lineage, battery evals by model generation
// (the plot's series), and promotion decisions. Read from models.jsonl, evals.jsonl and promotions.jsonl.
import fs from 'node:fs';
import { createRoute, z } from '@hono/zod-openapi';
import { evalsLog, type EvalRecord } from '../../activities/eval';
import { readJsonl } from '../../audit/jsonl';
import { promotionsLog } from '../../flywheel/promotion';
import { modelsLog } from '../../train/lineage';
import { router, type DashboardContext } from '../context';
import { NoQuery, errors, json } from '../schemas';

const Ci = z.tuple([z.number(), z.number()]).nullable();
export const ModelsView = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      base: z.string(),
      created_at: z.string(),
      kind: z.string(),
      steps: z.number(),
      final_loss: z.number().nullable(),
      tokens_per_s: z.number().nullable(),
      dataset_rows: z.number(),
      dataset_card_sha256: z.string().nullable(),
      resumed_from: z.string().nullable(),
    }),
  ),
  evals: z.array(
    z.object({
      eval_id: z.string(),
      at: z.string(),
      battery: z.string(),
      model: z.string(),
      baseline: z.string().nullable(),
      mean_composite: z.number().nullable(),
      pass_rate: z.number().nullable(),
      diff_mean: z.number().nullable(),
      diff_ci95: Ci,
      overfit_gap: z.number().nullable(),
      allow_unqualified: z.boolean(),
    }),
  ),
  promotions: z.array(
    z.object({
      at: z.string(),
      model: z.string(),
      alias: z.string(),
      promote: z.boolean(),
      reasons: z.array(z.string()),
    }),
  ),
});

async function lines<T>(file: string): Promise<T[]> {
  const out: T[] = [];
  if (!fs.existsSync(file)) return out;
  for await (const r of readJsonl(file, { onSkip: () => undefined })) out.push(r as T);
  return out;
}

export function modelRoutes(ctx: DashboardContext) {
  const app = router();
  const route = createRoute({
    method: 'get',
    path: '/api/models',
    tags: ['models'],
    summary: 'Tuned models, battery evals by generation, promotion decisions',
    request: { query: NoQuery },
    responses: { 200: json(ModelsView, 'Models view'), ...errors(400, 401, 403) },
  });
  app.openapi(route, async (c) => {
    const models = await lines<Record<string, any>>(modelsLog(ctx.dataDir));
    const evals = await lines<EvalRecord>(evalsLog(ctx.dataDir));
    const promos = await lines<Record<string, any>>(promotionsLog(ctx.dataDir));
    const body = {
      models: models.map((m) => ({
        name: String(m.name),
        base: String(m.base),
        created_at: String(m.created_at),
        kind: String(m.training_args?.kind),
        steps: Number(m.training_args?.steps),
        final_loss: m.final_loss ?? null,
        tokens_per_s: m.tokens_per_s ?? null,
        dataset_rows: Number(m.dataset?.rows ?? 0),
        dataset_card_sha256: m.dataset?.card_sha256 ?? null,
        resumed_from: m.resumed_from ?? null,
      })),
      evals: evals
        .map((e) => ({
          eval_id: e.eval_id,
          at: e.at,
          battery: `${e.battery.name}@v${e.battery.version}`,
          model: e.model,
          baseline: e.baseline,
          mean_composite: e.battery_figures.model.mean_composite,
          pass_rate: e.battery_figures.model.pass_rate,
          diff_mean: e.battery_figures.diff?.mean ?? null,
          diff_ci95: e.battery_figures.diff?.ci95 ?? null,
          overfit_gap: e.overfit_gap,
          allow_unqualified: e.allow_unqualified,
        }))
        .sort((a, b) => a.at.localeCompare(b.at)),
      promotions: promos.map((p) => ({
        at: String(p.at),
        model: String(p.model),
        alias: String(p.alias),
        promote: Boolean(p.promote),
        reasons: (p.reasons as string[]) ?? [],
      })),
    };
    return c.json(body, 200);
  });
  return app;
}
