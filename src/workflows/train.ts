// `flywheel train`: fine-tune (LoRA via TRL, in the training venv) and import the result into the model server.
// The training activity heartbeats step/loss/checkpoint; the progress query reads the same through the workflow.
import { defineQuery, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import type * as activities from '../activities';
import type { TrainProgress } from '../activities/train';
import type { ModelLineage } from '../train/lineage';
import type { TrainArgs } from '../train/run';

const { trainModel, importTunedModel } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '6 hours',
  // Heartbeats reach the server at most every 0.8 × this: it also sets how fresh the CLI's progress is.
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '5s', maximumAttempts: 3, nonRetryableErrorTypes: ['BadDataset', 'NoWeights'] },
});

export interface TrainWorkflowInput {
  datasetDir: string;
  base: string;
  hfBase?: string;
  args: TrainArgs;
  /** Short id for `<base>-ft-<id>`; default: from a workflow-deterministic uuid. */
  id?: string;
}

export type TrainPhase = 'training' | 'importing' | 'done';
export const trainPhaseQuery = defineQuery<TrainPhase>('trainPhase');

export async function trainWorkflow(input: TrainWorkflowInput): Promise<ModelLineage> {
  let phase: TrainPhase = 'training';
  setHandler(trainPhaseQuery, () => phase);
  const id = input.id ?? uuid4().replace(/-/g, '').slice(0, 8);
  const { done, hfBase } = await trainModel({
    id,
    datasetDir: input.datasetDir,
    base: input.base,
    hfBase: input.hfBase,
    args: input.args,
  });
  phase = 'importing';
  const name = `${input.base.replace(/:.*$/, '')}-ft-${id}:latest`;
  const rec = await importTunedModel({
    id,
    name,
    base: input.base,
    hfBase,
    datasetDir: input.datasetDir,
    args: input.args,
    done,
  });
  phase = 'done';
  return rec;
}

export type { TrainProgress };
