// The audit writer's task queue. Every write to the data folder outside `work/` is an activity there, served
// only by the worker that owns the data folder (role `audit` or `all`): see docs/production.md.
import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** `<this run's queue>-audit`. Workflow code has no process.env: the queue is derived per execution. */
export const auditQueue = () => `${workflowInfo().taskQueue}-audit`;

/** Activities proxied to the audit queue (call inside workflow code: the queue depends on the execution). */
export function auditActivities(options: ActivityOptions = {}) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 5 },
    ...options,
    taskQueue: auditQueue(),
  });
}
