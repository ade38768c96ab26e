// `flywheel eval --model <m> --battery <name> [--baseline <m>]`: held-out battery scores (and a training-sample
// comparison) with the battery's fixed evaluator set; one line per eval in <data>/evals.jsonl.
import path from 'node:path';
import type { Command } from 'commander';
import type { EvalRecord } from '../activities/eval';
import { batteryTaskHashes, loadBattery, runTasks, sampleTasks } from '../flywheel/battery';
import { withClient } from '../flywheel/cli-options';
import { buildEvalInput, startEval, UnqualifiedEvaluators } from '../flywheel/eval-start';
import type { SetFigures } from '../flywheel/eval-stats';
import { taskHash } from '../flywheel/task-hash';
import { evalProgressQuery } from '../workflows/eval';
import { action, parseList, settingsOrExit, UserError } from './common';
import { resultWithProgress } from './progress';

interface Opts {
  model: string;
  battery: string;
  baseline?: string;
  evaluators?: string[];
  trainSample: number;
  concurrency: number;
  maxRounds?: number;
  allowUnqualified?: boolean;
  json?: boolean;
}

const int = (name: string, lo: number, hi: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi)
    throw new UserError(`${name}: expected ${lo}–${hi}, got ${v}`, 2);
  return n;
};

const fmt = (label: string, f: SetFigures) =>
  [
    `${label}: mean composite ${f.model.mean_composite ?? '–'}, pass rate ${f.model.pass_rate ?? '–'} (n=${f.model.n}, errors ${f.model.errors})`,
    ...(f.baseline
      ? [
          `  baseline: mean composite ${f.baseline.mean_composite ?? '–'}, pass rate ${f.baseline.pass_rate ?? '–'}`,
          `  paired difference: ${f.diff?.mean ?? '–'} [95% CI ${f.diff?.ci95?.join(', ') ?? '–'}] over ${f.diff?.n ?? 0} tasks`,
        ]
      : []),
  ].join('\n');

export function register(program: Command): void {
  program
    .command('eval')
    .exitOverride()
    .description(
      'Score a model on a held-out task battery (and a training-distribution sample) against a baseline',
    )
    .requiredOption('--model <name>', 'the producer model to evaluate (e.g. smollm2-ft-1a2b3c4d)')
    .requiredOption('--battery <ref>', 'battery name or name@v<N> (flywheel battery list)')
    .option('--baseline <name>', 'compare with this producer on the same tasks (paired difference)')
    .option('--evaluators <list>', 'the fixed evaluator set (default: FLYWHEEL_EVALUATOR_MODELS)', parseList)
    .option(
      '--train-sample <n>',
      'training-distribution tasks from runs.jsonl (not in any battery)',
      int('--train-sample', 0, 1000),
      3,
    )
    .option('--concurrency <n>', 'harness runs at once', int('--concurrency', 1, 64), 2)
    .option(
      '--max-rounds <n>',
      'Wiggum rounds per run (default: FLYWHEEL_MAX_ROUNDS)',
      int('--max-rounds', 1, 10),
    )
    .option('--allow-unqualified', 'run even when an evaluator is not qualified (recorded in the results)')
    .option('--json', 'print the eval record as JSON')
    .addHelpText(
      'after',
      '\nEvery run is an ordinary harness run (child workflows of one eval workflow: a restarted worker resumes).\n' +
        'overfit gap = training-sample mean − battery mean of --model. Results: <data>/evals.jsonl.',
    )
    .action(
      action(async (o: Opts) => {
        const settings = settingsOrExit();
        const battery = loadBattery(settings.dataDir, o.battery);
        if (!battery) throw new UserError(`no battery ${o.battery} (flywheel battery create)`, 2);
        const held = batteryTaskHashes(settings.dataDir);
        const pool = (await runTasks(path.join(settings.dataDir, 'runs.jsonl'))).filter(
          (t) => !held.has(taskHash(t)),
        );
        const trainTasks = sampleTasks(pool, o.trainSample, 'train-sample');
        let input;
        try {
          input = await buildEvalInput(settings, {
            battery,
            model: o.model,
            baseline: o.baseline,
            evaluatorModels: o.evaluators?.length ? o.evaluators : settings.evaluatorModels,
            trainTasks,
            allowUnqualified: Boolean(o.allowUnqualified),
            concurrency: o.concurrency,
            maxRounds: o.maxRounds,
          });
        } catch (e) {
          if (e instanceof UnqualifiedEvaluators) throw new UserError(e.message, 1);
          throw e;
        }
        return withClient(settings, async (client) => {
          const handle = await startEval(client, settings.FLYWHEEL_TASK_QUEUE, input);
          process.stderr.write(
            `eval ${input.evalId}: ${input.jobs.length} runs (${battery.name}@v${battery.version})\n`,
          );
          const rec: EvalRecord = await resultWithProgress(handle.result(), async () => {
            const p = await handle.query(evalProgressQuery);
            return `${p.done}/${p.total} runs done${p.errors ? `, ${p.errors} errors` : ''}`;
          });
          if (o.json) console.log(JSON.stringify(rec, null, 2));
          else {
            console.log(fmt(`battery ${battery.name}@v${battery.version}`, rec.battery_figures));
            if (rec.train_figures) console.log(fmt('training sample', rec.train_figures));
            if (rec.overfit_gap !== null) console.log(`overfit gap (train − battery): ${rec.overfit_gap}`);
            if (rec.allow_unqualified) console.log('note: unqualified evaluators were allowed');
          }
          return 0;
        });
      }),
    );
}
