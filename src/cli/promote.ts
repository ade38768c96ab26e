// `flywheel promote`: one turn of the nightly loop (export → train → battery eval → promotion gate).
import crypto from 'node:crypto';
import type { Command } from 'commander';
import { withClient } from '../flywheel/cli-options';
import { DEFAULT_DEMO_MODEL } from '../ollama';
import { DEFAULT_TRAIN_ARGS, type TrainKind } from '../train/run';
import type { promoteLoop } from '../workflows/promote';
import { action, settingsOrExit, UserError } from './common';

interface Opts {
  kind: TrainKind;
  base: string;
  hfBase?: string;
  alias: string;
  battery: string;
  steps: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('promote')
    .exitOverride()
    .description(
      'Export → train → eval on the battery → move <alias> to the tuned model only if it is better',
    )
    .requiredOption('--battery <ref>', 'the held-out battery (flywheel battery list)')
    .option('--kind <sft|dpo>', 'trainer and export kind', 'sft')
    .option('--base <model>', 'base model (model server name)', DEFAULT_DEMO_MODEL)
    .option('--hf-base <dir>', 'its Hugging Face weights (not needed for the demo model)')
    .option(
      '--alias <name>',
      'the name the harness uses (set FLYWHEEL_PRODUCER_MODEL to it)',
      'flywheel-tuned:latest',
    )
    .option('--steps <n>', 'training steps', String(DEFAULT_TRAIN_ARGS.steps))
    .option('--json', 'print the decision as JSON')
    .addHelpText(
      'after',
      '\nPromotes only when the battery 95% interval of tuned − current is above zero, no battery task was in the\n' +
        'training rows and the evaluators are qualified. Every decision goes to <data>/promotions.jsonl.\n' +
        'Run it nightly with a Temporal schedule on workflow type promoteLoop.',
    )
    .action(
      action(async (o: Opts) => {
        const settings = settingsOrExit();
        if (o.kind !== 'sft' && o.kind !== 'dpo') throw new UserError('--kind: sft or dpo', 2);
        const steps = Number(o.steps);
        if (!Number.isInteger(steps) || steps < 1)
          throw new UserError(`--steps: a positive integer, got ${o.steps}`, 2);
        return withClient(settings, async (client) => {
          const handle = await client.workflow.start<typeof promoteLoop>('promoteLoop', {
            taskQueue: settings.FLYWHEEL_TASK_QUEUE,
            workflowId: `promote-${crypto.randomBytes(4).toString('hex')}`,
            args: [
              {
                base: o.base,
                hfBase: o.hfBase,
                alias: o.alias,
                battery: o.battery,
                args: { ...DEFAULT_TRAIN_ARGS, kind: o.kind, steps },
              },
            ],
          });
          process.stderr.write(
            `promote loop ${handle.workflowId} started (Temporal UI shows its children)\n`,
          );
          const r = await handle.result();
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
