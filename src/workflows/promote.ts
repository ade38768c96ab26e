// `flywheel promote`: the nightly loop. export → train → eval on the battery (tuned vs the current alias) → the
// promotion gate, which moves the alias only when the battery interval is above zero and no battery task leaked.
// (Rollouts run on their own schedule: `flywheel schedule`.) Schedulable like any workflow.
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { PromotionDecision } from '../flywheel/promotion';
import type { TrainArgs } from '../train/run';
import { evalBattery } from './eval';
import { trainWorkflow } from './train';

const { exportForTraining, prepareEval, currentModel, promoteIfBetter } =
  proxyActivities<activities.Activities>({
    startToCloseTimeout: '30 minutes',
    retry: {
      initialInterval: '5s',
      maximumAttempts: 3,
      nonRetryableErrorTypes: ['EmptyExport', 'NoBattery', 'UnqualifiedEvaluators'],
    },
  });

export interface PromoteInput {
  base: string;
  hfBase?: string;
  /** The name the harness uses (FLYWHEEL_PRODUCER_MODEL), moved to the tuned model on promotion. */
  alias: string;
  battery: string;
  args: TrainArgs;
  minScore?: number;
  trainSample?: number;
  concurrency?: number;
  maxRounds?: number;
}

export interface PromoteResult extends PromotionDecision {
  model: string;
  baseline: string;
  eval_id: string;
  dataset: string;
}

export async function promoteLoop(input: PromoteInput): Promise<PromoteResult> {
  const id = workflowInfo()
    .workflowId.replace(/[^a-z0-9]/gi, '')
    .slice(-8)
    .toLowerCase();
  const dataset = await exportForTraining({ id, kind: input.args.kind, minScore: input.minScore });
  const tuned = await executeChild(trainWorkflow, {
    workflowId: `${workflowInfo().workflowId}-train`,
    args: [{ datasetDir: dataset.dir, base: input.base, hfBase: input.hfBase, args: input.args, id }],
  });
  const baseline = await currentModel({ alias: input.alias, base: input.base });
  const evalInput = await prepareEval({
    id,
    battery: input.battery,
    model: tuned.name,
    baseline,
    trainSample: input.trainSample ?? 3,
    concurrency: input.concurrency ?? 2,
    maxRounds: input.maxRounds,
  });
  const ev = await executeChild(evalBattery, { workflowId: evalInput.evalId, args: [evalInput] });
  const d = await promoteIfBetter({ id, model: tuned.name, alias: input.alias, datasetDir: dataset.dir, ev });
  return { ...d, model: tuned.name, baseline, eval_id: ev.eval_id, dataset: dataset.dir };
}
