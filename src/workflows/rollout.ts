// The RL rollout (seed G2) as workflows: a batch starts one child per task; each task child runs N candidate
// runs (traced like harness runs, kind 'rollout') at different temperatures and records a preference pair.
import {
  ParentClosePolicy,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CandidateSummary } from '../activities/rollout';
import type { HarnessInput } from '../harness/input';
import { FlywheelKind, FlywheelProducer, FlywheelStatus } from '../temporal/search-attributes';
import { progressQuery } from './harness-run';
import { auditActivities } from '../run-trace/audit-queue';
import { runTrace } from '../run-trace/workflow';
import { firstDraft, llmStage } from './first-draft';
import { verdict } from '../run-trace/definitions';

/** Model settings shared by every candidate of a batch (a harness input without the per-run fields). */
export type CandidateSettings = Omit<
  HarnessInput,
  'task' | 'runId' | 'kind' | 'sessionId' | 'parentId' | 'producerTemperature' | 'maxRounds'
>;

export interface RolloutBatchState {
  /** Index of the next task to start; every task before it has finished. */
  next: number;
  total: number | null;
  done: number;
  failed: number;
  pairs: number;
  candidates: number;
  /** How many times the batch has continued as new. */
  generation: number;
}

export interface RolloutBatchInput {
  /** Default: the workflow id without its `rollout-` prefix (schedules append a timestamp to it). */
  batchId?: string;
  /** The tasks, inline (small lists) … */
  tasks?: string[];
  /** … or a task list file relative to the data folder (large lists: read a page at a time). */
  tasksPath?: string;
  /** Candidates per task. */
  n: number;
  /** Sampling temperature per candidate (at least n values). */
  temperatures: number[];
  /** Tasks in flight at once (each runs its candidates one after another). */
  concurrency: number;
  harness: CandidateSettings;
  /** Continue as new after starting this many tasks in one run (history stays small). Default 500. */
  tasksPerRun?: number;
  /** Carried across continue-as-new. */
  state?: RolloutBatchState;
}

export interface RolloutProgress extends RolloutBatchState {
  batchId: string;
  running: number;
  status: 'RUNNING' | 'DONE';
}

export interface RolloutTaskInput {
  batchId: string;
  index: number;
  task: string;
  n: number;
  temperatures: number[];
  harness: CandidateSettings;
}

export interface RolloutTaskResult {
  index: number;
  candidates: CandidateSummary[];
  pair: 'appended' | 'duplicate' | null;
  reward: number | null;
  error: string | null;
}

export type CandidateInput = HarnessInput & { runId: string; batchId: string; candidate: number };

export const rolloutProgressQuery = defineQuery<RolloutProgress>('rolloutProgress');

/** Pairs are emitted only when best − worst (rounded to 0.01) exceeds this. */
export const PAIR_MARGIN = 0.5;
const PAGE = 100;

// The task list and the pairs live in the data folder: read and written by the audit writer, on `<queue>-audit`.
// Short file operations: a lost worker is noticed when the (short) start-to-close timeout expires.
const audit = () => auditActivities({ startToCloseTimeout: '30 seconds' });
// The first draft's stages (plan → research → synthesize) are shared with harness runs: ./first-draft.ts.
const { evaluate } = proxyActivities<Activities>({ startToCloseTimeout: '60 minutes', ...llmStage });

const r2 = (x: number) => Math.round(x * 100) / 100;
const short = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

export function batchIdFromWorkflowId(workflowId: string): string {
  return workflowId.replace(/^rollout-/, '').replace(/[^A-Za-z0-9._-]/g, '-');
}

/**
 * A rollout batch: one child workflow per task, at most `concurrency` at a time. Parent-close policy
 * REQUEST_CANCEL: cancelling (or terminating) the batch cancels its tasks, and each in-flight candidate
 * still finalizes its record as CANCELLED; nothing keeps running for a batch nobody owns any more.
 */
export async function rolloutBatch(input: RolloutBatchInput): Promise<RolloutProgress> {
  const batchId = input.batchId ?? batchIdFromWorkflowId(workflowInfo().workflowId);
  const st: RolloutBatchState = input.state ?? {
    next: 0,
    total: null,
    done: 0,
    failed: 0,
    pairs: 0,
    candidates: 0,
    generation: 0,
  };
  const inflight = new Set<Promise<void>>();
  const progress = (status: RolloutProgress['status'] = 'RUNNING'): RolloutProgress => ({
    batchId,
    ...st,
    running: inflight.size,
    status,
  });
  const show = () =>
    setCurrentDetails(
      `**batch:** ${batchId}  \n**tasks:** ${st.done + st.failed}/${st.total ?? '?'} done` +
        `${st.failed ? ` (${st.failed} failed)` : ''}, ${inflight.size} running  \n` +
        `**candidates:** ${st.candidates}  \n**pairs:** ${st.pairs}`,
    );
  setHandler(rolloutProgressQuery, () => progress());
  upsertSearchAttributes([
    { key: FlywheelKind, value: 'rollout_batch' },
    { key: FlywheelProducer, value: input.harness.producerModel },
  ]);

  let page: { offset: number; tasks: string[] } = { offset: 0, tasks: input.tasks ?? [] };
  if (st.total === null) {
    if (input.tasks) st.total = input.tasks.length;
    else if (input.tasksPath) {
      const first = await audit().readRolloutTasks({ tasksPath: input.tasksPath, offset: 0, limit: PAGE });
      st.total = first.total;
      page = { offset: 0, tasks: first.tasks };
    } else st.total = 0;
  }
  const total = st.total;
  show();

  const taskAt = async (i: number): Promise<string> => {
    if (input.tasks) return input.tasks[i];
    if (i < page.offset || i >= page.offset + page.tasks.length) {
      const got = await audit().readRolloutTasks({ tasksPath: input.tasksPath!, offset: i, limit: PAGE });
      page = { offset: i, tasks: got.tasks };
    }
    return page.tasks[i - page.offset];
  };

  const runTask = async (index: number, task: string): Promise<void> => {
    try {
      const res = await executeChild(rolloutTask, {
        workflowId: `rollout-${batchId}-${index}`,
        args: [
          { batchId, index, task, n: input.n, temperatures: input.temperatures, harness: input.harness },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: short(`task ${index + 1}/${total}: ${task}`, 200),
        typedSearchAttributes: [{ key: FlywheelKind, value: 'rollout_task' }],
      });
      st.done++;
      st.candidates += res.candidates.length;
      if (res.pair === 'appended') st.pairs++;
    } catch (err) {
      if (isCancellation(err)) throw err;
      st.failed++;
    } finally {
      show();
    }
  };

  const perRun = input.tasksPerRun ?? 500;
  let started = 0;
  while (st.next < total && started < perRun && !workflowInfo().continueAsNewSuggested) {
    const index = st.next;
    const task = await taskAt(index);
    st.next++;
    started++;
    const p: Promise<void> = runTask(index, task).finally(() => inflight.delete(p));
    p.catch(() => undefined);
    inflight.add(p);
    if (inflight.size >= input.concurrency) await Promise.race(inflight);
  }
  // Drain before continuing as new: the next run starts from a state where every task before `next` is done.
  await Promise.all(inflight);
  if (st.next < total) {
    await continueAsNew<typeof rolloutBatch>({
      ...input,
      batchId,
      state: { ...st, generation: st.generation + 1 },
    });
  }
  return progress('DONE');
}

function candidateRunId(): string {
  // A run id (YYYYMMDDTHHMMSS_<8 hex>) from workflow time and the workflow's deterministic uuid4.
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${stamp}_${uuid4().replace(/-/g, '').slice(0, 8)}`;
}

/**
 * One task of a batch: N candidates, one after another (the batch's concurrency bounds the load), each a
 * child run recorded in runs.jsonl; a pair is recorded when best − worst > 0.5.
 */
export async function rolloutTask(input: RolloutTaskInput): Promise<RolloutTaskResult> {
  const info = workflowInfo();
  const temps = input.temperatures.slice(0, input.n);
  const candidates: CandidateSummary[] = [];
  const show = () =>
    setCurrentDetails(
      `**task:** ${short(input.task)}  \n**candidates:** ${candidates.length}/${temps.length}  \n` +
        `**scores:** ${candidates.map((c) => c.score ?? '-').join(', ') || '-'}`,
    );
  setHandler(rolloutProgressQuery, () => ({
    batchId: input.batchId,
    next: candidates.length,
    total: temps.length,
    done: candidates.filter((c) => c.final !== 'ERROR').length,
    failed: candidates.filter((c) => c.final === 'ERROR').length,
    pairs: 0,
    candidates: candidates.length,
    generation: 0,
    running: candidates.length < temps.length ? 1 : 0,
    status: candidates.length < temps.length ? 'RUNNING' : 'DONE',
  }));
  show();
  for (const [k, temperature] of temps.entries()) {
    const runId = candidateRunId();
    try {
      const r = await executeChild(rolloutCandidate, {
        workflowId: `${info.workflowId}-c${k}`,
        args: [
          {
            ...input.harness,
            task: input.task,
            runId,
            kind: 'rollout',
            sessionId: input.batchId,
            parentId: info.workflowId,
            producerTemperature: temperature,
            maxRounds: 1,
            batchId: input.batchId,
            candidate: k,
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: short(`candidate ${k + 1}/${temps.length} · T=${temperature} · ${input.task}`, 200),
        typedSearchAttributes: [
          { key: FlywheelKind, value: 'rollout' },
          { key: FlywheelStatus, value: 'RUNNING' },
          { key: FlywheelProducer, value: input.harness.producerModel },
        ],
      });
      candidates.push({ ...r, temperature });
    } catch (err) {
      if (isCancellation(err)) throw err;
      candidates.push({
        run_id: runId,
        temperature,
        score: null,
        dimensions: null,
        final: 'ERROR',
        output_path: null,
      });
    }
    show();
  }

  const scored = candidates
    .map((c, i) => ({ c, i }))
    .filter((x) => x.c.score !== null)
    .sort((a, b) => b.c.score! - a.c.score! || a.i - b.i)
    .map((x) => x.c);
  const result: RolloutTaskResult = { index: input.index, candidates, pair: null, reward: null, error: null };
  if (scored.length < 2) return result;
  const best = scored[0];
  const worst = scored[scored.length - 1];
  const reward = r2(best.score! - worst.score!);
  result.reward = reward;
  if (reward <= PAIR_MARGIN) return result;
  try {
    const res = await audit().recordRolloutPair({
      batchId: input.batchId,
      taskIndex: input.index,
      task: input.task,
      chosen: best,
      rejected: worst,
      reward,
      candidates,
      rubricVersion: input.harness.rubricVersion,
      evaluatorModels: input.harness.evaluatorModels,
      producerModel: input.harness.producerModel,
    });
    result.pair = res.result;
  } catch (err) {
    if (isCancellation(err)) throw err;
    result.error = (err as Error).message;
  }
  return result;
}

/** One candidate: a traced run (record + trace, kind 'rollout'): plan → research → synthesize at T → score once. */
export async function rolloutCandidate(
  input: CandidateInput,
): Promise<Omit<CandidateSummary, 'temperature'>> {
  const trace = runTrace();
  const runId = trace.runId;
  setHandler(progressQuery, () => trace.progress());

  const draft = await firstDraft(trace, input);

  // Scored once, never revised: the candidate's score is the reward signal.
  trace.enterStage('evaluate');
  const scored = await evaluate({
    runId,
    stage: 'evaluate',
    round: 1,
    task: input.task,
    draftPath: draft.draftPath,
    evaluators: input.evaluatorModels,
    temperature: input.evaluatorTemperature,
    numPredict: input.numPredict,
  });
  trace.recordRound(scored);

  trace.enterStage('finalize');
  const final = verdict(scored.composite, input.threshold);
  const { outputPath } = await audit().publishOutput({
    runId,
    stage: 'finalize',
    draftPath: draft.draftPath,
  });
  trace.setOutcome(final, outputPath, draft.draftPath);
  return {
    run_id: runId,
    score: scored.composite,
    dimensions: scored.dimensions,
    final,
    output_path: outputPath,
  };
}
