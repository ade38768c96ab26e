// Nightly rollout batches as Temporal Schedules.
//  - overlap SKIP (default): a firing while the previous batch still runs is skipped, so at most one batch
//    ever competes with interactive runs for the models; BUFFER_ONE is available to run late instead.
//  - catch-up window explicit (default 1 hour): after an outage, a missed 02:00 batch still starts until 03:00,
//    later ones are dropped rather than starting a GPU-heavy batch in the working day.
//  - time zone explicit (default UTC): cron times are read in that zone, daylight saving included.
import { ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { RolloutBatchInput } from '../workflows/rollout';
import { FlywheelKind, FlywheelProducer } from '../temporal/search-attributes';

export const SCHEDULE_ID_RE = /^[A-Za-z0-9._-]{1,100}$/;
export type Overlap = 'SKIP' | 'BUFFER_ONE';

/** When and where a schedule fires. */
export interface ScheduleTiming {
  scheduleId: string;
  cron: string;
  timezone: string;
  overlap: Overlap;
  /** ms-style duration, e.g. '1h'. */
  catchupWindow: string;
  taskQueue: string;
}

export interface RolloutScheduleOptions extends ScheduleTiming {
  input: RolloutBatchInput;
  taskCount: number;
}

/** True when the runtime knows the IANA zone name. */
export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validDuration(d: string): boolean {
  try {
    return Number.isFinite(msToNumber(d as Duration));
  } catch {
    return false;
  }
}

/** Schedule id, catch-up window and time zone, checked before asking the server (RangeError with the remedy). */
export function assertScheduleOptions(o: {
  scheduleId: string;
  catchupWindow: string;
  timezone: string;
}): void {
  if (!SCHEDULE_ID_RE.test(o.scheduleId))
    throw new RangeError('a schedule id may use letters, digits, ".", "_" and "-" (max 100)');
  if (!validDuration(o.catchupWindow) || msToNumber(o.catchupWindow as Duration) < 10_000)
    throw new RangeError(
      `--catchup-window must be a duration of at least 10s, e.g. 1h or 30m (got "${o.catchupWindow}")`,
    );
  if (!validTimezone(o.timezone))
    throw new RangeError(`unknown time zone "${o.timezone}" (use an IANA name, e.g. UTC, Europe/Paris)`);
}

/**
 * Creates the schedule. Each firing starts `rolloutBatch` with workflow id `rollout-<schedule_id>-<timestamp>`
 * (Temporal appends the timestamp), so its batch id is `<schedule_id>-<timestamp>`.
 */
/** One Flywheel schedule: each firing starts `workflowType` as `<idPrefix>-<timestamp>` on the task queue. */
export interface ScheduleSpec extends ScheduleTiming {
  workflowType: string;
  idPrefix: string;
  args: unknown[];
  summary: string;
  kind: string;
  producer?: string;
  memo: Record<string, unknown>;
}

export async function createSchedule(client: Client, o: ScheduleSpec): Promise<void> {
  assertScheduleOptions(o);
  await client.schedule.create({
    scheduleId: o.scheduleId,
    spec: { cronExpressions: [o.cron], timezone: o.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: o.workflowType,
      taskQueue: o.taskQueue,
      workflowId: o.idPrefix,
      args: o.args,
      staticSummary: o.summary,
      typedSearchAttributes: [
        { key: FlywheelKind, value: o.kind },
        ...(o.producer ? [{ key: FlywheelProducer, value: o.producer }] : []),
      ],
    },
    policies: {
      overlap: ScheduleOverlapPolicy[o.overlap],
      catchupWindow: o.catchupWindow as Duration,
      pauseOnFailure: false,
    },
    memo: { cron: o.cron, timezone: o.timezone, ...o.memo },
  });
}

export function createRolloutSchedule(client: Client, o: RolloutScheduleOptions): Promise<void> {
  return createSchedule(client, {
    ...o,
    workflowType: 'rolloutBatch',
    idPrefix: `rollout-${o.scheduleId}`,
    args: [o.input],
    summary: `scheduled rollout batch (${o.scheduleId}): ${o.taskCount} tasks × ${o.input.n} candidates`,
    kind: 'rollout_batch',
    producer: o.input.harness.producerModel,
    memo: { flywheel: 'rollout', tasks: o.taskCount, n: o.input.n, concurrency: o.input.concurrency },
  });
}

export interface ScheduleRow {
  id: string;
  paused: boolean;
  cron: string;
  timezone: string;
  workflowType: string;
  next: string | null;
  last: string | null;
  note: string | null;
}

export async function listSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const s of client.schedule.list()) {
    const memo = (s.memo ?? {}) as Record<string, unknown>;
    const recent = s.info.recentActions[s.info.recentActions.length - 1];
    rows.push({
      id: s.scheduleId,
      paused: s.state.paused,
      cron: String(memo.cron ?? '-'),
      timezone: String(memo.timezone ?? s.spec?.timezone ?? 'UTC'),
      workflowType: s.action?.workflowType ?? '-',
      next: s.info.nextActionTimes[0]?.toISOString() ?? null,
      last: recent ? `${recent.takenAt.toISOString()} ${recent.action.workflow.workflowId}` : null,
      note: s.state.note ?? null,
    });
  }
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** Runs the schedule's action now, under the schedule's own overlap policy unless told otherwise. */
export async function triggerSchedule(client: Client, id: string, allowOverlap = false): Promise<void> {
  const h = client.schedule.getHandle(id);
  const d: ScheduleDescription = await h.describe();
  await h.trigger(allowOverlap ? ScheduleOverlapPolicy.ALLOW_ALL : d.policies.overlap);
}
