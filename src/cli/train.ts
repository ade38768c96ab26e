// `flywheel train sft|dpo`: LoRA fine-tune on an export, imported into the model server as <base>-ft-<id>.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Argument, type Command } from 'commander';
import type { TrainProgress } from '../activities/train';
import { numberIn, withClient } from '../flywheel/cli-options';
import { DEFAULT_DEMO_MODEL } from '../ollama';
import { DEFAULT_TRAIN_ARGS, type TrainArgs, type TrainKind } from '../train/run';
import type { trainWorkflow } from '../workflows/train';
import { action, settingsOrExit, UserError } from './common';
import { resultWithProgress } from './progress';

type Opts = Omit<TrainArgs, 'kind'> & {
  dataset: string;
  base: string;
  hfBase?: string;
  id?: string;
  json?: boolean;
};

const int = (lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi)
    throw new UserError(`expected an integer ${lo}–${hi}, got ${v}`, 2);
  return n;
};

export function register(program: Command): void {
  const d = DEFAULT_TRAIN_ARGS;
  program
    .command('train')
    .exitOverride()
    .description(
      'Fine-tune a model with LoRA (TRL SFTTrainer / DPOTrainer) on an export and import it as <base>-ft-<id>',
    )
    .addArgument(new Argument('<kind>', 'trainer').choices(['sft', 'dpo']))
    .requiredOption(
      '--dataset <dir>',
      'an export folder (train.jsonl + README.md) from `flywheel export sft|dpo`',
    )
    .option('--base <model>', 'the model server name of the base model', DEFAULT_DEMO_MODEL)
    .option(
      '--hf-base <dir>',
      'its Hugging Face weights (config.json + *.safetensors); not needed for the demo model',
    )
    .option('--steps <n>', 'optimizer steps', int(1, 1_000_000), d.steps)
    .option(
      '--save-steps <n>',
      'checkpoint every n steps (a restarted worker resumes from the last one)',
      int(1, 1_000_000),
      d.saveSteps,
    )
    .option('--batch <n>', 'rows per step', int(1, 1024), d.batch)
    .option('--lr <x>', 'learning rate', numberIn(1e-7, 1), d.lr)
    .option('--lora-r <n>', 'LoRA rank', int(1, 512), d.loraR)
    .option('--max-len <n>', 'tokens per row (longer rows are cut)', int(16, 32768), d.maxLen)
    .option('--seed <n>', 'random seed', int(0, 2 ** 31), d.seed)
    .option('--id <hex>', 'short id of the new model (default: random)')
    .option('--json', 'print the lineage record as JSON')
    .addHelpText(
      'after',
      '\nRuns as a Temporal workflow on the worker (`flywheel worker`); the first run creates the training venv\n' +
        '(~/.cache/flywheel/train-venv-*, from requirements-train.txt; `npx tsx scripts/ensure-train.ts` does it ahead).\n' +
        'CPU by default, a GPU when torch sees one. Lineage goes to <data>/models.jsonl.',
    )
    .action(
      action(async (kind: TrainKind, o: Opts) => {
        const settings = settingsOrExit();
        const dataset = path.resolve(o.dataset);
        if (!fs.existsSync(path.join(dataset, 'train.jsonl')))
          throw new UserError(
            `--dataset: no train.jsonl in ${dataset} (make one with \`flywheel export ${kind}\`)`,
            2,
          );
        if (o.hfBase && !fs.existsSync(path.join(o.hfBase, 'config.json')))
          throw new UserError(`--hf-base: no config.json in ${o.hfBase}`, 2);
        if (o.id !== undefined && !/^[0-9a-z]{4,16}$/.test(o.id))
          throw new UserError('--id: 4–16 lowercase letters or digits', 2);
        const id = o.id ?? crypto.randomBytes(4).toString('hex');
        const args = {
          kind,
          steps: o.steps,
          saveSteps: o.saveSteps,
          batch: o.batch,
          lr: o.lr,
          loraR: o.loraR,
          maxLen: o.maxLen,
          seed: o.seed,
        };
        return withClient(settings, async (client) => {
          const handle = await client.workflow.start<typeof trainWorkflow>('trainWorkflow', {
            taskQueue: settings.FLYWHEEL_TASK_QUEUE,
            workflowId: `train-${id}`,
            args: [
              {
                datasetDir: dataset,
                base: o.base,
                hfBase: o.hfBase ? path.resolve(o.hfBase) : undefined,
                args,
                id,
              },
            ],
          });
          process.stderr.write(`training ${o.base} (${kind}) as workflow ${handle.workflowId}\n`);
          const rec = await resultWithProgress(handle.result(), async () => {
            const p = await trainProgress(handle);
            return p
              ? `step ${p.step}/${p.max_steps}${p.loss === null ? '' : ` loss ${p.loss.toFixed(4)}`}`
              : null;
          });
          if (o.json) console.log(JSON.stringify(rec, null, 2));
          else
            console.log(
              `${rec.name}: ${rec.training_args.steps} steps, final loss ${rec.final_loss?.toFixed(4) ?? '?'}, ` +
                `${rec.tokens_per_s ?? '?'} tokens/s on ${rec.device}; lineage in ${path.join(settings.dataDir, 'models.jsonl')}`,
            );
          return 0;
        });
      }),
    );
}

/** The training activity's last heartbeat (step, loss, checkpoint), read from the workflow's pending activity. */
export async function trainProgress(handle: WorkflowHandle): Promise<TrainProgress | null> {
  const d = await handle.describe();
  for (const a of d.raw.pendingActivities ?? []) {
    const p = a.heartbeatDetails?.payloads?.[0];
    if (p) return defaultPayloadConverter.fromPayload(p as never) as TrainProgress;
  }
  return null;
}
