// Client side of evaluator qualification: the workflow input from settings and a pair file, the start, and the
// nightly drift schedule (next to the rollout schedules of `flywheel schedule`).
import path from 'node:path';
import { WorkflowIdReusePolicy, type Client, type WorkflowHandle } from '@temporalio/client';
import { newRunId } from '../run-trace/run-id';
import type { Settings } from '../config';
import { createSchedule } from '../flywheel/schedule';
import { FlywheelKind } from '../temporal/search-attributes';
import type { judgeQualify, JudgeQualifyInput } from '../workflows/judge';
import { DEFAULT_PAIRS_FILE, readPairFile, storePairSet } from './pairs';

export interface QualifyOptions {
  /** Default: the bundled LLMBar Natural pairs. */
  pairsFile?: string;
  /** Default: the configured evaluator pool (drift schedules: the worker's pool when each check runs). */
  models?: string[];
  sample?: number;
  concurrency?: number;
  kind?: 'full' | 'drift';
}

/**
 * Reads and checks the pair file (PairFileError names the bad row), stores it in the data folder, and builds the
 * workflow input with the evaluator settings the harness uses (temperature, num_predict) and the thresholds.
 */
export function buildQualifyInput(settings: Settings, o: QualifyOptions = {}): JudgeQualifyInput {
  const file = path.resolve(o.pairsFile ?? DEFAULT_PAIRS_FILE);
  const pairs = readPairFile(file);
  const pairSet = storePairSet(settings.dataDir, path.basename(file), pairs);
  const concurrency = o.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new RangeError('--concurrency must be an integer from 1 to 64');
  if (o.sample !== undefined && (!Number.isInteger(o.sample) || o.sample < 1))
    throw new RangeError('--sample must be a positive integer');
  return {
    kind: o.kind ?? 'full',
    ...(o.models?.length ? { models: [...new Set(o.models)] } : {}),
    pairSet,
    ...(o.sample !== undefined && o.sample < pairs.length ? { sample: o.sample } : {}),
    concurrency,
    temperature: settings.FLYWHEEL_EVALUATOR_TEMPERATURE,
    numPredict: settings.FLYWHEEL_NUM_PREDICT,
    ...(o.kind === 'drift'
      ? {}
      : {
          thresholds: {
            min_accuracy_lower_bound: settings.FLYWHEEL_JUDGE_MIN_ACCURACY_LB,
            min_position_consistency: settings.FLYWHEEL_JUDGE_MIN_POSITION_CONSISTENCY,
          },
        }),
  };
}

export const newQualificationId = (now = new Date()) => newRunId(now);

/** Starts `judge-<qualification_id>` (an id is used once). */
export async function startQualification(
  client: Client,
  taskQueue: string,
  input: JudgeQualifyInput,
  qualificationId = newQualificationId(),
): Promise<WorkflowHandle<typeof judgeQualify>> {
  return client.workflow.start<typeof judgeQualify>('judgeQualify', {
    taskQueue,
    workflowId: `judge-${qualificationId}`,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [{ ...input, qualificationId }],
    staticSummary:
      `evaluator ${input.kind === 'drift' ? 'drift check' : 'qualification'} on ${input.pairSet.name}` +
      ` (${input.sample ?? input.pairSet.n_total} pairs)${input.models ? `: ${input.models.join(', ')}` : ''}`,
    typedSearchAttributes: [{ key: FlywheelKind, value: `judge_${input.kind}` }],
  });
}

export interface DriftScheduleOptions {
  scheduleId: string;
  cron: string;
  timezone: string;
  catchupWindow: string;
  taskQueue: string;
  /** A drift input (kind 'drift', with a sample). */
  input: JudgeQualifyInput;
}

/**
 * The nightly drift check: each firing starts `judgeQualify` (kind 'drift', a fresh random sample) with workflow
 * id `judge-<schedule_id>-<timestamp>`. Overlap SKIP: a check still running makes the next one skip.
 */
export function createDriftSchedule(client: Client, o: DriftScheduleOptions): Promise<void> {
  return createSchedule(client, {
    ...o,
    overlap: 'SKIP',
    workflowType: 'judgeQualify',
    idPrefix: `judge-${o.scheduleId}`,
    args: [o.input],
    summary:
      `evaluator drift check (${o.scheduleId}): ${o.input.sample ?? o.input.pairSet.n_total} pairs of ` +
      o.input.pairSet.name,
    kind: 'judge_drift',
    memo: {
      flywheel: 'judge-drift',
      sample: o.input.sample ?? o.input.pairSet.n_total,
      pairs: o.input.pairSet.name,
    },
  });
}
