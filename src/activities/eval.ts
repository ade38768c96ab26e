// Writes one `flywheel eval` result to data/evals.jsonl: per-run items and the figures computed from them.
import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import { setFigures, type EvalItem, type SetFigures } from '../flywheel/eval-stats';
import type { ActivityDeps } from './deps';

export const evalsLog = (dataDir: string) => path.join(dataDir, 'evals.jsonl');

export interface RecordEvalInput {
  evalId: string;
  battery: { name: string; version: number; sha256: string };
  model: string;
  baseline?: string;
  evaluatorModels: string[];
  qualifications: Record<string, unknown>;
  allowUnqualified: boolean;
  items: EvalItem[];
  /** The eval workflow's id (empty outside one). */
  workflowId?: string;
}

export interface EvalRecord {
  schema: 1;
  eval_id: string;
  at: string;
  workflow_id: string;
  battery: RecordEvalInput['battery'];
  model: string;
  baseline: string | null;
  evaluator_models: string[];
  evaluator_qualifications: Record<string, unknown>;
  allow_unqualified: boolean;
  battery_figures: SetFigures;
  train_figures: SetFigures | null;
  /** Train-sample mean composite − battery mean composite of the model: large = fits what it trained on. */
  overfit_gap: number | null;
  items: EvalItem[];
}

export function evalActivities(deps: ActivityDeps) {
  return {
    async recordEval(i: RecordEvalInput): Promise<EvalRecord> {
      const battery = setFigures(i.items, 'battery', i.model, i.baseline);
      const hasTrain = i.items.some((x) => x.set === 'train');
      const train = hasTrain ? setFigures(i.items, 'train', i.model, i.baseline) : null;
      const b = battery.model.mean_composite;
      const t = train?.model.mean_composite ?? null;
      const rec: EvalRecord = {
        schema: 1,
        eval_id: i.evalId,
        at: new Date().toISOString(),
        workflow_id: i.workflowId ?? '',
        battery: i.battery,
        model: i.model,
        baseline: i.baseline ?? null,
        evaluator_models: i.evaluatorModels,
        evaluator_qualifications: i.qualifications,
        allow_unqualified: i.allowUnqualified,
        battery_figures: battery,
        train_figures: train,
        overfit_gap: b !== null && t !== null ? Math.round((t - b) * 1000) / 1000 : null,
        items: i.items,
      };
      await appendJsonl(evalsLog(deps.settings.dataDir), rec, { key: 'eval_id' });
      return rec;
    },
  };
}
