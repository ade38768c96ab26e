// Rebuilds what a run's RunTrace would have finalized from its Temporal history, for runs that closed without
// running their own finalizeRun (terminated, timed out): the sweeper writes their record from this.
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import type { FinalStatus, FinalizeInput, RoundResult, ToolCall, WorkflowSpan } from '../activities/types';

type Ts = Parameters<typeof tsToMs>[0];

function decode(p: Payload | null | undefined): any {
  if (!p) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(p);
  } catch {
    return undefined; // an encoding we cannot read: the record keeps what it can
  }
}

const first = (ps: { payloads?: Payload[] | null } | null | undefined) => decode(ps?.payloads?.[0]);
const idOf = (id: unknown) => String(id ?? '');

/**
 * What each run kind's activity results mean for the record: harness runs and rollout candidates (plan, research,
 * synthesize, evaluate, publish) and literature reviews (assemble, review rounds, publish).
 */
const RESULT_ROLE: Record<string, 'tools' | 'draft' | 'round' | 'output'> = {
  research: 'tools',
  synthesize: 'draft',
  litAssemble: 'draft',
  evaluate: 'round',
  litEvaluate: 'round',
  publishOutput: 'output',
  litPublish: 'output',
};

interface ActivityEvent {
  type: string;
  arg: Record<string, any>;
  startMs: number;
  endMs: number | null;
  result: any;
  ok: boolean;
}

/**
 * A FinalizeInput for a closed run with no record. Stage spans are rebuilt from the `stage` argument of its
 * activities; rounds, tool calls, draft and output from their results; the failed stage is the one whose
 * activity was still open when the run closed.
 */
export function finalizeInputFromHistory(
  history: History,
  status: Extract<FinalStatus, 'TERMINATED' | 'TIMED_OUT'>,
  ids: { workflowId: string; temporalRunId: string },
): FinalizeInput | null {
  const events = history.events ?? [];
  const startEv = events[0];
  const started = startEv?.workflowExecutionStartedEventAttributes;
  if (!started) return null;
  const input = (first(started.input) ?? {}) as Record<string, any>;
  if (typeof input.runId !== 'string') return null;
  const startedAtMs = tsToMs(startEv.eventTime as Ts);
  const last = events[events.length - 1];
  const endedAtMs = last?.eventTime ? tsToMs(last.eventTime as Ts) : startedAtMs;

  const activities = new Map<string, ActivityEvent>();
  for (const ev of events) {
    const at = ev.eventTime ? tsToMs(ev.eventTime as Ts) : endedAtMs;
    const sched = ev.activityTaskScheduledEventAttributes;
    if (sched) {
      activities.set(idOf(ev.eventId), {
        type: sched.activityType?.name ?? 'activity',
        arg: (first(sched.input) ?? {}) as Record<string, any>,
        startMs: at,
        endMs: null,
        result: undefined,
        ok: false,
      });
      continue;
    }
    const done = ev.activityTaskCompletedEventAttributes;
    const closed =
      done ??
      ev.activityTaskFailedEventAttributes ??
      ev.activityTaskTimedOutEventAttributes ??
      ev.activityTaskCanceledEventAttributes;
    const a = closed ? activities.get(idOf(closed.scheduledEventId)) : undefined;
    if (!a) continue;
    a.endMs = at;
    a.ok = Boolean(done);
    if (done) a.result = first(done.result);
  }

  const spans: WorkflowSpan[] = [];
  const rounds: RoundResult[] = [];
  const toolCalls: ToolCall[] = [];
  let draftPath: string | null = null;
  let outputPath: string | null = null;
  let failedStage: string | null = null;
  let stage = null as { name: string; startMs: number } | null;
  for (const a of activities.values()) {
    const name = typeof a.arg.stage === 'string' ? a.arg.stage : null;
    if (name && name !== stage?.name) {
      if (stage) spans.push(stageSpan(stage.name, stage.startMs, a.startMs));
      stage = { name, startMs: a.startMs };
    }
    spans.push({
      name: a.type,
      cat: 'activity',
      startMs: a.startMs,
      endMs: a.endMs ?? endedAtMs,
      lane: 'activities',
      args: { stage: name, open: a.endMs === null },
    });
    if (a.endMs === null) failedStage ??= name;
    if (!a.ok || a.result === undefined) continue;
    const role = RESULT_ROLE[a.type];
    if (role === 'tools' && Array.isArray(a.result.toolCalls)) toolCalls.push(...a.result.toolCalls);
    if (role === 'draft' && typeof a.result.draftPath === 'string') draftPath ??= a.result.draftPath;
    if (role === 'round' && typeof a.result.round === 'number') rounds.push(a.result as RoundResult);
    if (role === 'output' && typeof a.result.outputPath === 'string') outputPath = a.result.outputPath;
  }
  if (stage) spans.push(stageSpan(stage.name, stage.startMs, endedAtMs));

  const term = last?.workflowExecutionTerminatedEventAttributes;
  const why =
    status === 'TERMINATED'
      ? `terminated${term?.reason ? `: ${term.reason}` : ''}`
      : 'timed out (workflow execution or run timeout)';
  return {
    runId: input.runId,
    workflowId: ids.workflowId,
    temporalRunId: ids.temporalRunId,
    parentId: started.parentWorkflowExecution?.workflowId ?? (input.parentId as string | null) ?? null,
    input,
    status,
    error: why,
    failedStage,
    startedAtMs,
    endedAtMs,
    rounds,
    toolCalls,
    outputPath,
    draftPath,
    evaluatorErrors: rounds.flatMap((r) => (r.error ? [`round ${r.round}: ${r.error}`] : [])),
    spans,
  };
}

function stageSpan(name: string, startMs: number, endMs: number): WorkflowSpan {
  return { name, cat: 'stage', startMs, endMs: Math.max(startMs, endMs), lane: 'stages' };
}
