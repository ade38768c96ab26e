// Following a workflow from the CLI (`flywheel run`, `flywheel lit-review`): one progress loop for both.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { Settings } from '../config';

export interface FollowOptions<P> {
  client: Client;
  handle: WorkflowHandle;
  settings: Settings;
  query: QueryDefinition<P>;
  /** One line of progress; printed whenever it changes, with the time since following began. */
  line: (p: P) => string;
  intervalMs: number;
  /** "run", "review": named in the no-worker warning. */
  what: string;
  say: (l: string) => void;
  warn: (l: string) => void;
  /** Ctrl-C: stop following (the workflow goes on). */
  stop: () => boolean;
}

/**
 * Polls the progress query until the workflow closes or `stop()`. Warns once when no worker polls the task
 * queue (nothing starts), and once when progress stalls with no audit worker on `<queue>-audit` (a run waits at
 * its first data-folder step: memory recall).
 */
export async function followWorkflow<P>(o: FollowOptions<P>): Promise<void> {
  const { client, handle, settings: s } = o;
  // Closure is noticed by describe(), not a pending result() long-poll that would outlive the connection.
  let closed = false;
  const t0 = Date.now();
  let last = '';
  let checkedPollers = false;
  let checkedAudit = false;
  let changedAt = t0;
  const poll = async () => {
    try {
      const p = await client.connection.withDeadline(Date.now() + 3000, () => handle.query(o.query));
      const line = o.line(p);
      if (line !== last) {
        o.say(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)}s] ${line}`);
        changedAt = Date.now();
      }
      last = line;
      if (!checkedAudit && Date.now() - changedAt > 10_000) {
        checkedAudit = true;
        const audit = `${s.FLYWHEEL_TASK_QUEUE}-audit`;
        if (!(await hasPoller(client, s, audit, ACTIVITY)))
          o.warn(
            `No audit worker polls "${audit}" at ${s.TEMPORAL_ADDRESS}; the ${o.what} waits at its first write to ` +
              'the data folder. Start one where the data folder is: `flywheel worker` with FLYWHEEL_WORKER_ROLE=audit ' +
              '(or all).',
          );
      }
    } catch {
      // Not started yet (no worker has run its first task), or closing: try again, and say why it waits.
      if (!checkedPollers && !last && Date.now() - t0 > 8000) {
        checkedPollers = true;
        if (!(await hasPoller(client, s, s.FLYWHEEL_TASK_QUEUE, WORKFLOW)))
          o.warn(
            `No worker polls task queue "${s.FLYWHEEL_TASK_QUEUE}" at ${s.TEMPORAL_ADDRESS}; the ${o.what} waits for ` +
              'one. Start it: `flywheel worker` (or `flywheel dev`).',
          );
      }
    }
  };
  while (!closed && !o.stop()) {
    await poll();
    closed = await client.connection
      .withDeadline(Date.now() + 5000, () => handle.describe())
      .then((d) => d.status.name !== 'RUNNING')
      .catch(() => false);
    if (!closed && !o.stop()) await sleep(o.intervalMs);
  }
  // The final progress, however quickly the workflow went.
  if (closed && !o.stop()) await poll();
}

const WORKFLOW = 1; // TASK_QUEUE_TYPE_WORKFLOW
const ACTIVITY = 2; // TASK_QUEUE_TYPE_ACTIVITY

async function hasPoller(client: Client, s: Settings, queue: string, type: number): Promise<boolean> {
  try {
    const r = await client.workflowService.describeTaskQueue({
      namespace: s.TEMPORAL_NAMESPACE,
      taskQueue: { name: queue },
      taskQueueType: type,
    });
    return (r.pollers?.length ?? 0) > 0;
  } catch {
    return true; // cannot tell: say nothing
  }
}
