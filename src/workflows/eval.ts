// `flywheel eval`: every battery task (and a sample of training-distribution tasks) as a harness run per model,
// as child workflows with bounded concurrency; the figures and the evals.jsonl line are written by an activity.
import {
  ParentClosePolicy,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { EvalRecord, RecordEvalInput } from '../activities/eval';
import type { EvalItem } from '../flywheel/eval-stats';
import type { HarnessInput } from '../harness/input';
import { harnessRun } from './harness-run';

const { recordEval } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2s', maximumAttempts: 5 },
});

export interface EvalJob {
  model: string;
  set: EvalItem['set'];
  task_hash: string;
  input: HarnessInput;
}

export type EvalWorkflowInput = Omit<RecordEvalInput, 'items' | 'workflowId'> & {
  jobs: EvalJob[];
  concurrency: number;
};

export interface EvalProgress {
  total: number;
  done: number;
  errors: number;
}
export const evalProgressQuery = defineQuery<EvalProgress>('evalProgress');

export async function evalBattery(input: EvalWorkflowInput): Promise<EvalRecord> {
  const progress: EvalProgress = { total: input.jobs.length, done: 0, errors: 0 };
  setHandler(evalProgressQuery, () => progress);
  const items: EvalItem[] = new Array<EvalItem>(input.jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < input.jobs.length) {
      const k = next++;
      const j = input.jobs[k];
      const base = { model: j.model, set: j.set, task_hash: j.task_hash };
      try {
        const r = await executeChild(harnessRun, {
          workflowId: `${input.evalId}-${k}`,
          args: [j.input],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          staticSummary: `eval ${j.set} ${j.model} ${j.task_hash}`,
        });
        items[k] = {
          ...base,
          run_id: r.runId,
          final: r.final,
          score: r.scores.length ? r.scores[r.scores.length - 1] : null,
        };
      } catch {
        items[k] = { ...base, run_id: null, final: 'ERROR', score: null };
        progress.errors++;
      }
      progress.done++;
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(input.concurrency, input.jobs.length)) }, lane),
  );
  return recordEval({
    evalId: input.evalId,
    battery: input.battery,
    model: input.model,
    baseline: input.baseline,
    evaluatorModels: input.evaluatorModels,
    qualifications: input.qualifications,
    allowUnqualified: input.allowUnqualified,
    items,
    workflowId: workflowInfo().workflowId,
  });
}
