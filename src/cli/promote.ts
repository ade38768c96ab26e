// `flywheel promote`: one turn of the nightly loop ([rollout →] export → train → battery eval → promotion gate);
// `flywheel schedule promote` runs the same input on a cron (options shared through promoteOptions/promoteInput).
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import type { Settings } from '../config';
import { loadBattery } from '../flywheel/battery';
import { numberIn, withClient } from '../flywheel/cli-options';
import { evaluatorStatus } from '../flywheel/eval-start';
import { buildBatchInput } from '../flywheel/rollout-start';
import { tasksFromFile } from '../flywheel/rollout-tasks';
import { DEFAULT_DEMO_MODEL } from '../ollama';
import { DEFAULT_TRAIN_ARGS } from '../train/run';
import { evalProgressQuery } from '../workflows/eval';
import { promoteProgressQuery, type promoteLoop, type PromoteInput } from '../workflows/promote';
import { action, settingsOrExit, UserError } from './common';
import { resultWithProgress } from './progress';
import { trainProgress } from './train';

export interface PromoteOpts {
  kind: string;
  base: string;
  hfBase?: string;
  alias: string;
  battery: string;
  steps: number;
  minScore: number;
  trainSample: number;
  concurrency: number;
  rolloutTasks?: string;
  candidates: number;
}

/** The options `promote` and `schedule promote` share. */
export function promoteOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--battery <name>', 'the held-out battery (flywheel battery list)')
    .option('--kind <sft|dpo>', 'trainer and export kind', 'sft')
    .option('--base <model>', 'base model (model server name)', DEFAULT_DEMO_MODEL)
    .option('--hf-base <dir>', 'its Hugging Face weights (not needed for the demo model)')
    .option(
      '--alias <name>',
      'the name the harness uses (set FLYWHEEL_PRODUCER_MODEL to it)',
      'flywheel-tuned:latest',
    )
    .option('--steps <n>', 'training steps', numberIn(1, 1_000_000, true), DEFAULT_TRAIN_ARGS.steps)
    .option('--min-score <x>', 'export: lowest final score of a training row', numberIn(0, 10), 8.5)
    .option(
      '--train-sample <n>',
      'eval: training-distribution tasks (overfit gap)',
      numberIn(0, 100, true),
      3,
    )
    .option('--concurrency <n>', 'eval runs in flight at once', numberIn(1, 64, true), 2)
    .option('--rollout-tasks <file>', 'first run a rollout batch on these tasks (fresh candidates and pairs)')
    .option('--candidates <n>', 'rollout candidates per task', numberIn(2, 8, true), 4);
}

export const PROMOTE_HELP =
  '\nPromotes only when the battery 95% interval of tuned − current is above zero, no battery task was in the\n' +
  'training rows and the evaluators are qualified (flywheel judge qualify). Every decision goes to\n' +
  '<data>/promotions.jsonl; the tuned model and its lineage to <data>/models.jsonl.';

/** Checks what can be checked before hours of work (battery, evaluators, task file) and builds the input. */
export async function promoteInput(
  settings: Settings,
  o: PromoteOpts,
  storeAs: string,
  requireQualified: boolean,
): Promise<PromoteInput> {
  if (o.kind !== 'sft' && o.kind !== 'dpo') throw new UserError(`--kind: sft or dpo, got ${o.kind}`, 2);
  if (!loadBattery(settings.dataDir, o.battery))
    throw new UserError(`no battery ${o.battery} (flywheel battery create)`, 2);
  const bad = Object.entries(await evaluatorStatus(settings, settings.evaluatorModels)).filter(
    ([, q]) => q.status !== 'qualified',
  );
  const why = `the battery is judged only by qualified evaluators: ${bad
    .map(([m, q]) => `${m} is ${q.status}`)
    .join(', ')} (flywheel judge qualify)`;
  if (bad.length && requireQualified) throw new UserError(why, 1);
  if (bad.length) process.stderr.write(`warning: ${why}\n`);
  return {
    base: o.base,
    hfBase: o.hfBase,
    alias: o.alias,
    battery: o.battery,
    args: { ...DEFAULT_TRAIN_ARGS, kind: o.kind, steps: o.steps },
    minScore: o.minScore,
    trainSample: o.trainSample,
    concurrency: o.concurrency,
    ...(o.rolloutTasks
      ? {
          rollout: buildBatchInput(settings, {
            tasks: tasksFromFile(o.rolloutTasks),
            n: o.candidates,
            storeAs,
            byReference: true,
          }),
        }
      : {}),
  };
}

/** "stage: detail" of a running loop, with the child's own progress (training step and loss, eval runs). */
export async function promoteStatus(client: Client, handle: WorkflowHandle): Promise<string> {
  const p = await handle.query(promoteProgressQuery);
  if (!p.child) return p.stage;
  const child = client.workflow.getHandle(p.child);
  if (p.stage === 'train') {
    const t = await trainProgress(child).catch(() => null);
    return t
      ? `train: step ${t.step}/${t.max_steps}${t.loss === null ? '' : ` loss ${t.loss.toFixed(4)}`}`
      : 'train';
  }
  if (p.stage === 'eval') {
    const e = await child.query(evalProgressQuery).catch(() => null);
    return e ? `eval: ${e.done}/${e.total} runs done${e.errors ? `, ${e.errors} errors` : ''}` : 'eval';
  }
  return `${p.stage}: ${p.child}`;
}

export function register(program: Command): void {
  promoteOptions(
    program
      .command('promote')
      .exitOverride()
      .description(
        '[rollout →] export → train → eval on the battery → move <alias> to the tuned model only if it is better',
      ),
  )
    .option('--json', 'print the decision as JSON')
    .addHelpText('after', `${PROMOTE_HELP}\nRun it nightly with \`flywheel schedule promote --cron …\`.`)
    .action(
      action(async (o: PromoteOpts & { json?: boolean }) => {
        const settings = settingsOrExit();
        const workflowId = `promote-${crypto.randomBytes(4).toString('hex')}`;
        const input = await promoteInput(settings, o, `rollouts/tasks/${workflowId}`, true);
        return withClient(settings, async (client) => {
          const handle = await client.workflow.start<typeof promoteLoop>('promoteLoop', {
            taskQueue: settings.FLYWHEEL_TASK_QUEUE,
            workflowId,
            args: [input],
            staticSummary: `promote loop: ${o.base} → ${o.alias} on battery ${o.battery}`,
          });
          process.stderr.write(
            `promote loop ${handle.workflowId} started (Temporal UI shows its children)\n`,
          );
          const r = await resultWithProgress(handle.result(), () => promoteStatus(client, handle));
          if (o.json) console.log(JSON.stringify(r, null, 2));
          else
            console.log(
              r.promote
                ? `promoted ${r.model} to ${o.alias} (battery diff ${r.battery_diff?.mean} [${r.battery_diff?.ci95?.join(', ')}])`
                : `not promoted: ${r.reasons.join('; ')}`,
            );
          return r.promote ? 0 : 1;
        });
      }),
    );
}
