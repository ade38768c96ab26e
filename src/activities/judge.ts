// Evaluator qualification (`flywheel judge qualify`, nightly drift): setup and recording on the audit queue,
// one pair per activity on the stage queue. Pair texts stay in files; activities return small numbers only.
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { positionCheck } from '../flywheel/position';
import {
  decideStatus,
  judgeMetrics,
  pairCorrect,
  seededRandom,
  type DriftBaseline,
  type PairJudgement,
} from '../judge/metrics';
import { appendNotice } from '../judge/notices';
import { loadPairSet, type JudgePair, type StoredPairSet } from '../judge/pairs';
import {
  evaluatorPromptHash,
  modelDigest,
  qualificationFile,
  QualificationRecord,
  readQualifications,
  saveQualification,
  type QualificationThresholds,
} from '../judge/qualification';
import { RUBRIC } from '../harness/rubric';
import { resolveInside } from '../security/sandbox';
import { activityLlm, readDataFile, workRel, writeDataFile, type ActivityDeps } from './deps';
import { scoreWithRubric, type RubricScore } from './evaluate';

/** Tokens a direct preference reply may use ({"better": "A"} needs a handful). */
export const PREFERENCE_NUM_PREDICT = 64;

/** The qualification's spool and per-pair files live under work/<runId>/ like a run's stage files. */
export const judgeRunId = (qualificationId: string) => `judge-${qualificationId}`;
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
export const pairResultRel = (qualificationId: string, model: string, index: number) =>
  workRel(judgeRunId(qualificationId), path.posix.join(safe(model), `${index}.json`));

export interface JudgeModel {
  model: string;
  digest: string | null;
  /** Why the model cannot be measured (not on the model server), else null. */
  error: string | null;
  /** Drift checks: the latest full qualification with the same key. */
  baseline: DriftBaseline | null;
}

export interface JudgeSetupInput {
  qualificationId: string;
  kind: 'full' | 'drift';
  /** Default: the worker's configured evaluator pool. */
  models?: string[];
  pairSet: StoredPairSet;
  /** Ask a random sample of this many pairs (drawn from the qualification id: a retry draws the same). */
  sample?: number;
}

export interface JudgeSetup {
  /** The pairs' copy under work/ (stage workers may share only work/ with the audit worker). */
  pairsPath: string;
  models: JudgeModel[];
  /** Indices of the pairs to ask, ascending. */
  indices: number[];
}

export interface JudgePairInput {
  runId: string;
  stage: 'judge';
  qualificationId: string;
  model: string;
  pairsPath: string;
  index: number;
  temperature: number;
  numPredict: number;
}

/** What a pair activity returns: enough for progress, nothing of the texts. */
export interface JudgePairSummary {
  index: number;
  correct: boolean;
  tie: boolean;
  /** Both direct judgements usable and naming the same answer. */
  consistent: boolean | null;
  /** Taken from the pair file written by an earlier attempt (no model call). */
  reused: boolean;
}

export interface JudgeRecordInput {
  qualificationId: string;
  kind: 'full' | 'drift';
  workflowId: string | null;
  pairSet: StoredPairSet;
  indices: number[];
  models: JudgeModel[];
  /** Default: the worker's FLYWHEEL_JUDGE_MIN_* settings. */
  thresholds?: QualificationThresholds;
}

export interface JudgeResult {
  model: string;
  digest: string | null;
  status: 'qualified' | 'unqualified' | 'error';
  reason: string | null;
  /** Data-relative path of evaluators/<digest>.<rubric>.json, null on error. */
  file: string | null;
  record: QualificationRecord | null;
}

/** k distinct indices of 0..n-1, ascending, drawn with a PRNG seeded by `seedText`. */
export function sampleIndices(n: number, k: number | undefined, seedText: string): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (k === undefined || k >= n) return all;
  const rand = seededRandom(createHash('sha256').update(seedText).digest().readUInt32LE(0));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}

// A qualification's pair copy is written once by its setup and never changed: read once per worker.
const pairSets = new Map<string, JudgePair[]>();
function pairAt(dataDir: string, rel: string, index: number): JudgePair {
  let pairs = pairSets.get(rel);
  if (!pairs) {
    pairs = loadPairSet(dataDir, rel);
    if (pairSets.size > 8) pairSets.clear();
    pairSets.set(rel, pairs);
  }
  const p = pairs[index];
  if (!p) throw new RangeError(`pair ${index} is not in ${rel} (${pairs.length} pairs)`);
  return p;
}

const reading = (r: RubricScore) => ({
  composite: r.composite,
  repaired: r.repaired,
  clamped: r.clamped,
  degenerate: r.degenerate,
  truncated: r.truncated,
});

const summary = (j: PairJudgement, reused: boolean): JudgePairSummary => {
  const c = j.rubric_1.composite;
  const fwd = j.forward === null ? null : j.forward === 'A' ? 1 : 2;
  const swp = j.swapped === null ? null : j.swapped === 'A' ? 2 : 1;
  return {
    index: j.index,
    correct: pairCorrect(j),
    tie: c !== null && c === j.rubric_2.composite,
    consistent: fwd === null || swp === null ? null : fwd === swp,
    reused,
  };
};

function readJudgement(dataDir: string, rel: string): PairJudgement | null {
  try {
    return JSON.parse(readDataFile(dataDir, rel)) as PairJudgement;
  } catch {
    return null;
  }
}

export function judgeActivities({ settings }: ActivityDeps) {
  return {
    /** Audit queue: which models (digests, drift baselines), which pairs, and their copy under work/. */
    async judgeSetup(a: JudgeSetupInput): Promise<JudgeSetup> {
      if (!fs.existsSync(resolveInside(settings.dataDir, a.pairSet.path)))
        throw ApplicationFailure.nonRetryable(
          `The pair set ${a.pairSet.path} is not in the worker's data folder (${settings.dataDir}): run ` +
            '`flywheel judge qualify` with the same FLYWHEEL_DATA_DIR as the audit worker.',
          'PairSetMissing',
        );
      const names = [...new Set(a.models?.length ? a.models : settings.evaluatorModels)];
      const history = a.kind === 'drift' ? await readQualifications(settings.dataDir) : [];
      const promptHash = evaluatorPromptHash();
      const models = await Promise.all(
        names.map(async (model): Promise<JudgeModel> => {
          const digest = await modelDigest(settings.OLLAMA_HOST, model);
          if (!digest)
            return {
              model,
              digest: null,
              error: `${model} is not on the model server at ${settings.OLLAMA_HOST} (or it does not answer)`,
              baseline: null,
            };
          const sameKey = history.filter(
            (q) =>
              q.model === model &&
              q.digest === digest &&
              q.rubric_version === RUBRIC.version &&
              q.prompt_hash === promptHash,
          );
          const full = sameKey.filter((q) => q.kind === 'full');
          const b = full[full.length - 1];
          // The interval is the full qualification's; the status is the latest since (a drift drop sticks
          // until the evaluator is qualified again).
          const latest = sameKey[sameKey.length - 1];
          return {
            model,
            digest,
            error: null,
            baseline: b
              ? {
                  qualification_id: b.qualification_id,
                  accuracy: b.metrics.accuracy,
                  accuracy_ci95: b.metrics.accuracy_ci95,
                  status: latest.status,
                  reason: latest.reason,
                }
              : null,
          };
        }),
      );
      const pairsPath = workRel(judgeRunId(a.qualificationId), 'pairs.jsonl');
      writeDataFile(settings.dataDir, pairsPath, readDataFile(settings.dataDir, a.pairSet.path));
      return { pairsPath, models, indices: sampleIndices(a.pairSet.n_total, a.sample, a.qualificationId) };
    },

    /**
     * Stage queue: one evaluator on one pair — the Wiggum rubric on each answer, then the direct preference in
     * both orders. The judgement is written to work/ before returning; a later attempt reuses it.
     */
    async judgePair(a: JudgePairInput): Promise<JudgePairSummary> {
      const rel = pairResultRel(a.qualificationId, a.model, a.index);
      const done = readJudgement(settings.dataDir, rel);
      if (done) return summary(done, true);
      const pair = pairAt(settings.dataDir, a.pairsPath, a.index);
      const rubric = (draft: string) =>
        scoreWithRubric(settings, {
          model: a.model,
          task: pair.instruction,
          draft,
          temperature: a.temperature,
          numPredict: a.numPredict,
        });
      const r1 = await rubric(pair.output_1);
      const r2 = await rubric(pair.output_2);
      const pos = await positionCheck(
        {
          llm: activityLlm(settings),
          model: a.model,
          temperature: a.temperature,
          numPredict: PREFERENCE_NUM_PREDICT,
          purpose: 'judge',
        },
        pair.instruction,
        pair.output_1,
        pair.output_2,
      );
      const j: PairJudgement = {
        index: a.index,
        label: pair.label,
        length_1: pair.output_1.length,
        length_2: pair.output_2.length,
        rubric_1: reading(r1),
        rubric_2: reading(r2),
        forward: pos.forward,
        swapped: pos.swapped,
      };
      writeDataFile(settings.dataDir, rel, `${JSON.stringify(j)}\n`);
      return summary(j, false);
    },

    /** Audit queue: metrics from the pair files, the status, evaluators/<digest>.<rubric>.json + evaluators.jsonl. */
    async judgeRecord(a: JudgeRecordInput): Promise<JudgeResult[]> {
      const thresholds = a.thresholds ?? {
        min_accuracy_lower_bound: settings.FLYWHEEL_JUDGE_MIN_ACCURACY_LB,
        min_position_consistency: settings.FLYWHEEL_JUDGE_MIN_POSITION_CONSISTENCY,
      };
      const out: JudgeResult[] = [];
      for (const m of a.models) {
        const fail = (reason: string): JudgeResult => ({
          model: m.model,
          digest: m.digest,
          status: 'error',
          reason,
          file: null,
          record: null,
        });
        if (!m.digest) {
          out.push(fail(m.error ?? 'no digest'));
          continue;
        }
        const judged = a.indices
          .map((i) => readJudgement(settings.dataDir, pairResultRel(a.qualificationId, m.model, i)))
          .filter((j): j is PairJudgement => j !== null);
        if (judged.length < a.indices.length) {
          out.push(
            fail(`${a.indices.length - judged.length} of ${a.indices.length} pairs could not be judged`),
          );
          continue;
        }
        const metrics = judgeMetrics(judged);
        const baseline = a.kind === 'drift' ? m.baseline : null;
        const decided = decideStatus(metrics, thresholds, baseline);
        const at = new Date().toISOString();
        const record = QualificationRecord.parse({
          qualification_id: `${a.qualificationId}:${m.model}`,
          kind: a.kind,
          model: m.model,
          digest: m.digest,
          rubric_version: RUBRIC.version,
          prompt_hash: evaluatorPromptHash(),
          at,
          pair_set: { name: a.pairSet.name, sha256: a.pairSet.sha256, n_total: a.pairSet.n_total },
          metrics,
          thresholds,
          status: decided.status,
          reason: decided.reason,
          workflow_id: a.workflowId,
          baseline_qualification_id: baseline?.qualification_id ?? null,
        });
        await saveQualification(settings.dataDir, record);
        if (baseline && decided.status === 'unqualified' && baseline.status === 'qualified')
          await appendNotice(settings.dataDir, {
            notice_id: `drift:${record.qualification_id}`,
            at,
            kind: 'evaluator_drift',
            severity: 'warning',
            message:
              `Evaluator ${m.model} is now unqualified: ${decided.reason}. Its scores are not trusted as labels ` +
              'until `flywheel judge qualify` passes again.',
            model: m.model,
            digest: m.digest,
            qualification_id: record.qualification_id,
            baseline_qualification_id: baseline.qualification_id,
          });
        const file = path.relative(settings.dataDir, qualificationFile(settings.dataDir, m.digest));
        out.push({
          model: m.model,
          digest: m.digest,
          status: decided.status,
          reason: decided.reason,
          file,
          record,
        });
      }
      return out;
    },
  };
}
