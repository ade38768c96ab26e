/**
 * Evaluator qualifications: the one place for their file format, their key and their status.
 * Written by `flywheel judge qualify` (and the nightly drift check); read by runs, exports and the dashboard.
 *
 * Files: `data/evaluators/<digest>.<rubric_version>.json` (the latest full report for that key) and one line per
 * measurement in `data/evaluators.jsonl` (append-only history; drift checks append too).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { appendJsonl, readJsonl } from '../audit/jsonl';
import { EVAL_SYSTEM, PAIRWISE_SYSTEM } from '../harness/prompts';
import { RUBRIC } from '../harness/rubric';
import { resolveModel } from '../llm/provider';

export const QUALIFICATION_STATUSES = ['qualified', 'unqualified', 'unknown'] as const;
export type QualificationStatus = (typeof QUALIFICATION_STATUSES)[number];

const Interval = z.tuple([z.number(), z.number()]);

/** Figures measured on one pair set for one evaluator. Rates are 0–1; null when nothing could be counted. */
export const JudgeMetrics = z.object({
  n_pairs: z.number().int(),
  /** Composite of the better answer strictly above the worse one (ties count as wrong). */
  accuracy: z.number(),
  accuracy_ci95: Interval,
  ties: z.number().int(),
  /** Direct preference asked in both orders; each order counts as one judgement. */
  direct_accuracy: z.number().nullable(),
  /** Share of pairs whose two direct judgements name the same answer. */
  position_consistency: z.number().nullable(),
  /** Share of direct judgements that chose the first slot. */
  first_slot_rate: z.number().nullable(),
  length_bias: z.object({
    /** Pairwise accuracy on pairs where the better answer is the shorter one … */
    shorter_better_accuracy: z.number().nullable(),
    shorter_better_n: z.number().int(),
    /** … and where it is the longer one. */
    longer_better_accuracy: z.number().nullable(),
    longer_better_n: z.number().int(),
  }),
  /** Shares of rubric replies that needed a JSON repair / had values clamped into 0–10. */
  repaired_share: z.number(),
  clamped_share: z.number(),
  /** Share of rubric replies whose six dimensions were all equal. */
  degenerate_share: z.number(),
  /** Rubric or preference replies that could not be parsed at all. */
  unparseable: z.number().int(),
  /** Share of rubric replies cut at the token limit and closed where they stopped (added by judge qualify). */
  truncated_share: z.number().optional(),
});
export type JudgeMetrics = z.infer<typeof JudgeMetrics>;

export const QualificationThresholds = z.object({
  min_accuracy_lower_bound: z.number(),
  min_position_consistency: z.number(),
});
export type QualificationThresholds = z.infer<typeof QualificationThresholds>;

/** One measurement of one evaluator: a line of evaluators.jsonl and the body of evaluators/<digest>.<rubric>.json. */
export const QualificationRecord = z.object({
  qualification_id: z.string(),
  kind: z.enum(['full', 'drift']),
  model: z.string(),
  /** The model server's digest of the weights; the key, with rubric_version and prompt_hash. */
  digest: z.string(),
  rubric_version: z.string(),
  prompt_hash: z.string(),
  at: z.string(),
  pair_set: z.object({ name: z.string(), sha256: z.string(), n_total: z.number().int() }),
  metrics: JudgeMetrics,
  thresholds: QualificationThresholds,
  status: z.enum(['qualified', 'unqualified']),
  /** Why it is unqualified (thresholds missed, or a drift drop), null when qualified. */
  reason: z.string().nullable(),
  workflow_id: z.string().nullable(),
  /** Drift checks: the full qualification whose interval this one was compared with (added by judge qualify). */
  baseline_qualification_id: z.string().nullable().optional(),
});
export type QualificationRecord = z.infer<typeof QualificationRecord>;

/** What a run record carries per evaluator (as of the run's start). */
export const RunQualification = z.object({
  status: z.enum(QUALIFICATION_STATUSES),
  accuracy: z.number().nullable(),
  accuracy_ci95: Interval.nullable(),
  digest: z.string().nullable(),
  at: z.string().nullable(),
  /** Why the status is unknown or unqualified (e.g. "no qualification", "digest changed since qualified"). */
  reason: z.string().nullable(),
});
export type RunQualification = z.infer<typeof RunQualification>;

/**
 * Hash of everything that makes an evaluator's judgement: the rubric prompt, dimensions, weights and version,
 * and the direct preference prompt qualification also asks. Any change makes earlier qualifications stale.
 */
export function evaluatorPromptHash(system = EVAL_SYSTEM, pairwise = PAIRWISE_SYSTEM): string {
  return createHash('sha256')
    .update(JSON.stringify({ system, rubric: RUBRIC, pairwise }))
    .digest('hex')
    .slice(0, 16);
}

export const evaluatorsLog = (dataDir: string) => path.join(dataDir, 'evaluators.jsonl');
export const evaluatorsDir = (dataDir: string) => path.join(dataDir, 'evaluators');
const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
export const qualificationFile = (dataDir: string, digest: string, rubricVersion = RUBRIC.version) =>
  path.join(evaluatorsDir(dataDir), `${safe(digest)}.${safe(rubricVersion)}.json`);

/** Appends the measurement to evaluators.jsonl (once per qualification_id) and rewrites its per-key report. */
export async function saveQualification(dataDir: string, rec: QualificationRecord): Promise<void> {
  const file = qualificationFile(dataDir, rec.digest, rec.rubric_version);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`);
  fs.renameSync(tmp, file);
  await appendJsonl(evaluatorsLog(dataDir), rec, { key: 'qualification_id' });
}

/** Every valid measurement in evaluators.jsonl, oldest first. */
export async function readQualifications(dataDir: string): Promise<QualificationRecord[]> {
  const out: QualificationRecord[] = [];
  for await (const line of readJsonl(evaluatorsLog(dataDir), { key: 'qualification_id' })) {
    const r = QualificationRecord.safeParse(line);
    if (r.success) out.push(r.data);
  }
  return out;
}

/**
 * The status of `model` as of `asOf` (default now): the latest measurement at or before it for the current
 * rubric version and prompt hash, and — when `digest` is given — the same weights. No such measurement: unknown.
 */
export function statusOf(
  all: QualificationRecord[],
  model: string,
  opts: { digest?: string | null; asOf?: string; promptHash?: string; rubricVersion?: string } = {},
): RunQualification {
  const promptHash = opts.promptHash ?? evaluatorPromptHash();
  const rubricVersion = opts.rubricVersion ?? RUBRIC.version;
  const asOf = opts.asOf ? Date.parse(opts.asOf) : Infinity;
  const mine = all.filter((q) => q.model === model && Date.parse(q.at) <= asOf);
  const unknown = (reason: string): RunQualification => ({
    status: 'unknown',
    accuracy: null,
    accuracy_ci95: null,
    digest: opts.digest ?? null,
    at: null,
    reason,
  });
  if (!mine.length) return unknown('never qualified');
  const current = mine.filter((q) => q.rubric_version === rubricVersion && q.prompt_hash === promptHash);
  if (!current.length) return unknown('stale: the rubric or evaluator prompt changed since it was qualified');
  const same = opts.digest ? current.filter((q) => q.digest === opts.digest) : current;
  if (!same.length) return unknown('stale: the model digest changed since it was qualified');
  const q = same[same.length - 1];
  return {
    status: q.status,
    accuracy: q.metrics.accuracy,
    accuracy_ci95: q.metrics.accuracy_ci95,
    digest: q.digest,
    at: q.at,
    reason: q.reason,
  };
}

/**
 * The model server's digest of `model` (Ollama: /api/tags). OpenAI-compatible servers publish none: the digest
 * is then `openai:<name>` (qualifications still key on it, but cannot notice changed weights).
 * Returns null when the server does not list the model or does not answer.
 */
export async function modelDigest(
  ollamaHost: string,
  model: string,
  timeoutMs = 5000,
): Promise<string | null> {
  const target = resolveModel(model);
  if (target.provider === 'openai') return `openai:${target.name}`;
  try {
    const res = await fetch(new URL('/api/tags', ollamaHost), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = (await res.json()) as { models?: { name?: string; model?: string; digest?: string }[] };
    const want = withTag(model);
    const hit = body.models?.find((m) => withTag(m.name ?? m.model ?? '') === want);
    return hit?.digest ?? null;
  } catch {
    return null;
  }
}

const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
