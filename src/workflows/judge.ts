// Evaluator qualification as a workflow: setup (digests, baselines, sample) on the audit queue, one activity per
// (pair, evaluator) with bounded concurrency on the stage queue, then metrics and the record on the audit queue.
// Only paths, indices and small numbers cross the history; pair texts and replies stay in the data folder.
import {
  defineQuery,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { JudgeModel, JudgeResult } from '../activities/judge';
import type { StoredPairSet } from '../judge/pairs';
import type { QualificationThresholds } from '../judge/qualification';
import { FlywheelKind } from '../temporal/search-attributes';
import { auditActivities } from '../run-trace/audit-queue';
import { llmStage } from './first-draft';

export interface JudgeQualifyInput {
  /** Default: the workflow id without its `judge-` prefix (schedules append a timestamp to it). */
  qualificationId?: string;
  kind: 'full' | 'drift';
  /** Default: the worker's evaluator pool (FLYWHEEL_EVALUATOR_MODELS). */
  models?: string[];
  /** The pair set, stored in the data folder (canonical JSONL). */
  pairSet: StoredPairSet;
  /** Ask a random sample of this many pairs instead of all. */
  sample?: number;
  /** (pair, evaluator) activities in flight at once. */
  concurrency: number;
  temperature: number;
  numPredict: number;
  /** Default: the audit worker's FLYWHEEL_JUDGE_MIN_* settings when it records. */
  thresholds?: QualificationThresholds;
}

export interface JudgeModelProgress {
  model: string;
  digest: string | null;
  done: number;
  failed: number;
  correct: number;
  ties: number;
  consistent: number;
  /** Pairs whose result an earlier attempt had already written (no model call). */
  reused: number;
  error: string | null;
}

export interface JudgeProgress {
  qualificationId: string;
  kind: 'full' | 'drift';
  status: 'SETUP' | 'RUNNING' | 'RECORDING' | 'DONE';
  /** Pairs asked per evaluator. */
  pairs: number;
  running: number;
  models: JudgeModelProgress[];
  results: JudgeResult[] | null;
}

export const judgeProgressQuery = defineQuery<JudgeProgress>('judgeProgress');

const { judgePair } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', ...llmStage });
const audit = () => auditActivities({ startToCloseTimeout: '5 minutes' });

export const qualificationIdFromWorkflowId = (workflowId: string) =>
  workflowId.replace(/^judge-/, '').replace(/[^A-Za-z0-9._-]/g, '-');

/** Qualifies each evaluator on the pair set; returns one result per evaluator (status, record). */
export async function judgeQualify(input: JudgeQualifyInput): Promise<JudgeProgress> {
  const info = workflowInfo();
  const qualificationId = input.qualificationId ?? qualificationIdFromWorkflowId(info.workflowId);
  const p: JudgeProgress = {
    qualificationId,
    kind: input.kind,
    status: 'SETUP',
    pairs: 0,
    running: 0,
    models: [],
    results: null,
  };
  setHandler(judgeProgressQuery, () => p);
  const show = () => {
    const rows = p.models.map((m) => {
      const acc = m.done ? ` · accuracy so far ${(m.correct / m.done).toFixed(2)}` : '';
      return m.error
        ? `**${m.model}:** ${m.error}`
        : `**${m.model}:** ${m.done}/${p.pairs} pairs${m.failed ? ` (${m.failed} failed)` : ''}${acc}`;
    });
    const res = (p.results ?? []).map(
      (r) => `**${r.model}:** ${r.status}${r.reason ? ` (${r.reason})` : ''}`,
    );
    setCurrentDetails(
      `**${input.kind === 'drift' ? 'drift check' : 'qualification'}:** ${qualificationId} · ` +
        `${input.pairSet.name} · ${p.status}  \n${(res.length ? res : rows).join('  \n')}`,
    );
  };
  upsertSearchAttributes([{ key: FlywheelKind, value: `judge_${input.kind}` }]);
  show();

  const setup = await audit().judgeSetup({
    qualificationId,
    kind: input.kind,
    models: input.models,
    pairSet: input.pairSet,
    sample: input.sample,
  });
  p.pairs = setup.indices.length;
  p.models = setup.models.map((m: JudgeModel) => ({
    model: m.model,
    digest: m.digest,
    done: 0,
    failed: 0,
    correct: 0,
    ties: 0,
    consistent: 0,
    reused: 0,
    error: m.error,
  }));
  p.status = 'RUNNING';
  show();

  const ask = async (m: JudgeModelProgress, index: number): Promise<void> => {
    try {
      const r = await judgePair({
        runId: `judge-${qualificationId}`,
        stage: 'judge',
        qualificationId,
        model: m.model,
        pairsPath: setup.pairsPath,
        index,
        temperature: input.temperature,
        numPredict: input.numPredict,
      });
      m.done++;
      if (r.correct) m.correct++;
      if (r.tie) m.ties++;
      if (r.consistent) m.consistent++;
      if (r.reused) m.reused++;
    } catch (err) {
      if (isCancellation(err)) throw err;
      m.failed++;
    } finally {
      show();
    }
  };

  // Pairs outer, evaluators inner: every evaluator advances together; at most `concurrency` calls in flight.
  const inflight = new Set<Promise<void>>();
  const concurrency = Math.max(1, input.concurrency);
  for (const index of setup.indices) {
    for (const m of p.models) {
      if (m.error) continue;
      const job: Promise<void> = ask(m, index).finally(() => {
        inflight.delete(job);
        p.running = inflight.size;
      });
      job.catch(() => undefined);
      inflight.add(job);
      p.running = inflight.size;
      if (inflight.size >= concurrency) await Promise.race(inflight);
    }
  }
  await Promise.all(inflight);

  p.status = 'RECORDING';
  show();
  p.results = await audit().judgeRecord({
    qualificationId,
    kind: input.kind,
    workflowId: info.workflowId,
    pairSet: input.pairSet,
    indices: setup.indices,
    models: setup.models,
    thresholds: input.thresholds,
  });
  p.status = 'DONE';
  show();
  return p;
}
