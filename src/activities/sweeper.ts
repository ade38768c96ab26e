// The sweeper: closed runs that never ran their own finalizeRun (terminated, timed out) get their record here.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { readJsonl } from '../audit/jsonl';
import { finalizeInputFromHistory } from '../run-trace/history';
import { resolveInside } from '../security/sandbox';
import type { ActivityDeps } from './deps';
import { RUNS_FILE, writeRunRecord } from '../run-trace/finalize';
import { TRACED_WORKFLOW_TYPES } from '../run-trace/definitions';

/** Workflow types that are runs (one record each). */
export const RUN_WORKFLOW_TYPES = TRACED_WORKFLOW_TYPES;

export interface SweepInput {
  /** Only runs of this task queue: its worker owns the data folder the records go to. */
  runQueue: string;
  /** How far back to look at close times. Default 24 h. */
  lookbackHours?: number;
}

export interface SweepResult {
  /** Closed runs looked at. */
  checked: number;
  /** run ids whose record was written now. */
  written: string[];
}

/** The visibility query: terminated or timed-out runs of one queue that closed in the window. */
export function sweepQuery(runQueue: string, since: Date): string {
  const types = RUN_WORKFLOW_TYPES.map((t) => `'${t}'`).join(', ');
  const queue = runQueue.replace(/'/g, "\\'");
  return (
    `WorkflowType IN (${types}) AND ExecutionStatus IN ('Terminated', 'TimedOut') ` +
    `AND TaskQueue = '${queue}' AND CloseTime > '${since.toISOString()}'`
  );
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // called outside an activity (a script): nothing to report to
  }
}

/** One sweep outside Temporal (scripts, chaos checks): the runs of the configured task queue. */
export function sweepOnce(deps: ActivityDeps, a: Partial<SweepInput> = {}): Promise<SweepResult> {
  return sweeperActivities(deps).sweepRuns({ runQueue: deps.settings.FLYWHEEL_TASK_QUEUE, ...a });
}

export function sweeperActivities({ settings, client }: ActivityDeps) {
  return {
    async sweepRuns(a: SweepInput): Promise<SweepResult> {
      if (!client)
        throw ApplicationFailure.nonRetryable('the sweeper needs a Temporal client', 'SweeperSetup');
      const recorded = new Set<string>();
      for await (const r of readJsonl(resolveInside(settings.dataDir, RUNS_FILE)))
        if (typeof r?.run_id === 'string') recorded.add(r.run_id);
      const since = new Date(Date.now() - (a.lookbackHours ?? 24) * 3_600_000);
      const result: SweepResult = { checked: 0, written: [] };
      for await (const info of client.workflow.list({ query: sweepQuery(a.runQueue, since) })) {
        result.checked += 1;
        heartbeat({ checked: result.checked });
        const status = info.status.name === 'TERMINATED' ? 'TERMINATED' : 'TIMED_OUT';
        const history = await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
        const f = finalizeInputFromHistory(history, status, {
          workflowId: info.workflowId,
          temporalRunId: info.runId,
        });
        if (!f || recorded.has(f.runId)) continue;
        // writeRunRecord is idempotent by run id, so two sweepers at once still write one record.
        const { recordWritten } = await writeRunRecord(settings.dataDir, f, {
          ollamaHost: settings.OLLAMA_HOST,
        });
        recorded.add(f.runId);
        if (recordWritten) result.written.push(f.runId);
      }
      return result;
    },
  };
}
