// /api/evaluators: every evaluator's qualification (status, accuracy with its interval, position consistency,
// length bias, when measured) and the drift notices, read from data/evaluators.jsonl and data/notices.jsonl.
import path from 'node:path';
import { createRoute, type z } from '@hono/zod-openapi';
import { readJsonl } from '../../audit/jsonl';
import { qualifyCommand } from '../../flywheel/qualified';
import { readQualifications, statusOf } from '../../judge/qualification';
import { router, type DashboardContext } from '../context';
import { EvaluatorsList, NoQuery, NoticeSchema, errors, json } from '../schemas';

const list = createRoute({
  method: 'get',
  path: '/api/evaluators',
  tags: ['evaluators'],
  summary:
    'Each evaluator (measured or configured): status for the current rubric, accuracy with its 95% interval, ' +
    'position consistency, length bias, when measured; and the drift notices',
  request: { query: NoQuery },
  responses: { 200: json(EvaluatorsList, 'Evaluators and notices'), ...errors(400, 401, 403) },
});

type Notice = z.infer<typeof NoticeSchema>;

/** The notices file, newest first; lines that are not notices are skipped. */
export async function readNotices(dataDir: string, limit = 100): Promise<Notice[]> {
  const out: Notice[] = [];
  for await (const l of readJsonl(path.join(dataDir, 'notices.jsonl'))) {
    const n = NoticeSchema.safeParse({ ...l, model: l?.model ?? null });
    if (n.success) out.push(n.data);
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

export function evaluatorRoutes(ctx: DashboardContext) {
  const app = router();
  app.openapi(list, async (c) => {
    const all = await readQualifications(ctx.dataDir);
    const configured = new Set(ctx.settings.evaluatorModels);
    const models = [...new Set([...ctx.settings.evaluatorModels, ...all.map((q) => q.model)])].sort();
    const items = models.map((model) => {
      const mine = all.filter((q) => q.model === model);
      const latest = mine[mine.length - 1];
      // The status that counts now: latest measurement for this rubric and prompt (any digest: the dashboard
      // does not ask the model server; runs and `flywheel run` check the digest).
      const now = statusOf(all, model);
      const m = latest?.metrics;
      return {
        model,
        configured: configured.has(model),
        status: now.status,
        reason: now.reason,
        digest: latest?.digest ?? null,
        rubric_version: latest?.rubric_version ?? null,
        accuracy: m?.accuracy ?? null,
        accuracy_ci95: m?.accuracy_ci95 ?? null,
        position_consistency: m?.position_consistency ?? null,
        length_bias: m?.length_bias ?? null,
        n_pairs: m?.n_pairs ?? null,
        pair_set: latest?.pair_set.name ?? null,
        kind: latest?.kind ?? null,
        at: latest?.at ?? null,
        measurements: mine.length,
        qualify_command: qualifyCommand([model]),
      };
    });
    const s = ctx.settings;
    return c.json(
      {
        items,
        notices: await readNotices(ctx.dataDir),
        thresholds: {
          min_accuracy_lower_bound: s.FLYWHEEL_JUDGE_MIN_ACCURACY_LB,
          min_position_consistency: s.FLYWHEEL_JUDGE_MIN_POSITION_CONSISTENCY,
        },
      },
      200,
    );
  });
  return app;
}
