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
import { RunTraceActivityInbound } from './run-trace/activity';
import { loadSettings, type Settings } from './config';
import { configureProviders } from './llm/provider';
import { logger } from './log';
import { OTEL_WORKFLOW_MODULE, startOtel } from './telemetry/otel';
import { installTemporalRuntime } from './temporal/runtime';

const WORKFLOWS = path.join(__dirname, 'workflows', 'index.ts');
const INTERCEPTORS = path.join(__dirname, 'run-trace', 'workflow.ts');

const bundles = new Map<boolean, Promise<WorkflowBundleWithSourceMap>>();
/** The workflow bundle is built once per process (webpack takes a few seconds); with OTel it has its interceptors. */
export function workflowBundle(otel = false): Promise<WorkflowBundleWithSourceMap> {
  let b = bundles.get(otel);
  if (!b) {
    b = bundleWorkflowCode({
      workflowsPath: WORKFLOWS,
      workflowInterceptorModules: otel ? [OTEL_WORKFLOW_MODULE, INTERCEPTORS] : [INTERCEPTORS],
      logger: new DefaultLogger('WARN'),
    });
    bundles.set(otel, b);
  }
  return b;
}

export type WorkerRole = Settings['FLYWHEEL_WORKER_ROLE'];

/**
 * Activities served on `<queue>-audit`: everything that reads or writes the data folder outside `work/`, run by
 * the one worker that owns it. finalizeRun: a run's security events, trace and record (recordSecurityEvents: its
 * events as soon as a stage raises them); sweepRuns: the same for
 * runs that closed without finalizing; publishOutput / litPublish: `outputs/`; recallMemories / storeMemory: the
 * memory store; readRolloutTasks / recordRolloutPair: `rollouts/`; judgeSetup / judgeRecord: `evaluators/`,
 * `evaluators.jsonl` and `notices.jsonl`. Stage workers write only under `work/`.
 */
export const AUDIT_ACTIVITIES = [
  'finalizeRun',
  'sweepRuns',
  'recordSecurityEvents',
  'publishOutput',
  'litPublish',
  'recallMemories',
  'storeMemory',
  'readRolloutTasks',
  'recordRolloutPair',
  'judgeSetup',
  'judgeRecord',
] as const;
export const auditQueueOf = (taskQueue: string) => `${taskQueue}-audit`;

export interface FlywheelWorker {
  run(): Promise<void>;
  shutdown(): void;
  taskQueue: string;
  role: WorkerRole;
  /** The task queues this process polls. */
  queues: string[];
}

/**
 * The worker. Role `stages`: workflows and stage activities on the task queue. Role `audit`: the audit
 * writer (finalizeRun → runs.jsonl and traces) on `<queue>-audit`, served by the worker that owns the data
 * folder. Role `all` (default): both in one process.
 */
export async function createWorker(opts: {
  settings: Settings;
  taskQueue?: string;
  log?: Logger;
  /** `false` = role `stages` (kept for callers that predate FLYWHEEL_WORKER_ROLE). */
  audit?: boolean;
  role?: WorkerRole;
}): Promise<FlywheelWorker> {
  const s = opts.settings;
  const log = opts.log ?? logger();
  installTemporalRuntime(log);
  configureProviders(s);
  const otel = startOtel(s);
  const role: WorkerRole = opts.role ?? (opts.audit === false ? 'stages' : s.FLYWHEEL_WORKER_ROLE);
  const taskQueue = opts.taskQueue ?? s.FLYWHEEL_TASK_QUEUE;
  const connection = await NativeConnection.connect({ address: s.TEMPORAL_ADDRESS });
  const client = new Client({
    connection: Connection.lazy({ address: s.TEMPORAL_ADDRESS }),
    namespace: s.TEMPORAL_NAMESPACE,
  });
  const activities = createActivities({ settings: s, client });
  const audit = new Set<string>(AUDIT_ACTIVITIES);
  const pick = (inAudit: boolean) =>
    Object.fromEntries(Object.entries(activities).filter(([name]) => audit.has(name) === inAudit));
  // Order matters: the first interceptor is the outermost (OTel opens the activity span RunTrace runs in).
  const interceptors = {
    activity: [
      ...(otel ? [otel.outerActivity] : []),
      (ctx: any) => ({ inbound: new RunTraceActivityInbound(ctx, s.dataDir) }),
      ...(otel ? [otel.innerActivity] : []),
    ],
  };
  const workers: Worker[] = [];
  if (role !== 'audit') {
    workers.push(
      await Worker.create({
        connection,
        namespace: s.TEMPORAL_NAMESPACE,
        taskQueue,
        workflowBundle: await workflowBundle(Boolean(otel)),
        activities: pick(false),
        interceptors,
        sinks: otel?.sinks,
        maxConcurrentActivityTaskExecutions: s.FLYWHEEL_WORKER_ACTIVITY_SLOTS,
        maxConcurrentWorkflowTaskExecutions: s.FLYWHEEL_WORKER_WORKFLOW_SLOTS,
        maxCachedWorkflows: s.FLYWHEEL_MAX_CACHED_WORKFLOWS,
      }),
    );
  }
  if (role !== 'stages') {
    workers.push(
      await Worker.create({
        connection,
        namespace: s.TEMPORAL_NAMESPACE,
        taskQueue: auditQueueOf(taskQueue),
        activities: pick(true),
        interceptors,
        maxConcurrentActivityTaskExecutions: s.FLYWHEEL_WORKER_ACTIVITY_SLOTS,
      }),
    );
  }
  return {
    taskQueue,
    role,
    queues: workers.map((w) => w.options.taskQueue),
    async run() {
      try {
        await Promise.all(workers.map((w) => w.run()));
      } finally {
        await otel?.flush().catch(() => undefined);
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
  log.info(
    {
      role: worker.role,
      queues: worker.queues,
      address: settings.TEMPORAL_ADDRESS,
      dataDir: settings.dataDir,
    },
    'worker polling',
  );
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
