// `flywheel schedule`: nightly rollout batches as Temporal Schedules.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { numberIn, withClient } from '../flywheel/cli-options';
import { buildBatchInput } from '../flywheel/rollout-start';
import { tasksFromFile } from '../flywheel/rollout-tasks';
import {
  createRolloutSchedule,
  createSchedule,
  listSchedules,
  triggerSchedule,
  type Overlap,
} from '../flywheel/schedule';
import { table } from '../flywheel/table';
import { PairFileError } from '../judge/pairs';
import { buildQualifyInput, createDriftSchedule } from '../judge/start';
import { action, parseList, settingsOrExit, UserError } from './common';
import { PROMOTE_HELP, promoteInput, promoteOptions, type PromoteOpts } from './promote';

interface RolloutOpts {
  cron: string;
  tasks: string;
  id: string;
  timezone: string;
  overlap: string;
  catchupWindow: string;
  n: number;
  concurrency: number;
}

/** Runs fn on the schedule `id`, turning "not found" into a user error. */
async function onSchedule(id: string, fn: (client: Client) => Promise<void>): Promise<void> {
  await withClient(settingsOrExit(), async (client) => {
    try {
      await fn(client);
    } catch (e) {
      if (e instanceof ScheduleNotFoundError)
        throw new UserError(`No schedule with id ${id} (see \`flywheel schedule list\`).`);
      throw e;
    }
  });
}

/** A failed schedule creation as a user error where it is one (id taken, bad cron, zone or window). */
function scheduleError(e: unknown, id: string): unknown {
  if (e instanceof ScheduleAlreadyRunning)
    return new UserError(`A schedule with id ${id} already exists (delete it first, or pick another --id).`);
  if (e instanceof RangeError) return new UserError(e.message);
  if (/invalid|cron/i.test((e as Error).message))
    return new UserError(`Invalid schedule: ${(e as Error).message}`);
  return e;
}

export function register(program: Command): void {
  const schedule = program
    .command('schedule')
    .exitOverride()
    .description('Nightly rollout batches, promote loops and evaluator drift checks (Temporal Schedules)');

  schedule
    .command('rollout')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Create a schedule that starts a rollout batch on a cron')
    .requiredOption('--cron <expr>', 'cron expression, e.g. "0 2 * * *" (02:00 every day)')
    .requiredOption(
      '--tasks <file>',
      'task list (stored in the schedule, or in <data>/rollouts/tasks/ when large)',
    )
    .option('--id <id>', 'schedule id', 'nightly-rollout')
    .option('--timezone <tz>', 'IANA time zone the cron is read in', 'UTC')
    .addOption(
      new Option(
        '--overlap <policy>',
        'when the previous batch is still running: skip this one, or run it right after',
      )
        .choices(['skip', 'buffer_one'])
        .default('skip'),
    )
    .option('--catchup-window <duration>', 'after an outage, still start a missed batch this late', '1h')
    .option('--n <count>', 'candidates per task', numberIn(2, 8, true), 4)
    .option('--concurrency <count>', 'tasks in flight at once', numberIn(1, 64, true), 2)
    .action(
      action(async (o: RolloutOpts) => {
        const settings = settingsOrExit();
        const tasks = tasksFromFile(o.tasks);
        const input = buildBatchInput(settings, {
          tasks,
          n: o.n,
          concurrency: o.concurrency,
          storeAs: `rollouts/tasks/schedule-${o.id}`,
        });
        await withClient(settings, async (client) => {
          try {
            await createRolloutSchedule(client, {
              scheduleId: o.id,
              cron: o.cron,
              timezone: o.timezone,
              overlap: o.overlap.toUpperCase() as Overlap,
              catchupWindow: o.catchupWindow,
              taskQueue: settings.FLYWHEEL_TASK_QUEUE,
              input,
              taskCount: tasks.length,
            });
          } catch (e) {
            throw scheduleError(e, o.id);
          }
          const d = await client.schedule.getHandle(o.id).describe();
          process.stdout.write(
            `schedule ${o.id}: "${o.cron}" (${o.timezone}), ${tasks.length} tasks × ${input.n} candidates, ` +
              `overlap ${o.overlap.toUpperCase()}, catch-up window ${o.catchupWindow}\n` +
              `next: ${d.info.nextActionTimes[0]?.toISOString() ?? '-'}\n`,
          );
        });
      }),
    );

  schedule
    .command('judge-drift')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Create a schedule that re-qualifies each evaluator on a random sample of pairs; an accuracy below the ' +
        'interval of its last full qualification marks it unqualified and raises a dashboard notice',
    )
    .option('--cron <expr>', 'cron expression', '0 3 * * *')
    .option('--id <id>', 'schedule id', 'nightly-judge-drift')
    .option('--timezone <tz>', 'IANA time zone the cron is read in', 'UTC')
    .option('--catchup-window <duration>', 'after an outage, still start a missed check this late', '1h')
    .option(
      '--pairs <file>',
      'pair file, stored in <data>/evaluators/pairsets/ (default: the bundled LLMBar pairs)',
    )
    .option('--sample <n>', 'pairs asked per check', numberIn(1, 100000, true), 20)
    .option(
      '--models <names>',
      "evaluators (default: the worker's FLYWHEEL_EVALUATOR_MODELS when each check runs)",
      parseList,
    )
    .option('--concurrency <count>', 'pair judgements in flight at once', numberIn(1, 64, true), 2)
    .action(
      action(
        async (o: {
          cron: string;
          id: string;
          timezone: string;
          catchupWindow: string;
          pairs?: string;
          sample: number;
          models?: string[];
          concurrency: number;
        }) => {
          const settings = settingsOrExit();
          let input;
          try {
            input = buildQualifyInput(settings, {
              kind: 'drift',
              pairsFile: o.pairs,
              models: o.models,
              sample: o.sample,
              concurrency: o.concurrency,
            });
          } catch (e) {
            if (e instanceof PairFileError || e instanceof RangeError) throw new UserError(e.message);
            throw e;
          }
          await withClient(settings, async (client) => {
            try {
              await createDriftSchedule(client, {
                scheduleId: o.id,
                cron: o.cron,
                timezone: o.timezone,
                catchupWindow: o.catchupWindow,
                taskQueue: settings.FLYWHEEL_TASK_QUEUE,
                input,
              });
            } catch (e) {
              throw scheduleError(e, o.id);
            }
            const d = await client.schedule.getHandle(o.id).describe();
            process.stdout.write(
              `schedule ${o.id}: "${o.cron}" (${o.timezone}), drift check on ${input.sample ?? input.pairSet.n_total} ` +
                `pairs of ${input.pairSet.name}, overlap SKIP, catch-up window ${o.catchupWindow}\n` +
                `next: ${d.info.nextActionTimes[0]?.toISOString() ?? '-'}\n`,
            );
          });
        },
      ),
    );

  promoteOptions(
    schedule
      .command('promote')
      .exitOverride() // usage errors reach main(), which exits 2
      .description('Create a schedule that runs the promote loop ([rollout →] export → train → eval → gate)'),
  )
    .option('--cron <expr>', 'cron expression', '0 2 * * *')
    .option('--id <id>', 'schedule id', 'nightly-promote')
    .option('--timezone <tz>', 'IANA time zone the cron is read in', 'UTC')
    .option('--catchup-window <duration>', 'after an outage, still start a missed loop this late', '1h')
    .addHelpText(
      'after',
      `${PROMOTE_HELP}
Overlap SKIP: a loop still running makes the next firing skip.`,
    )
    .action(
      action(
        async (o: PromoteOpts & { cron: string; id: string; timezone: string; catchupWindow: string }) => {
          const settings = settingsOrExit();
          const input = await promoteInput(settings, o, `rollouts/tasks/schedule-${o.id}`, false);
          await withClient(settings, async (client) => {
            try {
              await createSchedule(client, {
                scheduleId: o.id,
                cron: o.cron,
                timezone: o.timezone,
                overlap: 'SKIP',
                catchupWindow: o.catchupWindow,
                taskQueue: settings.FLYWHEEL_TASK_QUEUE,
                workflowType: 'promoteLoop',
                idPrefix: `promote-${o.id}`,
                args: [input],
                summary: `scheduled promote loop (${o.id}): ${o.base} → ${o.alias} on battery ${o.battery}`,
                kind: 'promote',
                producer: o.alias,
                memo: { flywheel: 'promote', battery: o.battery, alias: o.alias, base: o.base },
              });
            } catch (e) {
              throw scheduleError(e, o.id);
            }
            const d = await client.schedule.getHandle(o.id).describe();
            process.stdout.write(
              `schedule ${o.id}: "${o.cron}" (${o.timezone}), promote ${o.base} → ${o.alias} on battery ` +
                `${o.battery}${input.rollout ? ` after a rollout of ${o.rolloutTasks}` : ''}, overlap SKIP, ` +
                `catch-up window ${o.catchupWindow}\nnext: ${d.info.nextActionTimes[0]?.toISOString() ?? '-'}\n`,
            );
          });
        },
      ),
    );

  schedule
    .command('list')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('List schedules')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const rows = await withClient(settingsOrExit(), (client) => listSchedules(client));
        if (o.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        if (!rows.length) return void process.stdout.write('no schedules\n');
        process.stdout.write(
          `${table(
            ['id', 'state', 'cron', 'tz', 'workflow', 'next', 'last'],
            rows.map((r) => [
              r.id,
              r.paused ? 'paused' : 'active',
              r.cron,
              r.timezone,
              r.workflowType,
              r.next,
              r.last,
            ]),
          )}\n`,
        );
      }),
    );

  schedule
    .command('pause <id>')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Pause a schedule (no new batches until resumed)')
    .option('--note <text>', 'why it is paused', 'paused from the flywheel CLI')
    .action(
      action(async (id: string, o: { note: string }) =>
        onSchedule(id, async (c) => {
          await c.schedule.getHandle(id).pause(o.note);
          process.stdout.write(`paused ${id}\n`);
        }),
      ),
    );

  schedule
    .command('resume <id>')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Resume a paused schedule')
    .action(
      action(async (id: string) =>
        onSchedule(id, async (c) => {
          await c.schedule.getHandle(id).unpause('resumed from the flywheel CLI');
          process.stdout.write(`resumed ${id}\n`);
        }),
      ),
    );

  schedule
    .command('trigger <id>')
    .exitOverride() // usage errors reach main(), which exits 2
    .description("Start the schedule's batch now (under its overlap policy)")
    .option('--allow-overlap', 'start even if a batch of this schedule is running')
    .action(
      action(async (id: string, o: { allowOverlap?: boolean }) =>
        onSchedule(id, async (c) => {
          await triggerSchedule(c, id, o.allowOverlap);
          process.stdout.write(`triggered ${id}\n`);
        }),
      ),
    );

  schedule
    .command('delete <id>')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Delete a schedule (running batches keep running)')
    .action(
      action(async (id: string) =>
        onSchedule(id, async (c) => {
          await c.schedule.getHandle(id).delete();
          process.stdout.write(`deleted ${id}\n`);
        }),
      ),
    );
}
