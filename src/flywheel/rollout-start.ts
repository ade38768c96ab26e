// Client side of rollouts: build a batch input from settings and a task list, and start the batch.
import { WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { writeDataFile } from '../activities/deps';
import { BATCH_ID_RE } from './batch-id';
import { newRunId } from '../run-trace/run-id';
import type { Settings } from '../config';
import { resolveHarnessInput } from '../harness/input';
import { FlywheelKind, FlywheelProducer } from '../temporal/search-attributes';
import type { rolloutBatch, RolloutBatchInput } from '../workflows/rollout';

export const DEFAULT_TEMPERATURES = [0.6, 0.7, 0.8, 0.9];
/** Lists up to this size travel inside the workflow input; larger ones are stored in data/ and passed by path. */
export const INLINE_MAX_TASKS = 200;
export const INLINE_MAX_BYTES = 64 * 1024;

/** 0.6, 0.7, 0.8, 0.9 as in the seed; beyond 4 candidates, +0.1 each (capped at 2). */
export function temperaturesFor(n: number): number[] {
  return Array.from({ length: n }, (_, k) =>
    k < DEFAULT_TEMPERATURES.length
      ? DEFAULT_TEMPERATURES[k]
      : Math.min(2, Math.round((0.6 + 0.1 * k) * 10) / 10),
  );
}

export interface BatchOptions {
  tasks: string[];
  n?: number;
  concurrency?: number;
  tasksPerRun?: number;
  /** Where a large list is stored, relative to the data folder (without extension). */
  storeAs: string;
  /** Store the list in the data folder whatever its size. */
  byReference?: boolean;
}

/** The batch input: model settings from `settings`, the task list inline or by reference. */
export function buildBatchInput(settings: Settings, o: BatchOptions): RolloutBatchInput {
  if (!o.tasks.length) throw new RangeError('the task list is empty');
  const n = o.n ?? 4;
  if (!Number.isInteger(n) || n < 2 || n > 8) throw new RangeError('--n must be an integer from 2 to 8');
  const concurrency = o.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new RangeError('--concurrency must be an integer from 1 to 64');
  const full = resolveHarnessInput(o.tasks[0], settings);
  const {
    task: _t,
    runId: _r,
    kind: _k,
    sessionId: _s,
    parentId: _p,
    producerTemperature: _pt,
    maxRounds: _m,
    ...harness
  } = full;
  const input: RolloutBatchInput = {
    n,
    concurrency,
    temperatures: temperaturesFor(n),
    harness,
    ...(o.tasksPerRun ? { tasksPerRun: o.tasksPerRun } : {}),
  };
  const bytes = Buffer.byteLength(JSON.stringify(o.tasks));
  if (!o.byReference && o.tasks.length <= INLINE_MAX_TASKS && bytes <= INLINE_MAX_BYTES)
    input.tasks = o.tasks;
  else
    input.tasksPath = writeDataFile(
      settings.dataDir,
      `${o.storeAs}.jsonl`,
      o.tasks.map((t) => JSON.stringify({ task: t })).join('\n') + '\n',
    );
  return input;
}

export const newBatchId = (now = new Date()) => newRunId(now);

/** Starts `rollout-<batch_id>`; a batch id is used once (an existing one is refused). */
export async function startRolloutBatch(
  client: Client,
  taskQueue: string,
  batchId: string,
  input: RolloutBatchInput,
): Promise<WorkflowHandle<typeof rolloutBatch>> {
  if (!BATCH_ID_RE.test(batchId))
    throw new RangeError('a batch id may use letters, digits, ".", "_" and "-" (max 100)');
  const total = input.tasks?.length;
  return client.workflow.start<typeof rolloutBatch>('rolloutBatch', {
    taskQueue,
    workflowId: `rollout-${batchId}`,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [{ ...input, batchId }],
    staticSummary: `rollout batch ${batchId}${total !== undefined ? ` (${total} tasks)` : ''} × ${input.n} candidates`,
    typedSearchAttributes: [
      { key: FlywheelKind, value: 'rollout_batch' },
      { key: FlywheelProducer, value: input.harness.producerModel },
    ],
  });
}
