// `flywheel promote`: the nightly loop. [rollout →] export → train → eval on the battery (tuned vs the current
// alias) → the promotion gate, which moves the alias only when the battery interval is above zero and no battery
// task leaked. Schedulable like any workflow (`flywheel schedule promote`).
import {
  defineQuery,
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities';
import type { PromotionDecision } from '../flywheel/promotion';
import type { TrainArgs } from '../train/run';
import { evalBattery } from './eval';
import { rolloutBatch, type RolloutBatchInput } from './rollout';
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
  /** A rollout batch to run first (fresh candidates and pairs for the export). */
  rollout?: RolloutBatchInput;
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

export type PromoteStage = 'rollout' | 'export' | 'train' | 'eval' | 'gate' | 'done';
export interface PromoteProgress {
  stage: PromoteStage;
  /** The child workflow of the stage, when it has one (the CLI asks it for its own progress). */
  child: string | null;
}
export const promoteProgressQuery = defineQuery<PromoteProgress>('promoteProgress');

export async function promoteLoop(input: PromoteInput): Promise<PromoteResult> {
  const wf = workflowInfo().workflowId;
  const progress: PromoteProgress = { stage: 'export', child: null };
  setHandler(promoteProgressQuery, () => progress);
  const enter = (stage: PromoteStage, child: string | null = null) => {
    Object.assign(progress, { stage, child });
    setCurrentDetails(`**stage:** ${stage}${child ? `  \n**child:** ${child}` : ''}`);
  };
  // Unique per run (a scheduled loop reuses its workflow id's prefix every night): names the export, the model
  // and the eval.
  const id = uuid4().replace(/-/g, '').slice(0, 8);

  if (input.rollout) {
    enter('rollout', `${wf}-rollout`);
    await executeChild(rolloutBatch, { workflowId: `${wf}-rollout`, args: [input.rollout] });
  }
  enter('export');
  const dataset = await exportForTraining({ id, kind: input.args.kind, minScore: input.minScore });
  enter('train', `${wf}-train`);
  const tuned = await executeChild(trainWorkflow, {
    workflowId: `${wf}-train`,
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
  enter('eval', evalInput.evalId);
  const ev = await executeChild(evalBattery, { workflowId: evalInput.evalId, args: [evalInput] });
  enter('gate');
  const d = await promoteIfBetter({ id, model: tuned.name, alias: input.alias, datasetDir: dataset.dir, ev });
  enter('done');
  return { ...d, model: tuned.name, baseline, eval_id: ev.eval_id, dataset: dataset.dir };
}
