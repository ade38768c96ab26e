// `flywheel status <id>` and `flywheel cancel <id>`, and the run summary shared with `flywheel run`.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CancelledFailure,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import type { Command } from 'commander';
import type { Settings } from '../config';
import { RUNS_FILE } from '../run-trace/finalize';
import { readJsonl } from '../audit/jsonl';
import { RUN_ID_RE, type RunRecord, type RunStatus } from '../audit/records';
import { connectClient, TemporalUnreachable } from '../temporal/connection';
import { progressQuery } from '../workflows/harness-run';
import type { Progress } from '../run-trace/workflow';
import { action, EXIT, settingsOrExit, UserError } from './common';
import { webUiUrl } from './embedded';

/** The exit code for a run's final status (documented in `flywheel run --help`). */
export function exitFor(status: RunStatus | string): number {
  switch (status) {
    case 'PASS':
      return EXIT.OK;
    case 'FAIL':
      return EXIT.FAIL;
    case 'CANCELLED':
    case 'TERMINATED':
      return EXIT.CANCELLED;
    default:
      return EXIT.ERROR; // ERROR, TIMED_OUT
  }
}

export const EXIT_HELP =
  `Exit codes: ${EXIT.OK} PASS, ${EXIT.FAIL} FAIL (best score below the threshold), ${EXIT.USAGE} usage or settings error, ` +
  `${EXIT.ERROR} ERROR or TIMED_OUT, ${EXIT.CANCELLED} CANCELLED or TERMINATED (or interrupted), ${EXIT.UNAVAILABLE} Temporal unreachable.`;

/** `run-<run_id>` for a run id; anything else is taken as a workflow id. */
export function workflowIdOf(id: string): string {
  return RUN_ID_RE.test(id) ? `run-${id}` : id;
}

/** The run's record in <dataDir>/runs.jsonl, matched by run id or workflow id. */
export async function findRecord(
  dataDir: string,
  id: { runId?: string; workflowId?: string },
): Promise<RunRecord | undefined> {
  for await (const r of readJsonl(path.join(dataDir, RUNS_FILE), { key: 'run_id' })) {
    const rec = r as RunRecord;
    if ((id.runId && rec.run_id === id.runId) || (id.workflowId && rec.workflow_id === id.workflowId))
      return rec;
  }
  return undefined;
}

/** Waits a little for a record that should already be there (the workflow writes it before it closes). */
export async function awaitRecord(
  dataDir: string,
  id: { runId?: string; workflowId?: string },
  timeoutMs = 5000,
): Promise<RunRecord | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rec = await findRecord(dataDir, id);
    if (rec || Date.now() > until) return rec;
    await sleep(250);
  }
}

/** One line of progress: stage, round and scores. */
export function progressLine(p: Progress): string {
  const parts = [`stage ${p.stage ?? 'starting'}`];
  if (p.round > 0 || p.stage === 'evaluate') parts.push(`round ${p.round}/${p.maxRounds}`);
  if (p.scores.length) parts.push(`scores ${p.scores.map((x) => x.toFixed(2)).join(', ')}`);
  if (p.toolCalls) parts.push(`${p.toolCalls} tool calls`);
  if (p.status !== 'RUNNING') parts.push(p.status);
  return parts.join(' · ');
}

/** The human summary of a finished run; the error (with its remedy) goes to stderr. */
export function printRecord(rec: RunRecord, s: Settings, out: (line: string) => void): void {
  const abs = (rel: string | null) => (rel ? path.resolve(s.dataDir, rel) : '(none)');
  out(`Status: ${rec.final}  (run ${rec.run_id}, ${rec.run_duration_s.toFixed(1)} s)`);
  out(
    `Scores per round: ${rec.wiggum_scores.length ? rec.wiggum_scores.map((x) => x.toFixed(2)).join(', ') : '(none)'}` +
      `  (rounds ${rec.wiggum_rounds}, rubric ${rec.rubric_version})`,
  );
  out(`Output: ${abs(rec.output_path)}`);
  out(`Trace:  ${abs(rec.trace_path)}`);
  if (rec.trace_path)
    out('  Open the trace in Perfetto: https://ui.perfetto.dev → "Open trace file" (or chrome://tracing).');
  out(`Record: ${path.join(s.dataDir, RUNS_FILE)}`);
  out(`Web UI: ${webUiUrl(s, rec.workflow_id)}`);
  if (rec.error && rec.final !== 'CANCELLED')
    process.stderr.write(`Error${rec.failed_stage ? ` in stage ${rec.failed_stage}` : ''}: ${rec.error}\n`);
}

/** How a closed workflow ended, from Temporal alone (when the record is not readable from here). */
export async function outcomeFromTemporal(
  client: Client,
  workflowId: string,
): Promise<{ status: string; detail: string }> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const r = (await handle.result()) as { final?: string; scores?: number[]; outputPath?: string | null };
    return {
      status: r?.final ?? 'PASS',
      detail: `scores ${(r?.scores ?? []).join(', ') || '(none)'}, output ${r?.outputPath ?? '(none)'}`,
    };
  } catch (e) {
    if (e instanceof WorkflowFailedError) {
      if (e.cause instanceof CancelledFailure) return { status: 'CANCELLED', detail: 'cancelled' };
      const desc = await handle.describe();
      if (desc.status.name === 'TERMINATED') return { status: 'TERMINATED', detail: 'terminated' };
      if (desc.status.name === 'TIMED_OUT') return { status: 'TIMED_OUT', detail: 'timed out' };
      return { status: 'ERROR', detail: e.cause?.message ?? e.message };
    }
    throw e;
  }
}

async function connect(s: Settings): Promise<Client> {
  try {
    return await connectClient(s);
  } catch (e) {
    if (e instanceof TemporalUnreachable) throw new UserError(e.message, EXIT.UNAVAILABLE);
    throw e;
  }
}

async function describeOrExplain(client: Client, workflowId: string, s: Settings) {
  try {
    return await client.workflow.getHandle(workflowId).describe();
  } catch (e) {
    if (e instanceof WorkflowNotFoundError)
      throw new UserError(
        `No run "${workflowId}" in namespace ${s.TEMPORAL_NAMESPACE} at ${s.TEMPORAL_ADDRESS}.`,
        EXIT.USAGE,
      );
    throw e;
  }
}

/** Prints a closed run: its record when this machine has it, else what Temporal says. Returns the exit code. */
async function printClosed(client: Client, s: Settings, workflowId: string, runId?: string): Promise<number> {
  const out = (l: string) => process.stdout.write(`${l}\n`);
  const rec = await awaitRecord(s.dataDir, { runId, workflowId });
  if (rec) {
    printRecord(rec, s, out);
    return exitFor(rec.final);
  }
  const o = await outcomeFromTemporal(client, workflowId);
  out(`Status: ${o.status}  (${o.detail})`);
  out(`No record for it in ${path.join(s.dataDir, RUNS_FILE)} (is the worker's data folder elsewhere?).`);
  out(`Web UI: ${webUiUrl(s, workflowId)}`);
  return exitFor(o.status);
}

export function register(program: Command): void {
  program
    .command('status')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Show a run: live progress (stage, round, scores) while it runs, its record once closed.')
    .argument('<id>', 'a workflow id (run-<run_id>) or a run id (YYYYMMDDTHHMMSS_xxxxxxxx)')
    .addHelpText(
      'after',
      '\nExamples:\n  flywheel status 20250101T120000_0123abcd\n  flywheel status run-20250101T120000_0123abcd\n' +
        '\nExit codes: 0 while it runs; once closed, the code for its status (0 PASS, 1 FAIL, 3 ERROR or TIMED_OUT, ' +
        `4 CANCELLED or TERMINATED); ${EXIT.USAGE} unknown id or usage error, ${EXIT.UNAVAILABLE} Temporal unreachable.`,
    )
    .action(action(status));

  program
    .command('cancel')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Cancel a running run, wait for its CANCELLED record, and print it.')
    .argument('<id>', 'a workflow id (run-<run_id>) or a run id')
    .addHelpText(
      'after',
      '\nExamples:\n  flywheel cancel 20250101T120000_0123abcd\n' +
        `\nExit codes: ${EXIT.CANCELLED} cancelled (its record is printed); a run that had already closed: the code for ` +
        `its status (0 PASS, 1 FAIL, 3 ERROR); ${EXIT.USAGE} unknown id, ${EXIT.UNAVAILABLE} Temporal unreachable, or no ` +
        'worker closed the run within 2 minutes.',
    )
    .action(action(cancel));
}

async function status(id: string): Promise<number> {
  const s = settingsOrExit();
  const workflowId = workflowIdOf(id);
  const client = await connect(s);
  try {
    const desc = await describeOrExplain(client, workflowId, s);
    const out = (l: string) => process.stdout.write(`${l}\n`);
    if (desc.status.name !== 'RUNNING') return await printClosed(client, s, workflowId, runIdOf(workflowId));
    out(
      `Status: RUNNING  (${desc.type}, started ${desc.startTime.toISOString()}, task queue ${desc.taskQueue})`,
    );
    try {
      const p = await client.connection.withDeadline(Date.now() + 5000, () =>
        client.workflow.getHandle(workflowId).query(progressQuery),
      );
      out(`Progress: ${progressLine(p)}`);
    } catch (e) {
      out(`Progress: not available (${(e as Error).message.split('\n')[0]}); is a worker running?`);
    }
    out(`Web UI: ${webUiUrl(s, workflowId)}`);
    return EXIT.OK;
  } finally {
    await client.connection.close();
  }
}

async function cancel(id: string): Promise<number> {
  const s = settingsOrExit();
  const workflowId = workflowIdOf(id);
  const client = await connect(s);
  try {
    const desc = await describeOrExplain(client, workflowId, s);
    if (desc.status.name !== 'RUNNING') {
      process.stdout.write(`Run ${workflowId} had already closed (${desc.status.name}).\n`);
      return await printClosed(client, s, workflowId, runIdOf(workflowId));
    }
    const handle = client.workflow.getHandle(workflowId);
    await handle.cancel();
    process.stdout.write(`Cancellation requested for ${workflowId}; waiting for its record...\n`);
    if (!(await waitClosed(client, workflowId, 120_000))) {
      process.stderr.write(
        `${workflowId} has not closed after 2 minutes: is a worker polling task queue ${desc.taskQueue}? ` +
          'It closes, with its CANCELLED record, once one runs (`flywheel worker` or `flywheel dev`).\n',
      );
      return EXIT.UNAVAILABLE;
    }
    return await printClosed(client, s, workflowId, runIdOf(workflowId));
  } finally {
    await client.connection.close();
  }
}

/** Polls describe() until the workflow is closed; false after `timeoutMs`. */
export async function waitClosed(client: Client, workflowId: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  const handle = client.workflow.getHandle(workflowId);
  while (Date.now() < until) {
    const d = await handle.describe().catch(() => undefined);
    if (d && d.status.name !== 'RUNNING') return true;
    await sleep(300);
  }
  return false;
}

function runIdOf(workflowId: string): string | undefined {
  const m = /^run-(.+)$/.exec(workflowId);
  return m && RUN_ID_RE.test(m[1]) ? m[1] : undefined;
}
