// `flywheel judge`: measure evaluators on labelled pairs before their scores become training data.
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { JudgeResult } from '../activities/judge';
import { numberIn } from '../flywheel/cli-options';
import { table } from '../flywheel/table';
import { readNotices } from '../judge/notices';
import { DEFAULT_PAIRS_FILE, PairFileError } from '../judge/pairs';
import { modelDigest, readQualifications, statusOf } from '../judge/qualification';
import { buildQualifyInput, newQualificationId, startQualification } from '../judge/start';
import { connectClient } from '../temporal/connection';
import { judgeProgressQuery, type JudgeProgress } from '../workflows/judge';
import { action, EXIT, parseList, settingsOrExit, UserError } from './common';
import { embeddedStackIfNeeded, onStopSignal, warnAboutModels, webUiUrl } from './embedded';
import { followWorkflow } from './follow';

interface QualifyOpts {
  pairs?: string;
  models?: string[];
  sample?: number;
  concurrency: number;
  json?: boolean;
}

const EXIT_TEXT =
  `Exit codes: ${EXIT.OK} every evaluator qualified, ${EXIT.FAIL} one is unqualified, ${EXIT.USAGE} bad pair file ` +
  `or option, ${EXIT.ERROR} an evaluator could not be measured (model missing, calls failing), ` +
  `${EXIT.CANCELLED} interrupted, ${EXIT.UNAVAILABLE} Temporal unreachable.`;

export const progressLine = (p: JudgeProgress) =>
  p.status === 'SETUP'
    ? 'resolving model digests'
    : `${p.status.toLowerCase()} · ${p.models
        .map((m) =>
          m.error
            ? `${m.model}: ${m.error}`
            : `${m.model} ${m.done}/${p.pairs}${m.failed ? ` (${m.failed} failed)` : ''}` +
              (m.done ? ` acc ${(m.correct / m.done).toFixed(2)}` : ''),
        )
        .join(' · ')}`;

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : x.toFixed(2));

/** One row per evaluator: the figures of its record (or the error). */
export function resultTable(results: JudgeResult[]): string {
  return table(
    [
      'evaluator',
      'status',
      'accuracy',
      '95% CI',
      'ties',
      'direct',
      'position',
      'slot A',
      'shorter|longer',
      'repaired',
      'clamped',
      'degenerate',
    ],
    results.map((r) => {
      const m = r.record?.metrics;
      return [
        r.model,
        r.status,
        pct(m?.accuracy),
        m ? `${pct(m.accuracy_ci95[0])}-${pct(m.accuracy_ci95[1])}` : null,
        m ? m.ties : null,
        pct(m?.direct_accuracy),
        pct(m?.position_consistency),
        pct(m?.first_slot_rate),
        m
          ? `${pct(m.length_bias.shorter_better_accuracy) ?? '-'} (${m.length_bias.shorter_better_n})|` +
            `${pct(m.length_bias.longer_better_accuracy) ?? '-'} (${m.length_bias.longer_better_n})`
          : null,
        pct(m?.repaired_share),
        pct(m?.clamped_share),
        pct(m?.degenerate_share),
      ];
    }),
  );
}

/** 0 when every evaluator is qualified, 3 when one could not be measured, else 1. */
export function exitForResults(results: JudgeResult[]): number {
  if (!results.length || results.some((r) => r.status === 'error')) return EXIT.ERROR;
  return results.every((r) => r.status === 'qualified') ? EXIT.OK : EXIT.FAIL;
}

async function qualify(o: QualifyOpts): Promise<number> {
  const settings = settingsOrExit();
  const models = o.models?.length ? o.models : settings.evaluatorModels;
  let input;
  try {
    input = buildQualifyInput(settings, {
      pairsFile: o.pairs,
      models,
      sample: o.sample,
      concurrency: o.concurrency,
    });
  } catch (e) {
    if (e instanceof PairFileError || e instanceof RangeError) throw new UserError(e.message, EXIT.USAGE);
    throw e;
  }
  // With --json, stdout carries only the JSON; the human lines go to stderr.
  const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const stack = await embeddedStackIfNeeded(settings, { what: 'qualification', wait: true, say, warn });
  const s = stack?.settings ?? settings;
  let interrupted = false;
  const unhook = onStopSignal(() => (interrupted = true));
  let client: Client | undefined;
  try {
    await warnAboutModels(
      s.OLLAMA_HOST,
      models.map((model) => ({ role: 'evaluator' as const, model })),
      'qualification',
      warn,
      { missing: 'A missing evaluator is reported as an error; the others are measured.' },
    );
    client = await connectClient(s);
    const qualificationId = newQualificationId();
    const handle = await startQualification(client, s.FLYWHEEL_TASK_QUEUE, input, qualificationId);
    say(
      `Qualifying ${models.join(', ')} on ${input.sample ?? input.pairSet.n_total} pairs of ${input.pairSet.name} ` +
        `(workflow ${handle.workflowId}, ${input.concurrency} in flight).`,
    );
    say(`Web UI: ${webUiUrl(s, handle.workflowId)}`);
    await followWorkflow({
      client,
      handle,
      settings: s,
      query: judgeProgressQuery,
      line: progressLine,
      intervalMs: 1000,
      what: 'qualification',
      say,
      warn,
      stop: () => interrupted,
    });
    if (interrupted) {
      warn(
        stack
          ? `Interrupted. The qualification stays open in ${path.join(s.dataDir, 'temporal.db')} and resumes ` +
              'when a worker runs (`flywheel dev`), without asking finished pairs again.'
          : `Stopped following; the qualification goes on (workflow ${handle.workflowId}).`,
      );
      return EXIT.CANCELLED;
    }
    const done = await handle.result();
    const results = done.results ?? [];
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ qualificationId, workflowId: handle.workflowId, exitCode: exitForResults(results), results }, null, 2)}\n`,
      );
    } else {
      say(`\n${resultTable(results)}`);
      for (const r of results) {
        if (r.reason) say(`${r.model}: ${r.reason}`);
        if (r.file) say(`${r.model}: ${path.join(s.dataDir, r.file)}`);
      }
    }
    return exitForResults(results);
  } finally {
    unhook();
    await client?.connection.close();
    await stack?.stop();
  }
}

async function status(o: { models?: string[]; json?: boolean }): Promise<void> {
  const s = settingsOrExit();
  const models = o.models?.length ? o.models : s.evaluatorModels;
  const all = await readQualifications(s.dataDir);
  const rows = await Promise.all(
    models.map(async (model) => {
      const digest = await modelDigest(s.OLLAMA_HOST, model);
      return { model, ...statusOf(all, model, { digest }) };
    }),
  );
  const notices = (await readNotices(s.dataDir)).slice(0, 5);
  if (o.json) return void process.stdout.write(`${JSON.stringify({ evaluators: rows, notices }, null, 2)}\n`);
  process.stdout.write(
    `${table(
      ['evaluator', 'status', 'accuracy', '95% CI', 'qualified at', 'reason'],
      rows.map((r) => [
        r.model,
        r.status,
        pct(r.accuracy),
        r.accuracy_ci95 ? `${pct(r.accuracy_ci95[0])}-${pct(r.accuracy_ci95[1])}` : null,
        r.at,
        r.reason,
      ]),
    )}\n`,
  );
  for (const n of notices) process.stdout.write(`notice ${n.at}: ${n.message}\n`);
}

export function register(program: Command): void {
  const judge = program
    .command('judge')
    .exitOverride()
    .description('Qualify evaluators on labelled pairs before their scores become training data');

  judge
    .command('qualify')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Measure each evaluator on labelled pairs with the Wiggum rubric prompt (pairwise accuracy, 95% bootstrap ' +
        'interval, ties) and a direct preference asked in both orders (accuracy, position consistency, first-slot ' +
        'rate), plus length bias and repaired/clamped/degenerate replies. Writes ' +
        '<data>/evaluators/<digest>.<rubric>.json and a line in <data>/evaluators.jsonl.',
    )
    .option(
      '--pairs <file>',
      'JSON array or JSONL: input/output_1/output_2/label (1|2), prompt/chosen/rejected, or ' +
        'question/response_A/response_B/label ("A>B"|"B>A"); TRL conversational rows too ' +
        '(default: the bundled LLMBar pairs)',
    )
    .option(
      '--models <names>',
      'evaluators, comma-separated or repeated (default FLYWHEEL_EVALUATOR_MODELS)',
      parseList,
    )
    .option('--sample <n>', 'ask a random sample of n pairs instead of all', numberIn(1, 100000, true))
    .option('--concurrency <n>', 'pair judgements in flight at once', numberIn(1, 64, true), 2)
    .option('--json', 'print the results (with every figure) as JSON on stdout')
    .addHelpText(
      'after',
      '\nQualified: lower bound of the 95% accuracy interval >= FLYWHEEL_JUDGE_MIN_ACCURACY_LB (0.6) and position ' +
        'consistency >= FLYWHEEL_JUDGE_MIN_POSITION_CONSISTENCY (0.7).\n' +
        `Default pairs: ${path.relative(process.cwd(), DEFAULT_PAIRS_FILE)} (100 LLMBar "Natural" pairs, MIT).\n` +
        'Nightly drift checks: `flywheel schedule judge-drift --cron "0 3 * * *"`.\n' +
        `\n${EXIT_TEXT}`,
    )
    .action(action(qualify));

  judge
    .command('status')
    .exitOverride()
    .description(
      'Current qualification of each evaluator (keyed by model digest, rubric version, prompt hash)',
    )
    .option('--models <names>', 'evaluators (default FLYWHEEL_EVALUATOR_MODELS)', parseList)
    .option('--json', 'print JSON')
    .action(action(status));
}
