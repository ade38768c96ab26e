import path from 'node:path';
import {
  DefaultLogger,
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { createActivities } from './activities';
import { RunTraceActivityInbound } from './activities/run-trace';
import { loadSettings, type Settings } from './config';
import { logger } from './log';
import { installTemporalRuntime } from './temporal/runtime';

const WORKFLOWS = path.join(__dirname, 'workflows', 'index.ts');
const INTERCEPTORS = path.join(__dirname, 'workflows', 'run-trace.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle is built once per process (webpack takes a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    workflowInterceptorModules: [INTERCEPTORS],
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export interface FlywheelWorker {
  run(): Promise<void>;
  shutdown(): void;
  taskQueue: string;
}

/**
 * The worker: workflows and stage activities on the task queue, and the audit writer (finalizeRun) on
 * `<queue>-audit`, which the worker that owns the data folder serves.
 */
export async function createWorker(opts: {
  settings: Settings;
  taskQueue?: string;
  log?: Logger;
  audit?: boolean;
}): Promise<FlywheelWorker> {
  const s = opts.settings;
  const log = opts.log ?? logger();
  installTemporalRuntime(log);
  const taskQueue = opts.taskQueue ?? s.FLYWHEEL_TASK_QUEUE;
  const connection = await NativeConnection.connect({ address: s.TEMPORAL_ADDRESS });
  const client = new Client({
    connection: Connection.lazy({ address: s.TEMPORAL_ADDRESS }),
    namespace: s.TEMPORAL_NAMESPACE,
  });
  const activities = createActivities({ settings: s, client });
  const interceptors = {
    activity: [(ctx: any) => ({ inbound: new RunTraceActivityInbound(ctx, s.dataDir) })],
  };
  const workers = [
    await Worker.create({
      connection,
      namespace: s.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
      interceptors,
      maxConcurrentActivityTaskExecutions: s.FLYWHEEL_WORKER_ACTIVITY_SLOTS,
      maxConcurrentWorkflowTaskExecutions: s.FLYWHEEL_WORKER_WORKFLOW_SLOTS,
      maxCachedWorkflows: s.FLYWHEEL_MAX_CACHED_WORKFLOWS,
    }),
  ];
  if (opts.audit !== false) {
    workers.push(
      await Worker.create({
        connection,
        namespace: s.TEMPORAL_NAMESPACE,
        taskQueue: `${taskQueue}-audit`,
        activities: { finalizeRun: activities.finalizeRun },
        interceptors,
      }),
    );
  }
  return {
    taskQueue,
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await connection.close();
        await client.connection.close();
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}

/** `flywheel worker` / `tsx src/worker.ts`: a worker against TEMPORAL_ADDRESS until SIGINT/SIGTERM. */
export async function runWorkerUntilSignal(settings: Settings, log: Logger = logger()): Promise<void> {
  const worker = await createWorker({ settings, log });
  log.info({ taskQueue: worker.taskQueue, address: settings.TEMPORAL_ADDRESS }, 'worker polling');
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await worker.run();
}

if (require.main === module) {
  runWorkerUntilSignal(loadSettings()).catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
}
