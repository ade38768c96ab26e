// The sweeper (scheduled every few minutes): records for runs that closed without finalizing (terminated, timed out).
import { workflowInfo } from '@temporalio/workflow';
import { auditActivities } from '../run-trace/audit-queue';
import type { SweepResult } from '../activities/sweeper';

export interface SweeperInput {
  /** How far back to look at close times. Default 24 h. */
  lookbackHours?: number;
}

/** Sweeps the runs of this workflow's task queue; the writes run on the audit queue, like finalizeRun. */
export async function sweeper(input: SweeperInput = {}): Promise<SweepResult> {
  const runQueue = workflowInfo().taskQueue;
  const { sweepRuns } = auditActivities({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5s', maximumAttempts: 3 },
    summary: 'sweep: records for terminated / timed-out runs',
  });
  return sweepRuns({ runQueue, lookbackHours: input.lookbackHours ?? 24 });
}
