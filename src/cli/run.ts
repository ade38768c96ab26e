// `flywheel run "<task>"`: start a harness run, follow it by stage and round, print the result.
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import type { Settings } from '../config';
import { resolveHarnessInput, type HarnessInput, type HarnessInputOverrides } from '../harness/input';
import { startHarnessRun } from '../harness/start';
import { connectClient } from '../temporal/connection';
import { progressQuery } from '../workflows/harness-run';
import { action, EXIT, parseList, parseNumber, settingsOrExit, UserError } from './common';
import { evaluatorWarning } from './evaluator-warning';
import { followWorkflow } from './follow';
import {
  demoNotice,
  embeddedStackIfNeeded,
  onStopSignal,
  roleModels,
  warnAboutModels,
  webUiUrl,
} from './embedded';
import { awaitRecord, EXIT_HELP, exitFor, outcomeFromTemporal, printRecord, progressLine } from './status';

interface RunOptions {
  producer?: string;
  planner?: string;
  evaluator?: string[];
  maxRounds?: number;
  threshold?: number;
  wait: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Run the harness on a task: plan → research → synthesize → evaluate (Wiggum loop) → finalize. ' +
        'Shows progress by stage and round and ends with status, scores, output and trace paths. ' +
        'With no Temporal server at a local TEMPORAL_ADDRESS, starts the embedded one (state in <data>/temporal.db), ' +
        'a worker and, if needed, a managed Ollama, for the length of the run.',
    )
    .argument('<task>', 'what to research and write, in quotes')
    .option('--producer <model>', 'producer model (default FLYWHEEL_PRODUCER_MODEL)')
    .option('--planner <model>', 'planner model (default FLYWHEEL_PLANNER_MODEL, else the producer)')
    .option(
      '--evaluator <model>',
      'evaluator model; repeat or comma-separate for a pool (default FLYWHEEL_EVALUATOR_MODELS)',
      parseList,
    )
    .option('--max-rounds <n>', 'most Wiggum rounds, 1-10 (default FLYWHEEL_MAX_ROUNDS, 3)', parseNumber)
    .option(
      '--threshold <x>',
      'PASS at this composite score, 0-10 (default FLYWHEEL_PASS_THRESHOLD, 8)',
      parseNumber,
    )
    .option('--no-wait', 'print the workflow id and exit 0 once the run has started')
    .option('--json', 'print the result (or, with --no-wait, the ids) as one JSON object on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  flywheel run "Survey tool use in LLM agents"\n' +
        '  flywheel run "Compare agent memory designs" --producer qwen3:8b --evaluator qwen3:8b --evaluator llama3.1:8b\n' +
        '  flywheel run "Summarise ReAct" --max-rounds 1 --threshold 7 --no-wait\n' +
        `\n${EXIT_HELP}\n` +
        'A model missing from Ollama: the run still starts (so it is recorded), ends as ERROR, and the remedy ' +
        '(`ollama pull <model>`) is printed.',
    )
    .action(action(run));
}

const FLAG_OF: Record<string, string> = {
  task: '<task>',
  producerModel: '--producer',
  plannerModel: '--planner',
  evaluatorModels: '--evaluator',
  maxRounds: '--max-rounds',
  threshold: '--threshold',
};

/** The run's input, or a usage error naming the flag (or setting) at fault. */
function validate(task: string, s: Settings, o: RunOptions): HarnessInput {
  const overrides: HarnessInputOverrides = {};
  if (o.producer !== undefined) overrides.producerModel = o.producer;
  if (o.planner !== undefined) overrides.plannerModel = o.planner;
  else if (o.producer !== undefined && !s.FLYWHEEL_PLANNER_MODEL) overrides.plannerModel = o.producer;
  if (o.evaluator !== undefined) overrides.evaluatorModels = o.evaluator;
  if (o.maxRounds !== undefined) overrides.maxRounds = o.maxRounds;
  if (o.threshold !== undefined) overrides.threshold = o.threshold;
  try {
    return resolveHarnessInput(task, s, overrides);
  } catch (e) {
    if (!(e instanceof ZodError)) throw e;
    const lines = e.issues.map((i) => {
      const key = String(i.path[0] ?? 'input');
      return `  ${FLAG_OF[key] ?? key}${i.path.length > 1 ? `[${i.path.slice(1).join('.')}]` : ''}: ${i.message}`;
    });
    throw new UserError(`Invalid run input:\n${lines.join('\n')}`, EXIT.USAGE);
  }
}

async function run(task: string, o: RunOptions): Promise<number> {
  const settings = settingsOrExit();
  const input = validate(task, settings, o);
  // With --json, stdout carries only the JSON, and with --no-wait only the id; the human lines go to stderr.
  const say = (line: string) => (o.json || !o.wait ? process.stderr : process.stdout).write(`${line}\n`);
  const warn = (line: string) => process.stderr.write(`${line}\n`);

  const stack = await embeddedStackIfNeeded(settings, { what: 'run', wait: o.wait, say, warn });
  const s = stack?.settings ?? settings;

  let interrupted = false;
  const unhook = onStopSignal(() => (interrupted = true));
  let client: Client | undefined;
  try {
    await warnAboutModels(s.OLLAMA_HOST, roleModels(input), 'run', warn, {
      down: 'The run starts anyway so it is recorded; it ends as ERROR once its LLM retries run out (within about 30 s).',
      missing:
        'The run starts anyway so it is recorded; it ends as ERROR when it first calls a missing model.',
    });
    const unqualified = await evaluatorWarning(s.dataDir, s.OLLAMA_HOST, input.evaluatorModels);
    if (unqualified) warn(unqualified);
    const notice = demoNotice(roleModels(input));
    if (notice) say(notice);
    client = await connectClient(s);
    const handle = await startHarnessRun(client, s.FLYWHEEL_TASK_QUEUE, input);
    const runId = handle.workflowId.replace(/^run-/, '');
    const ui = webUiUrl(s, handle.workflowId);
    if (!o.wait) {
      if (o.json)
        process.stdout.write(`${JSON.stringify({ workflowId: handle.workflowId, runId, webUi: ui })}\n`);
      else process.stdout.write(`${handle.workflowId}\n`);
      say(`Web UI: ${ui}\nFollow it: flywheel status ${handle.workflowId}`);
      return EXIT.OK;
    }
    say(`Started run ${runId} (workflow ${handle.workflowId}, task queue ${s.FLYWHEEL_TASK_QUEUE}).`);
    say(`Web UI: ${ui}`);
    await followWorkflow({
      client,
      handle,
      settings: s,
      query: progressQuery,
      line: progressLine,
      intervalMs: 500,
      what: 'run',
      say,
      warn,
      stop: () => interrupted,
    });
    if (interrupted) {
      warn(
        stack
          ? `Interrupted. The run stays open in ${path.join(s.dataDir, 'temporal.db')} and resumes when a worker runs ` +
              `(\`flywheel dev\`); to stop it instead: \`flywheel cancel ${handle.workflowId}\` while \`flywheel dev\` runs.`
          : `Stopped following; the run goes on. Follow it: \`flywheel status ${handle.workflowId}\`.`,
      );
      return EXIT.CANCELLED;
    }
    return await finish(client, handle.workflowId, runId, s, say, o.json === true);
  } finally {
    unhook();
    await client?.connection.close();
    await stack?.stop();
  }
}

/** Prints the record (or, without one here, what Temporal says) and returns the exit code. */
async function finish(
  client: Client,
  workflowId: string,
  runId: string,
  s: Settings,
  say: (l: string) => void,
  json: boolean,
): Promise<number> {
  const rec = await awaitRecord(s.dataDir, { runId, workflowId });
  if (rec) {
    printRecord(rec, s, say);
    if (json) {
      const abs = (rel: string | null) => (rel ? path.resolve(s.dataDir, rel) : null);
      const out = {
        status: rec.final,
        exitCode: exitFor(rec.final),
        workflowId,
        runId,
        outputPath: abs(rec.output_path),
        tracePath: abs(rec.trace_path),
        webUi: webUiUrl(s, workflowId),
        record: rec,
      };
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
    return exitFor(rec.final);
  }
  const o = await outcomeFromTemporal(client, workflowId);
  say(`Status: ${o.status}  (${o.detail})`);
  say(
    `No record in ${path.join(s.dataDir, 'runs.jsonl')}: the worker that wrote it uses another data folder.`,
  );
  if (json)
    process.stdout.write(
      `${JSON.stringify({ status: o.status, exitCode: exitFor(o.status), workflowId, runId })}\n`,
    );
  return exitFor(o.status);
}
