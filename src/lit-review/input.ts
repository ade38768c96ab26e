// Everything a lit review needs, resolved before the workflow starts (the workflow only sees the result).
import { z } from 'zod';
import type { Settings } from '../config';
import { RUN_ID_RE } from '../audit/records';
import { isIsoDate } from '../papers/date-range';
import { REVIEW_RUBRIC } from './rubric';
import { TEMPLATE_NAMES } from './templates';

export const LIT_SOURCES = ['arxiv', 'semanticscholar', 'openalex', 'local'] as const;
export type LitSource = (typeof LIT_SOURCES)[number];

const model = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\w.:/@-]+$/, 'a model name like qwen3:8b');
const isoDate = z.string().refine(isIsoDate, 'a date like 2024-01-31');
const temperature = z.number().min(0).max(2);

export const LitReviewInputSchema = z
  .object({
    runId: z.string().regex(RUN_ID_RE).optional(),
    kind: z.literal('lit_review').default('lit_review'),
    /** The topic, under the record's name for it. */
    task: z
      .string()
      .trim()
      .min(3, 'the topic is too short')
      .max(500, 'the topic is too long (max 500 chars)'),
    from: isoDate.optional(),
    to: isoDate.optional(),
    maxPapers: z.number().int().min(1).max(1000).default(50),
    sources: z
      .array(z.enum(LIT_SOURCES))
      .min(1)
      .transform((xs) => [...new Set(xs)])
      .default(['local']),
    /** JSONL/CSV file for the local source; relative names resolve inside FLYWHEEL_CORPUS_DIR. */
    corpus: z.string().min(1).max(4096).optional(),
    template: z.enum(TEMPLATE_NAMES).default('survey'),
    /** Persona/extraction calls in flight at once; default FLYWHEEL_LITREVIEW_CONCURRENCY. */
    concurrency: z.number().int().min(1).max(256).optional(),
    /** Papers per child workflow; default FLYWHEEL_LITREVIEW_BATCH_SIZE. */
    batchSize: z.number().int().min(1).max(500).optional(),
    maxQueries: z.number().int().min(1).max(10).default(4),
    producerModel: model,
    plannerModel: model,
    curatorModel: model,
    evaluatorModels: z.array(model).min(1).max(7),
    producerTemperature: temperature,
    plannerTemperature: temperature,
    curatorTemperature: temperature,
    evaluatorTemperature: temperature,
    maxRounds: z.number().int().min(1).max(10),
    threshold: z.number().min(0).max(10),
    numPredict: z.number().int().min(16).max(32768),
    rubricVersion: z.string().default(REVIEW_RUBRIC.version),
    parentId: z.string().max(300).nullable().default(null),
    sessionId: z.string().max(200).nullable().default(null),
  })
  .strict()
  .refine((i) => !i.from || !i.to || i.from <= i.to, { message: 'from is after to', path: ['from'] });

export type LitReviewInput = z.infer<typeof LitReviewInputSchema>;
export type LitReviewInputOverrides = Partial<z.input<typeof LitReviewInputSchema>>;

/** Fills defaults from settings, validates, and returns a clean input or throws a readable ZodError. */
export function resolveLitReviewInput(
  topic: string,
  s: Settings,
  overrides: LitReviewInputOverrides = {},
): LitReviewInput {
  return LitReviewInputSchema.parse({
    task: topic,
    producerModel: s.FLYWHEEL_PRODUCER_MODEL,
    plannerModel: s.plannerModel,
    curatorModel: s.evaluatorModels[0],
    evaluatorModels: s.evaluatorModels,
    producerTemperature: s.FLYWHEEL_PRODUCER_TEMPERATURE,
    plannerTemperature: s.FLYWHEEL_PLANNER_TEMPERATURE,
    curatorTemperature: s.FLYWHEEL_EVALUATOR_TEMPERATURE,
    evaluatorTemperature: s.FLYWHEEL_EVALUATOR_TEMPERATURE,
    maxRounds: s.FLYWHEEL_MAX_ROUNDS,
    threshold: s.FLYWHEEL_PASS_THRESHOLD,
    numPredict: s.FLYWHEEL_NUM_PREDICT,
    ...overrides,
  });
}
