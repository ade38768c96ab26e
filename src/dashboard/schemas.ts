// Request and response schemas of the dashboard API (the OpenAPI document is generated from these).
import { z } from '@hono/zod-openapi';
import { DIMENSIONS, FeedbackRecord, RunKind, RunRecord, RunStatus } from '../audit/records';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

/** The 4xx answers a route may give, for the document. */
export function errors(...codes: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422)[]) {
  const text: Record<number, string> = {
    400: 'Invalid input',
    401: 'Missing or wrong bearer token',
    403: 'Refused',
    404: 'Not found',
    409: 'Conflict',
    413: 'Too large',
    415: 'Body is not JSON',
    422: 'Refused by the content scanner',
  };
  return Object.fromEntries(
    codes.map((c) => [c, { description: text[c], content: { 'application/json': { schema: ErrorSchema } } }]),
  ) as Record<
    (typeof codes)[number],
    { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }
  >;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

// ---- shared query parts (query values are strings; numbers are coerced, unknown parameters rejected)
export const limitParam = (def: number, max: number) => z.coerce.number().int().min(1).max(max).default(def);
export const cursorParam = z.string().min(1).max(1000).optional();
export const timeParam = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .optional()
  .openapi({ description: 'ISO date-time, or a date (a `to` date includes the whole day)' });
export const orderParam = z.enum(['asc', 'desc']).default('desc');
const csvOf = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .max(200)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values as [T, ...T[]])).min(1));

const name = z.string().min(1).max(200);

// ---- runs
export const RunsQuery = z.strictObject({
  status: csvOf(RunStatus.options).optional().openapi({ description: 'Comma-separated, e.g. FAIL,ERROR' }),
  model: name.optional().openapi({ description: 'Producer model (exact)' }),
  kind: RunKind.optional(),
  session: name.optional().openapi({ description: 'Session id (see /api/sessions)' }),
  q: z.string().min(1).max(200).optional().openapi({ description: 'Text in the task (case-insensitive)' }),
  from: timeParam,
  to: timeParam,
  sort: z.enum(['started_at', 'score', 'duration', 'tokens']).default('started_at'),
  order: orderParam,
  limit: limitParam(50, 200),
  cursor: cursorParam,
});

export const RunSummary = z
  .object({
    run_id: z.string(),
    kind: RunKind,
    task: z.string(),
    producer_model: z.string(),
    evaluator_model: z.string(),
    final: RunStatus,
    started_at: z.string(),
    run_duration_s: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    wiggum_rounds: z.number(),
    first_score: z.number().nullable(),
    best_score: z.number().nullable(),
    error: z.string().nullable(),
    failed_stage: z.string().nullable(),
    session: z.string(),
    parent_id: z.string().nullable(),
    workflow_id: z.string(),
    has_trace: z.boolean(),
  })
  .openapi('RunSummary');

export const RunsPage = z
  .object({ items: z.array(RunSummary), next_cursor: z.string().nullable(), total: z.number().int() })
  .openapi('RunsPage');

export const RunIdParam = z.strictObject({
  run_id: z.string().regex(/^\d{8}T\d{6}_[0-9a-f]{8}$/, 'a run id'),
});

const TextFile = z.object({
  path: z.string(),
  text: z.string(),
  bytes: z.number().int(),
  truncated: z.boolean(),
});

export const FeedbackItem = z.object({ ts: z.string(), rating: z.number().int(), comment: z.string() });
export const FeedbackStats = z.object({
  count: z.number().int(),
  mean: z.number().nullable(),
  items: z.array(FeedbackItem),
});

export const RunDetail = z
  .object({
    run: RunRecord,
    summary: RunSummary,
    output: TextFile.nullable(),
    draft: TextFile.nullable().openapi({ description: 'The round-1 draft' }),
    links: z.object({
      trace: z.string().nullable(),
      temporal_ui: z.string(),
      perfetto: z.string(),
      session: z.string(),
    }),
    feedback: FeedbackStats,
  })
  .openapi('RunDetail');

export const TraceQuery = z.strictObject({ download: z.enum(['1', 'true']).optional() });

export const FeedbackBody = z.strictObject({
  rating: z.number().int().min(1).max(10),
  comment: z.string().max(4000).default(''),
});
// Schemas from src/audit may predate the OpenAPI extension of zod, so they are used as they are (no .openapi()).
export const FeedbackResponse = FeedbackRecord;

// ---- sessions
export const SessionKind = z.enum(['cli', 'rollout_batch', 'lit_review', 'eval']);
export const SessionsQuery = z.strictObject({
  kind: SessionKind.optional(),
  q: z.string().min(1).max(200).optional(),
  limit: limitParam(50, 200),
  cursor: cursorParam,
});
export const SessionSummary = z
  .object({
    id: z.string(),
    kind: SessionKind,
    source: z.enum(['session_id', 'parent_id', 'run']),
    run_count: z.number().int(),
    by_status: z.record(z.string(), z.number()),
    first_started_at: z.string(),
    last_started_at: z.string(),
    producer_models: z.array(z.string()),
    mean_score: z.number().nullable(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    duration_s: z.number(),
    task: z.string(),
  })
  .openapi('Session');
export const SessionsPage = z.object({
  items: z.array(SessionSummary),
  next_cursor: z.string().nullable(),
  total: z.number().int(),
});
export const SessionIdParam = z.strictObject({ id: name });
export const SessionDetailQuery = z.strictObject({ limit: limitParam(200, 1000) });
export const SessionDetail = z.object({
  session: SessionSummary,
  runs: z.array(RunSummary),
  runs_truncated: z.boolean(),
});

// ---- analytics
const counts = z.record(z.string(), z.number());
export const Overview = z.object({
  /** The run kind the figures are for (`run` by default), or `all`. */
  kind: z.string(),
  runs: z.number().int(),
  by_status: counts,
  by_kind: counts,
  pass_rate: z.number().nullable(),
  mean_best_score: z.number().nullable(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_duration_s: z.number(),
  producer_models: z.number().int(),
  first_started_at: z.string().nullable(),
  last_started_at: z.string().nullable(),
});
export const FailureRate = z.object({
  items: z.array(
    z.object({
      producer_model: z.string(),
      runs: z.number().int(),
      by_status: counts,
      failure_rate: z.number(),
      error_rate: z.number(),
    }),
  ),
});
const MeanN = z.object({ mean: z.number().nullable(), n: z.number().int() });
export const FirstRoundScores = z.object({
  dimensions: z.array(z.enum(DIMENSIONS)),
  items: z.array(
    z.object({
      producer_model: z.string(),
      runs_scored: z.number().int(),
      composite: z.number().nullable(),
      dimensions: z.record(z.string(), MeanN),
    }),
  ),
});
const Bin = z.object({ from: z.number(), to: z.number(), count: z.number().int() });
export const ScoreDistribution = z.object({
  best: z.array(Bin),
  first_round: z.array(Bin),
  unscored: z.number().int(),
});
export const StageStatsSchema = z.object({
  items: z.array(
    z.object({
      stage: z.string(),
      runs: z.number().int(),
      duration_s: z.object({ total: z.number(), mean: z.number(), max: z.number() }),
      input_tokens: z.object({ total: z.number(), mean: z.number() }),
      output_tokens: z.object({ total: z.number(), mean: z.number() }),
      attempts: z.number().int(),
    }),
  ),
});
export const NoQuery = z.strictObject({});
export const AnalyticsQuery = z.strictObject({
  kind: z
    .string()
    .regex(/^[a-z_]{1,32}$/)
    .optional()
    .openapi({ description: 'run kind: run (default), rollout, lit_review, … or all' }),
});

// ---- memories
export const MemorySchema = z
  .object({
    id: z.string(),
    text: z.string(),
    run_id: z.string().nullable(),
    task: z.string().nullable(),
    score: z.number().nullable(),
    quality: z.number(),
    tags: z.array(z.string()),
    created_at: z.string(),
    updated_at: z.string(),
    retrieved_count: z.number().int(),
    last_retrieved_at: z.string().nullable(),
    embedding_dims: z.number().int(),
  })
  .openapi('Memory');
export const MemoryIdParam = z.strictObject({ id: z.string().min(1).max(100) });
export const MemoriesQuery = z.strictObject({
  q: z.string().min(1).max(200).optional(),
  limit: limitParam(50, 500),
  cursor: cursorParam,
});
export const MemoriesPage = z.object({
  items: z.array(MemorySchema),
  next_cursor: z.string().nullable(),
  total: z.number().int().nullable(),
});
const tags = z.array(z.string().trim().min(1).max(50)).max(20);
export const MemoryCreate = z.strictObject({
  text: z.string().trim().min(1).max(20000),
  task: z.string().max(8000).nullable().optional(),
  run_id: z
    .string()
    .regex(/^\d{8}T\d{6}_[0-9a-f]{8}$/)
    .nullable()
    .optional(),
  score: z.number().min(0).max(10).nullable().optional(),
  quality: z.number().min(0).max(10).optional(),
  tags: tags.optional(),
});
export const MemoryPatch = z
  .strictObject({
    text: z.string().trim().min(1).max(20000).optional(),
    quality: z.number().min(0).max(10).optional(),
    score: z.number().min(0).max(10).nullable().optional(),
    tags: tags.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' });
export const MemoryCreated = z.object({ memory: MemorySchema, embedded: z.boolean() });
export const MemoryFeedbackBody = FeedbackBody;
export const MemoryFeedbackResponse = z.object({ memory: MemorySchema, feedback: FeedbackResponse });
export const Deleted = z.object({ deleted: z.boolean(), id: z.string() });
export const GraphQuery = z.strictObject({
  threshold: z.coerce.number().min(0).max(1).default(0.85),
  limit: limitParam(300, 1000).openapi({ description: 'Most recent memories to include' }),
  max_edges: limitParam(2000, 20000),
});
export const GraphSchema = z
  .object({
    nodes: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        run_id: z.string().nullable(),
        task: z.string().nullable(),
        score: z.number().nullable(),
        quality: z.number(),
        retrieved_count: z.number().int(),
        has_embedding: z.boolean(),
        created_at: z.string(),
      }),
    ),
    edges: z.array(
      z.object({
        source: z.string(),
        target: z.string(),
        kind: z.enum(['similar', 'same_run', 'same_task']),
        weight: z.number(),
      }),
    ),
    threshold: z.number(),
    truncated: z.boolean(),
  })
  .openapi('MemoryGraph');
export const PruneQuery = z.strictObject({
  quality_below: z.coerce.number().min(0).max(10).default(3),
  duplicate_threshold: z.coerce.number().min(0.5).max(1).default(0.95),
  unused_days: z.coerce.number().min(0).max(3650).default(14),
});
export const PruneCandidates = z.object({
  items: z.array(
    z.object({
      memory: MemorySchema,
      reasons: z.array(
        z.object({
          kind: z.enum(['low_quality', 'near_duplicate', 'never_retrieved']),
          detail: z.string(),
          related_id: z.string().optional(),
          similarity: z.number().optional(),
        }),
      ),
    }),
  ),
});

// ---- security
export const EventsQuery = z.strictObject({
  severity: z.enum(['block', 'warn']).optional(),
  event_type: name.optional(),
  layer: name.optional(),
  run_id: name.optional(),
  from: timeParam,
  to: timeParam,
  order: orderParam,
  limit: limitParam(50, 500),
  cursor: cursorParam,
});
export const SecurityEventSchema = z
  .object({
    id: z.string(),
    ts: z.string(),
    run_id: z.string().nullable(),
    event_type: z.string(),
    layer: z.string(),
    severity: z.enum(['block', 'warn']),
    detail: z.string(),
    /** injection_scanner events: which scanner layer fired. */
    detector: z.enum(['rules', 'classifier', 'encoder']).optional(),
    /** injection_scanner events: the learned layer's score for the text (null: it did not run). */
    score: z.number().min(0).max(1).nullable().optional(),
  })
  .openapi('SecurityEvent');
export const EventsPage = z.object({
  items: z.array(SecurityEventSchema),
  next_cursor: z.string().nullable(),
  total: z.number().int(),
});
export const SummaryQuery = z.strictObject({ from: timeParam, to: timeParam, top_runs: limitParam(10, 100) });
const SevCounts = { block: z.number().int(), warn: z.number().int(), total: z.number().int() };
export const SecuritySummary = z
  .object({
    total: z.number().int(),
    by_severity: z.object({ block: z.number().int(), warn: z.number().int() }),
    by_event_type: z.array(z.object({ event_type: z.string(), ...SevCounts })),
    by_layer: z.array(z.object({ layer: z.string(), ...SevCounts })),
    by_type_and_layer: z.array(z.object({ event_type: z.string(), layer: z.string(), ...SevCounts })),
    runs_with_events: z.number().int(),
    top_runs: z.array(z.object({ run_id: z.string(), ...SevCounts })),
    first_ts: z.string().nullable(),
    last_ts: z.string().nullable(),
  })
  .openapi('SecuritySummary');

// ---- system
export const SynthInstructionsOut = z.object({
  SYNTH_INSTRUCTION: z.string(),
  SYNTH_INSTRUCTION_REVISE: z.string(),
  SYNTH_INSTRUCTION_FORMAT: z.string(),
});
export const ConfigSchema = z
  .object({
    settings: z.record(z.string(), z.unknown()),
    harness: z.object({
      producer_model: z.string(),
      planner_model: z.string(),
      evaluator_models: z.array(z.string()),
      embed_model: z.string(),
      producer_temperature: z.number(),
      planner_temperature: z.number(),
      evaluator_temperature: z.number(),
      max_rounds: z.number().int(),
      pass_threshold: z.number(),
      num_predict: z.number().int(),
      rubric_version: z.string(),
      rubric_weights: z.record(z.string(), z.number()),
      search_provider: z.string(),
    }),
    synth_instructions: SynthInstructionsOut,
    dashboard: z.object({ host: z.string(), port: z.number().int(), token_required: z.boolean() }),
  })
  .openapi('Config');
const FileInfo = z.object({
  name: z.string(),
  path: z.string(),
  editable: z.boolean(),
  format: z.enum(['markdown', 'json', 'synth_instructions']),
  description: z.string(),
  exists: z.boolean(),
  size: z.number().int(),
  updated_at: z.string().nullable(),
});
export const FilesList = z.object({ items: z.array(FileInfo) });
export const FileNameParam = z.strictObject({ name: z.string().min(1).max(300) });
export const FileContent = FileInfo.extend({
  content: z.string(),
  version: z.string(),
  has_previous: z.boolean(),
}).openapi('GovernanceFile');
export const FilePut = z.strictObject({
  content: z.string().max(600_000),
  base_version: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'The version read; 409 if it changed since' }),
});
export const SkillSchema = z.object({
  name: z.string(),
  description: z.string(),
  auto_hook: z.object({ pattern: z.string() }).nullable(),
  prompt_override: z.object({ stage: z.string(), text: z.string() }).nullable(),
  has_auto_hook: z.boolean(),
  has_prompt_override: z.boolean(),
});
export const SkillsList = z.object({ items: z.array(SkillSchema) });
export const Health = z.object({
  ok: z.boolean(),
  data_dir: z.string(),
  runs: z.number().int(),
  sessions: z.number().int(),
  security_events: z.number().int(),
  feedback: z.number().int(),
  skipped_lines: z.object({
    runs: z.number().int(),
    security_events: z.number().int(),
    feedback: z.number().int(),
  }),
});

// ---- evaluators (qualifications written by `flywheel judge qualify`; notices by its drift check)
const Interval = z.tuple([z.number(), z.number()]);
export const EvaluatorSchema = z
  .object({
    model: z.string(),
    /** Whether FLYWHEEL_EVALUATOR_MODELS names it. */
    configured: z.boolean(),
    status: z.enum(['qualified', 'unqualified', 'unknown']),
    reason: z.string().nullable(),
    digest: z.string().nullable(),
    rubric_version: z.string().nullable(),
    accuracy: z.number().nullable(),
    accuracy_ci95: Interval.nullable(),
    position_consistency: z.number().nullable(),
    length_bias: z
      .object({
        shorter_better_accuracy: z.number().nullable(),
        shorter_better_n: z.number().int(),
        longer_better_accuracy: z.number().nullable(),
        longer_better_n: z.number().int(),
      })
      .nullable(),
    n_pairs: z.number().int().nullable(),
    pair_set: z.string().nullable(),
    kind: z.enum(['full', 'drift']).nullable(),
    at: z.string().nullable(),
    measurements: z.number().int(),
    qualify_command: z.string(),
  })
  .openapi('Evaluator');
export const NoticeSchema = z.object({
  notice_id: z.string(),
  at: z.string(),
  kind: z.string(),
  model: z.string().nullable(),
  message: z.string(),
});
export const EvaluatorsList = z
  .object({
    items: z.array(EvaluatorSchema),
    notices: z.array(NoticeSchema),
    thresholds: z.object({ min_accuracy_lower_bound: z.number(), min_position_consistency: z.number() }),
  })
  .openapi('Evaluators');
