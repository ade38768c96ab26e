import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { SweeperInput } from '../workflows/sweeper';

export const sweeperScheduleId = (taskQueue: string) => `flywheel-sweeper-${taskQueue}`;

/**
 * Creates the sweeper's Temporal Schedule for a task queue (every 5 minutes, overlapping sweeps skipped), or
 * leaves the existing one alone. Returns whether it was created now.
 */
export async function ensureSweeperSchedule(
  client: Client,
  taskQueue: string,
  opts: { every?: Duration; lookbackHours?: number } = {},
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = sweeperScheduleId(taskQueue);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: opts.every ?? '5 minutes' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'sweeper',
        workflowId: `sweeper-${taskQueue}`,
        taskQueue,
        args: [{ lookbackHours: opts.lookbackHours ?? 24 } satisfies SweeperInput],
        staticSummary: 'records for terminated / timed-out runs',
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
    });
    return { scheduleId, created: true };
  } catch (e) {
    if (e instanceof ScheduleAlreadyRunning) return { scheduleId, created: false };
    throw e;
  }
}
