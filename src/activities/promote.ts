// The nightly loop's own steps: export the training rows, prepare the battery eval, and the promotion gate
// (moving the alias the harness uses with the model server's copy when the gate passes).
import crypto from 'node:crypto';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { loadBattery, batteryTaskHashes, runTasks, sampleTasks } from '../flywheel/battery';
import { buildEvalInput } from '../flywheel/eval-start';
import { exportDataset } from '../flywheel/export';
import { decidePromotion, recordPromotion, type PromotionDecision } from '../flywheel/promotion';
import { taskHash } from '../flywheel/task-hash';
import { hasModel } from '../ollama';
import { datasetFacts } from '../train/lineage';
import type { EvalWorkflowInput } from '../workflows/eval';
import type { EvalRecord } from './eval';
import type { ActivityDeps } from './deps';

export function promoteActivities(deps: ActivityDeps) {
  const s = deps.settings;
  return {
    /** `flywheel export <kind>` of runs.jsonl into data/exports/promote-<id> (battery tasks withheld). */
    async exportForTraining(i: {
      id: string;
      kind: 'sft' | 'dpo';
      minScore?: number;
    }): Promise<{ dir: string; rows: number }> {
      const dir = path.join(s.dataDir, 'exports', `promote-${i.id}`);
      const sum = await exportDataset({
        kind: i.kind,
        runsFile: path.join(s.dataDir, 'runs.jsonl'),
        outDir: dir,
        minScore: i.minScore,
        includeRollouts: i.kind === 'dpo',
      });
      if (sum.rows.train === 0)
        throw ApplicationFailure.nonRetryable(
          `the ${i.kind} export has no rows: nothing to train on`,
          'EmptyExport',
        );
      return { dir, rows: sum.rows.train };
    },

    /** The eval of `model` against `baseline` on the battery, with a training-distribution sample. */
    async prepareEval(i: {
      id: string;
      battery: string;
      model: string;
      baseline: string;
      trainSample: number;
      concurrency: number;
      maxRounds?: number;
    }): Promise<EvalWorkflowInput> {
      const battery = loadBattery(s.dataDir, i.battery);
      if (!battery) throw ApplicationFailure.nonRetryable(`no battery ${i.battery}`, 'NoBattery');
      const held = batteryTaskHashes(s.dataDir);
      const pool = (await runTasks(path.join(s.dataDir, 'runs.jsonl'))).filter((t) => !held.has(taskHash(t)));
      try {
        return await buildEvalInput(s, {
          battery,
          model: i.model,
          baseline: i.baseline,
          evaluatorModels: s.evaluatorModels,
          trainTasks: sampleTasks(pool, i.trainSample, 'train-sample'),
          allowUnqualified: false,
          concurrency: i.concurrency,
          maxRounds: i.maxRounds,
          evalId: `eval-${i.id}`,
        });
      } catch (e) {
        throw ApplicationFailure.nonRetryable((e as Error).message, 'UnqualifiedEvaluators');
      }
    },

    /** The baseline of the eval: the alias when it exists, else the base model. */
    async currentModel(i: { alias: string; base: string }): Promise<string> {
      return (await hasModel(s.OLLAMA_HOST, i.alias)) ? i.alias : i.base;
    },

    async promoteIfBetter(i: {
      id: string;
      model: string;
      alias: string;
      datasetDir: string;
      ev: EvalRecord;
    }): Promise<PromotionDecision> {
      const d = decidePromotion(s.dataDir, i.ev, datasetFacts(i.datasetDir).task_hashes);
      if (d.promote) {
        const res = await fetch(new URL('/api/copy', s.OLLAMA_HOST), {
          method: 'POST',
          body: JSON.stringify({ source: i.model, destination: i.alias }),
        });
        if (!res.ok) throw new Error(`copy ${i.model} → ${i.alias}: HTTP ${res.status}`);
      }
      await recordPromotion(s.dataDir, {
        promotion_id: `promote-${i.id}-${crypto.createHash('sha256').update(i.ev.eval_id).digest('hex').slice(0, 8)}`,
        at: new Date().toISOString(),
        model: i.model,
        alias: i.alias,
        eval_id: i.ev.eval_id,
        ...d,
      });
      return d;
    },
  };
}
