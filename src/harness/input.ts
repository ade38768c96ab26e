import { z } from 'zod';
import type { Settings } from '../config';
import { RUBRIC } from './rubric';

const model = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\w.:/@-]+$/, 'a model name like qwen3:8b');

/** Everything a harness run needs, resolved before the workflow starts (the workflow only sees the result). */
export const HarnessInputSchema = z
  .object({
    task: z
      .string()
      .trim()
      .min(3, 'the task is too short')
      .max(8000, 'the task is too long (max 8000 chars)'),
    runId: z
      .string()
      .regex(/^\d{8}T\d{6}_[0-9a-f]{8}$/)
      .optional(),
    kind: z.enum(['run', 'rollout', 'lit_review', 'eval']).default('run'),
    sessionId: z.string().max(200).nullable().default(null),
    parentId: z.string().max(300).nullable().default(null),
    producerModel: model,
    plannerModel: model,
    evaluatorModels: z.array(model).min(1).max(7),
    embedModel: model,
    producerTemperature: z.number().min(0).max(2),
    plannerTemperature: z.number().min(0).max(2),
    evaluatorTemperature: z.number().min(0).max(2),
    maxRounds: z.number().int().min(1).max(10),
    threshold: z.number().min(0).max(10),
    numPredict: z.number().int().min(16).max(32768),
    maxQueries: z.number().int().min(0).max(12).default(4),
    resultsPerQuery: z.number().int().min(1).max(20).default(4),
    rubricVersion: z.string().default(RUBRIC.version),
  })
  .strict();

export type HarnessInput = z.infer<typeof HarnessInputSchema>;
export type HarnessInputOverrides = Partial<z.input<typeof HarnessInputSchema>>;

/** Fills defaults from settings, validates, and returns a clean input or throws a readable ZodError. */
export function resolveHarnessInput(
  task: string,
  s: Settings,
  overrides: HarnessInputOverrides = {},
): HarnessInput {
  return HarnessInputSchema.parse({
    task,
    producerModel: s.FLYWHEEL_PRODUCER_MODEL,
    plannerModel: s.plannerModel,
    evaluatorModels: s.evaluatorModels,
    embedModel: s.embedModel,
    producerTemperature: s.FLYWHEEL_PRODUCER_TEMPERATURE,
    plannerTemperature: s.FLYWHEEL_PLANNER_TEMPERATURE,
    evaluatorTemperature: s.FLYWHEEL_EVALUATOR_TEMPERATURE,
    maxRounds: s.FLYWHEEL_MAX_ROUNDS,
    threshold: s.FLYWHEEL_PASS_THRESHOLD,
    numPredict: s.FLYWHEEL_NUM_PREDICT,
    ...overrides,
  });
}
