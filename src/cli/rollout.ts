// `flywheel rollout`: start an RL rollout batch and follow its progress.
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { BATCH_ID_RE } from '../flywheel/batch-id';
import { numberIn, withClient } from '../flywheel/cli-options';
import { buildBatchInput, newBatchId, startRolloutBatch } from '../flywheel/rollout-start';
import { tasksFromFile } from '../flywheel/rollout-tasks';
import { rolloutProgressQuery, type rolloutBatch, type RolloutProgress } from '../workflows/rollout';
import { action, settingsOrExit, UserError } from './common';

interface Opts {
  tasks: string;
  n: number;
  concurrency: number;
  batchId?: string;
  tasksPerRun?: number;
  detach?: boolean;
  json?: boolean;
}

const line = (p: RolloutProgress) =>
  `tasks ${p.done + p.failed}/${p.total ?? '?'} done${p.failed ? ` (${p.failed} failed)` : ''}, ${p.running} running · ` +
  `${p.candidates} candidates · ${p.pairs} pairs`;

/** Prints progress (from the query, every 2 s) until the batch closes; returns its final progress. */
async function follow(
  handle: WorkflowHandle<typeof rolloutBatch>,
  batchId: string,
): Promise<RolloutProgress> {
  let shown = '';
  const done = handle.result().then(
    (r) => ({ ok: true as const, r }),
    (e: Error) => ({ ok: false as const, e }),
  );
  let outcome: Awaited<typeof done> | null = null;
  while (!outcome) {
    const p = await handle.query(rolloutProgressQuery).catch(() => null);
    if (p && line(p) !== shown) {
      shown = line(p);
      process.stderr.write(`  ${shown}\n`);
    }
    outcome = await Promise.race([done, sleep(2000).then(() => null)]);
  }
  if (!outcome.ok) throw new Error(`batch ${batchId} did not complete: ${outcome.e.message}`);
  return outcome.r;
}

export function register(program: Command): void {
  program
    .command('rollout')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Start an RL rollout batch: N candidates per task, scored once each, preference pairs out')
    .requiredOption(
      '--tasks <file>',
      'task list: one task per line (# comments), or JSONL with {"task": ...}',
    )
    .option(
      '--n <count>',
      'candidates per task (temperatures 0.6, 0.7, 0.8, 0.9, …)',
      numberIn(2, 8, true),
      4,
    )
    .option('--concurrency <count>', 'tasks in flight at once', numberIn(1, 64, true), 2)
    .option('--batch-id <id>', 'batch id (default: a timestamp id); pairs go to <data>/rollouts/<id>.jsonl')
    .option(
      '--tasks-per-run <count>',
      'continue-as-new after this many tasks (default 500)',
      numberIn(1, 100000, true),
    )
    .option('--detach', 'start the batch and return without following it')
    .option('--json', 'print the final progress as JSON')
    .addHelpText('after', '\nNeeds a running worker (`flywheel worker`) on the task queue.')
    .action(
      action(async (o: Opts) => {
        const settings = settingsOrExit();
        const batchId = o.batchId ?? newBatchId();
        if (!BATCH_ID_RE.test(batchId))
          throw new UserError('--batch-id may use letters, digits, ".", "_" and "-" (max 100 characters).');
        const tasks = tasksFromFile(o.tasks);
        const input = buildBatchInput(settings, {
          tasks,
          n: o.n,
          concurrency: o.concurrency,
          tasksPerRun: o.tasksPerRun,
          storeAs: `rollouts/tasks/${batchId}`,
        });
        await withClient(settings, async (client) => {
          let handle;
          try {
            handle = await startRolloutBatch(client, settings.FLYWHEEL_TASK_QUEUE, batchId, input);
          } catch (e) {
            if (e instanceof WorkflowExecutionAlreadyStartedError)
              throw new UserError(`A batch with id ${batchId} already exists; pick another --batch-id.`);
            throw e;
          }
          process.stderr.write(
            `rollout batch ${batchId}: ${tasks.length} tasks × ${input.n} candidates ` +
              `(workflow ${handle.workflowId}, queue ${settings.FLYWHEEL_TASK_QUEUE})\n`,
          );
          if (o.detach) return void process.stdout.write(`${batchId}\n`);
          const finished = await follow(handle, batchId);
          if (o.json) process.stdout.write(`${JSON.stringify(finished, null, 2)}\n`);
          else
            process.stdout.write(
              `batch ${batchId} done: ${line(finished)}\npairs: ${settings.dataDir}/rollouts/${batchId}.jsonl\n`,
            );
        });
      }),
    );
}
