// RunTrace, activity side: measures each attempt's real execution on the worker and every LLM call inside it.
import { type Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import os from 'node:os';
import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import type { SecurityEvent } from '../audit/records';
import { llmCallScope, type LlmCallRecord } from '../llm/recorder';
import { toActivityFailure } from '../errors';
import { recordSecurityEvent, securityEventScope } from '../security/events';
import { wrapRaised } from '../audit/security-envelope';
import { PathSandboxError, resolveInside } from '../security/sandbox';

/**
 * The run's spool: what attempts saw on the worker (LLM calls, attempts, security events), one file per
 * attempt under `work/<run_id>/spans/` (one writer per file, safe on a shared network volume). finalizeRun,
 * on the audit worker, merges it into the trace and the record and appends the security events. Survives crashes.
 */
export const spoolDirRel = (runId: string) => path.posix.join('work', runId, 'spans');
const attemptSpoolRel = (runId: string, workflowRunId: string, activityId: string, attempt: number) =>
  path.posix.join(
    spoolDirRel(runId),
    `${workflowRunId.slice(0, 8)}-${activityId}-${attempt}.jsonl`.replace(/[^\w.-]/g, '_'),
  );

export type SpoolLine =
  | ({ type: 'llm'; activity: string; stage: string; attempt: number } & LlmCallRecord)
  | { type: 'security'; activity: string; stage: string; attempt: number; event: SecurityEvent }
  | {
      type: 'attempt';
      activity: string;
      stage: string;
      attempt: number;
      round?: number;
      startMs: number;
      endMs: number;
      ok: boolean;
      error?: string;
      /** Which worker ran the attempt, as Temporal names it (`pid@host`, the Web UI's "identity"). */
      worker?: string;
    };

const WORKER_IDENTITY = `${process.pid}@${os.hostname()}`;

const HEARTBEAT_MS = 2000;

export class RunTraceActivityInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: Context,
    private readonly dataDir: string,
  ) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const a = (input.args[0] ?? {}) as { runId?: string; stage?: string; round?: number };
    const info = this.ctx.info;
    if (!a.runId || info.activityType === 'finalizeRun')
      return toFailure(next(input).catch((e: unknown) => this.refused(e, null, info.activityType)));
    const spool = resolveInside(
      this.dataDir,
      attemptSpoolRel(a.runId, info.workflowExecution?.runId ?? 'none', info.activityId, info.attempt),
    );
    const base = { activity: info.activityType, stage: a.stage ?? info.activityType, attempt: info.attempt };
    const writes: Promise<unknown>[] = [];
    // Spool writes are best-effort telemetry: a failure here never fails the stage.
    const write = (line: SpoolLine) =>
      writes.push(appendJsonl(spool, line, { sync: false }).catch(() => undefined));
    // Heartbeats deliver cancellation to the activity and let Temporal notice a dead worker quickly.
    const beat = setInterval(() => this.ctx.heartbeat(), HEARTBEAT_MS);
    const startMs = Date.now();
    let ok = false;
    let error: string | undefined;
    try {
      // Security events are not telemetry: each is synced to the spool before the stage goes on (or fails it).
      let raised = 0;
      const security = (event: SecurityEvent) =>
        appendJsonl(spool, { type: 'security', ...base, event } satisfies SpoolLine).then(() => {
          raised++;
        });
      const result = await securityEventScope.run({ push: security }, () =>
        llmCallScope.run({ push: (rec) => write({ type: 'llm', ...base, ...rec }) }, () => next(input)),
      );
      ok = true;
      // The workflow interceptor unwraps this and has the audit worker append the events now (not at the end).
      return raised ? wrapRaised(raised, result) : result;
    } catch (e) {
      error = (e as Error).message;
      // A refused path is a security decision: recorded in the run's spool like the scanner's (finalize appends it).
      if (e instanceof PathSandboxError)
        await securityEventScope.run(
          {
            push: (ev) => appendJsonl(spool, { type: 'security', ...base, event: ev }).then(() => undefined),
          },
          () => this.refused(e, a.runId!, a.stage ?? info.activityType).catch(() => undefined),
        );
      // A cancelled attempt reports the cancellation, whatever its aborted LLM call threw.
      const signal = this.ctx.cancellationSignal;
      if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
      throw asFailure(e);
    } finally {
      clearInterval(beat);
      write({
        type: 'attempt',
        ...base,
        round: a.round,
        startMs,
        endMs: Date.now(),
        ok,
        error,
        worker: WORKER_IDENTITY,
      });
      await Promise.all(writes);
    }
  }
  /** Every path the sandbox refuses in an activity leaves a `path_sandbox` event (then the error goes on). */
  private async refused(e: unknown, runId: string | null, where: string): Promise<never> {
    if (e instanceof PathSandboxError)
      await recordSecurityEvent(this.dataDir, {
        runId,
        eventType: 'path_sandbox',
        layer: where,
        severity: 'block',
        detail: `${this.ctx.info.activityType}: ${e.message}: ${e.target}`,
      }).catch(() => undefined);
    throw e;
  }
}

/** Errors that cannot succeed on retry (model missing, bad request, bad setup, a refused path) fail at once, clearly. */
const asFailure = toActivityFailure;

async function toFailure<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw asFailure(e);
  }
}
