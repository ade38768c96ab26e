// Training activities: a long-running LoRA fine-tune that heartbeats its step and loss (the details carry the
// checkpoint, so a retry on another worker resumes there), and the import of the result into Ollama.
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { DEFAULT_DEMO_MODEL, resolveOllama } from '../ollama';
import { ensureDemoHfWeights, ensureTrainEnv } from '../train/env';
import { importIntoOllama } from '../train/import';
import {
  datasetFacts,
  evaluatorQualifications,
  lineageFrom,
  recordModel,
  type ModelLineage,
} from '../train/lineage';
import { runTraining, type TrainArgs, type TrainDone } from '../train/run';
import type { ActivityDeps } from './deps';

export interface TrainModelInput {
  id: string;
  datasetDir: string;
  /** The Ollama model the weights come from. */
  base: string;
  /** Its Hugging Face weights folder; for the demo model it is converted from the pinned GGUF when absent. */
  hfBase?: string;
  args: TrainArgs;
}

export interface TrainProgress {
  step: number;
  max_steps: number;
  loss: number | null;
  checkpoint: string | null;
}

export interface ImportModelInput {
  id: string;
  name: string;
  base: string;
  hfBase: string;
  datasetDir: string;
  args: TrainArgs;
  done: TrainDone;
}

export const trainOutDir = (dataDir: string, id: string) => path.join(dataDir, 'models', id);

export function trainActivities(deps: ActivityDeps) {
  const s = deps.settings;
  return {
    async trainModel(input: TrainModelInput): Promise<{ done: TrainDone; hfBase: string }> {
      const ctx = Context.current();
      if (!fs.existsSync(path.join(input.datasetDir, 'train.jsonl')))
        throw ApplicationFailure.nonRetryable(`no train.jsonl in ${input.datasetDir}`, 'BadDataset');
      const python = await ensureTrainEnv();
      let hfBase = input.hfBase;
      if (!hfBase) {
        if (input.base !== DEFAULT_DEMO_MODEL)
          throw ApplicationFailure.nonRetryable(
            `no Hugging Face weights for ${input.base}: pass --hf-base <folder with config.json and *.safetensors>`,
            'NoWeights',
          );
        hfBase = await ensureDemoHfWeights();
      }
      const prior = ctx.info.heartbeatDetails as TrainProgress | undefined;
      let last: TrainProgress = prior ?? {
        step: 0,
        max_steps: input.args.steps,
        loss: null,
        checkpoint: null,
      };
      ctx.heartbeat(last);
      const beat = setInterval(() => ctx.heartbeat(last), 5000);
      try {
        const done = await runTraining({
          python,
          datasetDir: input.datasetDir,
          base: hfBase,
          outDir: trainOutDir(s.dataDir, input.id),
          args: input.args,
          signal: ctx.cancellationSignal,
          onEvent: (e) => {
            if (e.event === 'step') last = { ...last, step: e.step, max_steps: e.max_steps, loss: e.loss };
            else if (e.event === 'checkpoint') last = { ...last, step: e.step, checkpoint: e.path };
            else return;
            ctx.heartbeat(last);
          },
        });
        return { done, hfBase };
      } finally {
        clearInterval(beat);
      }
    },

    async importTunedModel(input: ImportModelInput): Promise<ModelLineage> {
      const ollama = await resolveOllama({ allowBuild: false });
      await importIntoOllama({
        host: s.OLLAMA_HOST,
        ollamaPath: ollama.path,
        name: input.name,
        weightsDir: input.done.merged,
        baseModel: input.base,
      });
      const dataset = datasetFacts(input.datasetDir);
      const rec = lineageFrom(input.done, {
        name: input.name,
        id: input.id,
        base: input.base,
        hf_base: input.hfBase,
        created_at: new Date().toISOString(),
        evaluator_qualifications: await evaluatorQualifications(s.dataDir, dataset.evaluator_models),
        training_args: input.args,
        workflow_id: Context.current().info.workflowExecution?.workflowId ?? '',
        dataset,
      });
      await recordModel(s.dataDir, rec);
      return rec;
    },
  };
}
