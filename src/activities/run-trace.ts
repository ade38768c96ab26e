// RunTrace, activity side: measures each attempt's real execution on the worker and every LLM call inside it.
import { ApplicationFailure, type Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import { LlmError } from '../llm/client';
import { llmCallScope, type LlmCallRecord } from '../llm/recorder';
import { SearchError } from '../search/types';
import { resolveInside } from '../security/sandbox';

/** Spool of worker-side spans, merged into the Chrome trace by finalizeRun. Survives worker crashes. */
export const spoolRel = (runId: string) => path.posix.join('traces', `${runId}.spans.jsonl`);

export type SpoolLine =
  | ({ type: 'llm'; activity: string; stage: string; attempt: number } & LlmCallRecord)
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
    };

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
    if (!a.runId || info.activityType === 'finalizeRun') return toFailure(next(input));
    const spool = resolveInside(this.dataDir, spoolRel(a.runId));
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
      const result = await llmCallScope.run({ push: (rec) => write({ type: 'llm', ...base, ...rec }) }, () =>
        next(input),
      );
      ok = true;
      return result;
    } catch (e) {
      error = (e as Error).message;
      // A cancelled attempt reports the cancellation, whatever its aborted LLM call threw.
      const signal = this.ctx.cancellationSignal;
      if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
      throw asFailure(e);
    } finally {
      clearInterval(beat);
      write({ type: 'attempt', ...base, round: a.round, startMs, endMs: Date.now(), ok, error });
      await Promise.all(writes);
    }
  }
}

/** Errors that cannot succeed on retry (model missing, bad request, bad search setup) fail at once, clearly. */
function asFailure(e: unknown): unknown {
  if (e instanceof LlmError && !e.retryable)
    return ApplicationFailure.nonRetryable(e.message, `LlmError.${e.kind}`);
  if (e instanceof SearchError && !e.retryable)
    return ApplicationFailure.nonRetryable(e.message, 'SearchError');
  return e;
}

async function toFailure<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw asFailure(e);
  }
}
