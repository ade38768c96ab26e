// RunTrace, workflow side: begin/end events for every stage and activity, and a guaranteed finalizeRun.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  setCurrentDetails,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  type ActivityInput,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import type { FinalStatus, RoundResult, ToolCall, WorkflowSpan, FinalizeInput } from '../activities/types';
import { RUN_ID_RE } from '../audit/records';
import { newRunId } from './run-id';
import { FlywheelStatus, FlywheelScore } from '../temporal/search-attributes';
import { unwrapRaised } from '../audit/security-envelope';
import { auditActivities } from './audit-queue';
import { TRACED_WORKFLOW_TYPES } from './definitions';

/** Workflow types that are "runs": each gets exactly one record and one trace. */
const TRACED = new Set<string>(TRACED_WORKFLOW_TYPES);

/** finalizeRun runs on the audit queue (`<run's queue>-audit`), served by the worker that owns the data folder. */
function finalizeActivity() {
  return auditActivities({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1s', maximumInterval: '30s' }, // unlimited: the record must land
    summary: 'finalize: write record + trace',
  }).finalizeRun;
}

export interface Progress {
  runId: string;
  stage: string | null;
  round: number;
  maxRounds: number;
  scores: number[];
  lastScore: number | null;
  bestScore: number | null;
  status: 'RUNNING' | FinalStatus;
  toolCalls: number;
}

/** Accumulates what the record needs; lives as long as the workflow execution (rebuilt on replay). */
export class RunTrace {
  stage: string | null = null;
  private stageStart = 0;
  readonly spans: WorkflowSpan[] = [];
  readonly toolCalls: ToolCall[] = [];
  readonly rounds: RoundResult[] = [];
  readonly evaluatorErrors: string[] = [];
  outputPath: string | null = null;
  draftPath: string | null = null;
  final: 'PASS' | 'FAIL' | null = null;
  status: Progress['status'] = 'RUNNING';
  failedStage: string | null = null;
  readonly startedAt = Date.now();

  constructor(
    readonly runId: string,
    readonly input: Record<string, any>,
  ) {}

  /** Like the seed's trace.enter_stage(): closes the previous stage span and opens the next. */
  enterStage(name: string): void {
    this.closeStage();
    this.stage = name;
    this.stageStart = Date.now();
    this.updateDetails();
  }

  closeStage(): void {
    if (this.stage)
      this.spans.push({
        name: this.stage,
        cat: 'stage',
        startMs: this.stageStart,
        endMs: Date.now(),
        lane: 'stages',
      });
  }

  recordToolCalls(calls: ToolCall[]): void {
    this.toolCalls.push(...calls);
  }

  recordRound(r: RoundResult): void {
    this.rounds.push(r);
    if (r.error) this.evaluatorErrors.push(`round ${r.round}: ${r.error}`);
    // The run's score in the Web UI is its best round so far (the round whose draft is kept).
    const best = this.progress().bestScore;
    if (best !== null) upsertSearchAttributes([{ key: FlywheelScore, value: best }]);
    this.updateDetails();
  }

  setOutcome(final: 'PASS' | 'FAIL', outputPath: string | null, draftPath: string | null): void {
    this.final = final;
    this.outputPath = outputPath;
    this.draftPath = draftPath;
  }

  progress(): Progress {
    const scores = this.rounds.flatMap((r) => (r.composite === null ? [] : [r.composite]));
    return {
      runId: this.runId,
      stage: this.stage,
      round: this.rounds.length,
      maxRounds: Number(this.input.maxRounds ?? 0),
      scores,
      lastScore: scores.length ? scores[scores.length - 1] : null,
      bestScore: scores.length ? Math.max(...scores) : null,
      status: this.status,
      toolCalls: this.toolCalls.length,
    };
  }

  /** The Web UI's current details: stage, round, last score, status. */
  updateDetails(): void {
    const p = this.progress();
    setCurrentDetails(
      `**stage:** ${p.stage ?? '-'}  \n**round:** ${p.round}/${p.maxRounds}  \n**last score:** ${p.lastScore ?? '-'}  \n**status:** ${p.status}`,
    );
  }
}

// Per-execution state: globalThis is isolated per workflow by the SDK's sandbox.
const g = globalThis as unknown as { __flywheelRunTrace?: RunTrace };

/** The current run's RunTrace (set by the inbound interceptor before the workflow function runs). */
export function runTrace(): RunTrace {
  if (!g.__flywheelRunTrace)
    throw new Error('RunTrace is not installed: is the worker missing the run-trace interceptor?');
  return g.__flywheelRunTrace;
}

function errorMessage(err: unknown): string {
  let e: any = err;
  // Unwrap ActivityFailure → its cause, which carries the activity's own message.
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  return String(e?.message ?? e).slice(0, 2000);
}

class RunTraceInbound implements WorkflowInboundCallsInterceptor {
  async execute(
    input: WorkflowExecuteInput,
    next: Next<WorkflowInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const info = workflowInfo();
    if (!TRACED.has(info.workflowType)) return next(input);
    const arg = (input.args[0] ?? {}) as Record<string, any>;
    // Runs started without a run id (not through startHarnessRun) get a deterministic one here.
    if (typeof arg.runId !== 'string' || !RUN_ID_RE.test(arg.runId))
      arg.runId = newRunId(new Date(), uuid4().replace(/-/g, '').slice(0, 8));
    const trace = new RunTrace(arg.runId, arg);
    g.__flywheelRunTrace = trace;
    let status: FinalStatus = 'ERROR';
    let error: string | null = null;
    let result: unknown;
    try {
      result = await next(input);
      status = trace.final ?? 'FAIL';
      return result;
    } catch (err) {
      if (isCancellation(err)) {
        status = 'CANCELLED';
        error = 'cancelled';
      } else {
        status = 'ERROR';
        error = errorMessage(err);
        trace.failedStage = trace.stage;
      }
      // A plain Error would leave the workflow task retrying forever: fail the run instead, with one
      // non-retryable RunError that names the failing stage and keeps the original failure as its cause.
      if (!(err instanceof ApplicationFailure) && !isCancellation(err)) {
        throw ApplicationFailure.create({
          message: trace.failedStage ? `${trace.failedStage}: ${error}` : (error ?? 'run failed'),
          type: 'RunError',
          nonRetryable: true,
          cause: err instanceof Error ? err : undefined,
        });
      }
      throw err;
    } finally {
      trace.closeStage();
      trace.status = status;
      trace.updateDetails();
      const finalize: FinalizeInput = {
        runId: trace.runId,
        workflowId: info.workflowId,
        temporalRunId: info.runId,
        parentId: info.parent?.workflowId ?? (arg.parentId as string | null) ?? null,
        input: arg,
        status,
        error,
        failedStage: trace.failedStage,
        startedAtMs: trace.startedAt,
        endedAtMs: Date.now(),
        rounds: trace.rounds,
        toolCalls: trace.toolCalls,
        outputPath: trace.outputPath,
        draftPath: trace.draftPath,
        evaluatorErrors: trace.evaluatorErrors,
        spans: trace.spans,
      };
      // Non-cancellable: a cancelled run still gets its record.
      await CancellationScope.nonCancellable(async () => {
        upsertSearchAttributes([{ key: FlywheelStatus, value: status }]);
        await finalizeActivity()(finalize);
      });
    }
  }
}

class RunTraceOutbound implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ) {
    const t = g.__flywheelRunTrace;
    if (input.activityType === 'finalizeRun') return next(input);
    if (!t) return settleRaised(await next(input), input, null);
    const start = Date.now();
    const stage = t.stage;
    const a = (input.args[0] ?? {}) as { round?: number; model?: string; evaluators?: string[] };
    const who = a.model ?? a.evaluators?.join(', ');
    // Each activity carries a summary in the Web UI: stage, round, model.
    const summary = [stage, input.activityType, a.round ? `round ${a.round}` : null, who]
      .filter(Boolean)
      .join(' · ');
    try {
      return await settleRaised(
        await next({ ...input, options: { ...input.options, summary } }),
        input,
        stage,
      );
    } finally {
      t.spans.push({
        name: input.activityType,
        cat: 'activity',
        startMs: start,
        endMs: Date.now(),
        lane: 'activities',
        args: { stage, seq: input.seq },
      });
    }
  }
}

/**
 * An activity whose scanner raised security events returns them wrapped (src/audit/security-envelope.ts): the
 * audit writer appends them now, so they show during the run, and the workflow gets the activity's own result.
 */
async function settleRaised(out: unknown, input: ActivityInput, stage: string | null): Promise<unknown> {
  const raised = unwrapRaised(out);
  if (!raised) return out;
  const runId = (input.args[0] as { runId?: string } | undefined)?.runId;
  if (runId) {
    try {
      await auditActivities().recordSecurityEvents({ runId, stage: stage ?? input.activityType });
    } catch (err) {
      // Only a cancellation stops the run here: the events are durable in the spool and finalizeRun appends them.
      if (isCancellation(err)) throw err;
    }
  }
  return raised.result;
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new RunTraceInbound()],
  outbound: [new RunTraceOutbound()],
});
