// The records written to data/*.jsonl. These zod schemas are the source of truth; field names follow the seed.
// Objects are loose: unknown keys are kept, so imported or newer records survive a round trip.
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

/** `YYYYMMDDTHHMMSS_<8 hex>`, UTC. */
export const RUN_ID_RE = /^\d{8}T\d{6}_[0-9a-f]{8}$/;

export const DIMENSIONS = [
  'relevance',
  'completeness',
  'depth',
  'specificity',
  'structure',
  'groundedness',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

// `eval`: a battery or training-sample run of `flywheel eval` (no memories; not exported by default).
export const RunKind = z.enum(['run', 'rollout', 'lit_review', 'eval']);
export const RunStatus = z.enum(['PASS', 'FAIL', 'ERROR', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);
export type RunStatus = z.infer<typeof RunStatus>;

const count = z.number().int().nonnegative();
const isoTime = z.iso.datetime({ offset: true });

export const ToolCall = z.looseObject({
  name: z.string(),
  query: z.string(),
  urls: z.array(z.string()),
  /** null when novelty could not be assessed (e.g. embeddings unavailable). */
  novelty_score: z.number().nullable(),
});
export type ToolCall = z.infer<typeof ToolCall>;

/**
 * Dimension → score per scored round. Index 0 always exists so the seed's `d["specificity"][0]` runs on every
 * record: a run with no scored round has `[null]` for each dimension (null = not scored, never an invented score).
 */
export const WiggumDimensions = z.looseObject(
  Object.fromEntries(DIMENSIONS.map((d) => [d, z.array(z.number().nullable()).min(1)])) as Record<
    Dimension,
    z.ZodArray<z.ZodNullable<z.ZodNumber>>
  >,
);
export type WiggumDimensions = z.infer<typeof WiggumDimensions>;

/** One evaluator's verdict on one round; composite and dimensions are null when its reply was unusable. */
export const EvaluatorScore = z.looseObject({
  model: z.string(),
  round: z.number().int().positive(),
  composite: z.number().nullable(),
  dimensions: z.record(z.string(), z.number()).nullable(),
  error: z.string().optional(),
});
export type EvaluatorScore = z.infer<typeof EvaluatorScore>;

/**
 * An evaluator's qualification as of the run's start (src/judge/qualification.ts writes and looks them up):
 * `unknown` when it was never qualified for this rubric, prompt and model digest.
 */
export const EvaluatorQualification = z.looseObject({
  status: z.enum(['qualified', 'unqualified', 'unknown']),
  accuracy: z.number().nullable(),
  accuracy_ci95: z.tuple([z.number(), z.number()]).nullable(),
  digest: z.string().nullable(),
  at: z.string().nullable(),
  reason: z.string().nullable(),
});
export type EvaluatorQualification = z.infer<typeof EvaluatorQualification>;

export const StageStats = z.looseObject({
  duration_s: z.number().nonnegative(),
  input_tokens: count,
  output_tokens: count,
  attempts: count,
});
export type StageStats = z.infer<typeof StageStats>;

export const RunRecord = z
  .looseObject({
    run_id: z.string().regex(RUN_ID_RE),
    kind: RunKind,
    task: z.string(),
    producer_model: z.string(),
    /** The first (or only) evaluator, as in the seed. */
    evaluator_model: z.string(),
    evaluator_models: z.array(z.string()),
    run_duration_s: z.number().nonnegative(),
    input_tokens: count,
    output_tokens: count,
    wiggum_rounds: count,
    /** Composite per scored round. */
    wiggum_scores: z.array(z.number()),
    wiggum_dimensions: WiggumDimensions,
    final: RunStatus,
    error: z.string().nullable(),
    /** The stage that failed, for ERROR (and TIMED_OUT when known). */
    failed_stage: z.string().nullable(),
    tool_calls: z.array(ToolCall),
    /** Relative to the data folder, e.g. 'outputs/<run_id>.md'. */
    output_path: z.string().nullable(),
    /** Round-1 draft, relative to the data folder. */
    draft_path: z.string().nullable(),
    rubric_version: z.string(),
    evaluator_scores: z.array(EvaluatorScore),
    /** Per evaluator model, its qualification as of the run's start. Absent on older records (= unknown). */
    evaluator_qualifications: z.record(z.string(), EvaluatorQualification).optional(),
    /** Max − min of the evaluators' composites, per scored round. */
    score_spread: z.array(z.number().nonnegative()),
    stages: z.record(z.string(), StageStats),
    workflow_id: z.string(),
    parent_id: z.string().nullable(),
    session_id: z.string().nullable(),
    /** Relative to the data folder, e.g. 'traces/<run_id>.trace.json'. */
    trace_path: z.string().nullable(),
    started_at: isoTime,
    schema_version: z.number().int().positive(),
  })
  .superRefine((r, ctx) => {
    for (const d of DIMENSIONS) {
      const want = Math.max(1, r.wiggum_scores.length);
      if (r.wiggum_dimensions[d].length !== want) {
        ctx.addIssue({
          code: 'custom',
          path: ['wiggum_dimensions', d],
          message: `has ${r.wiggum_dimensions[d].length} entries but should have ${want} (one per scored round, or [null])`,
        });
      }
    }
    if (r.wiggum_scores.length > r.wiggum_rounds) {
      ctx.addIssue({ code: 'custom', path: ['wiggum_rounds'], message: 'fewer rounds than scores' });
    }
  });
export type RunRecord = z.infer<typeof RunRecord>;

export const KNOWN_SECURITY_EVENT_TYPES = [
  'injection_scanner',
  'path_sandbox',
  'ast_guard',
  'cdp_guard',
] as const;

export const SecurityEvent = z.looseObject({
  ts: isoTime,
  run_id: z.string().nullable(),
  /** One of KNOWN_SECURITY_EVENT_TYPES, or another layer's own name. */
  event_type: z.string().min(1),
  /** Where the decision was taken: fetch, memory_write, synthesis_write, file_api, … */
  layer: z.string().min(1),
  severity: z.enum(['block', 'warn']),
  detail: z.string(),
  /** Unique per decision: the audit writer appends each event once, however often it is retried. */
  event_id: z.string().optional(),
  /** For injection_scanner events: which layer fired (rules, the n-gram classifier or the encoder), and that learned layer's score. */
  detector: z.enum(['rules', 'classifier', 'encoder']).optional(),
  score: z.number().min(0).max(1).optional(),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;

export const FeedbackRecord = z.looseObject({
  ts: isoTime,
  target: z.enum(['run', 'memory']),
  id: z.string().min(1),
  rating: z.number().int().min(1).max(10),
  comment: z.string().default(''),
});
export type FeedbackRecord = z.infer<typeof FeedbackRecord>;

export function emptyWiggumDimensions(): WiggumDimensions {
  return Object.fromEntries(DIMENSIONS.map((d) => [d, [null]])) as WiggumDimensions;
}
