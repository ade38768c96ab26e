import { z } from 'zod';
import { EVAL_SYSTEM } from '../harness/prompts';
import { composite, DIMENSIONS, median, type DimensionScores } from '../harness/rubric';
import { activityLlm, readDataFile, workRel, writeDataFile, type ActivityDeps } from './deps';
import type { EvaluatorScore, RoundResult, StageArgs } from './types';

const dims = <T extends z.ZodType>(t: T) =>
  z.object(Object.fromEntries(DIMENSIONS.map((d) => [d, t])) as Record<(typeof DIMENSIONS)[number], T>);
/** What we ask for (0–10 per dimension) … */
export const EvalFormat = z.object({
  scores: dims(z.number().min(0).max(10)),
  issues: z.array(z.string()),
  feedback: z.string(),
});
/** … and what we accept: any numbers, clamped to 0–10 in code and flagged. */
const EvalReply = z.object({
  scores: dims(z.coerce.number()),
  issues: z.array(z.string()).default([]),
  feedback: z.string().default(''),
});

function spread(xs: number[]): number | null {
  return xs.length ? Math.round((Math.max(...xs) - Math.min(...xs)) * 100) / 100 : null;
}

/** One evaluator's reading of one draft with the Wiggum rubric prompt: what the harness and `judge qualify` share. */
export interface RubricScore {
  model: string;
  /** Scores clamped into 0–10; null when the reply could not be parsed. */
  scores: DimensionScores | null;
  composite: number | null;
  /** Some value was outside 0–10 (or not a number) and was clamped. */
  clamped: boolean;
  /** All six dimensions equal. */
  degenerate: boolean;
  repaired: boolean;
  truncated: boolean;
  issues: string[];
  feedback: string;
  /** Why the reply was unusable (unparseable), else null. */
  parseError: string | null;
}

/** Scores `draft` for `task` with the rubric prompt; transport failures throw (the caller's activity retries). */
export async function scoreWithRubric(
  settings: ActivityDeps['settings'],
  a: { model: string; task: string; draft: string; temperature: number; numPredict: number },
): Promise<RubricScore> {
  const { model } = a;
  const llm = activityLlm(settings);
  try {
    const res = await llm.chatStructured({
      model,
      schema: EvalReply,
      formatSchema: EvalFormat,
      temperature: a.temperature,
      numPredict: a.numPredict,
      purpose: 'evaluate',
      messages: [
        { role: 'system', content: EVAL_SYSTEM },
        { role: 'user', content: `Task: ${a.task}\n\nDraft:\n${a.draft}` },
      ],
    });
    const raw = res.value.scores as Record<string, number>;
    const clamped = DIMENSIONS.some((d) => !(raw[d] >= 0 && raw[d] <= 10));
    const scores = Object.fromEntries(
      DIMENSIONS.map((d) => [d, Math.min(10, Math.max(0, Number.isFinite(raw[d]) ? raw[d] : 0))]),
    ) as DimensionScores;
    return {
      model,
      scores,
      composite: composite(scores),
      clamped,
      degenerate: DIMENSIONS.every((d) => scores[d] === scores[DIMENSIONS[0]]),
      repaired: res.repaired,
      truncated: res.truncated,
      issues: res.value.issues,
      feedback: res.value.feedback,
      parseError: null,
    };
  } catch (e) {
    const err = e as Error & { retryable?: boolean; kind?: string };
    // Only an unparseable reply is an evaluator error; transport failures retry the activity.
    if (err.kind !== 'parse') throw e;
    return {
      model,
      scores: null,
      composite: null,
      clamped: false,
      degenerate: false,
      repaired: true,
      truncated: false,
      issues: [],
      feedback: '',
      parseError: err.message,
    };
  }
}

/**
 * Why a parsed rubric reply is still no score: values that had to be clamped into 0–10, or all dimensions equal
 * at an end of the scale (all 0 or all 10: the model did not read the draft). Null when it is a score.
 * `values` are the clamped scores; any rubric (the Wiggum one, the literature review's).
 */
export function degenerateReason(values: number[], clamped: boolean): string | null {
  if (clamped) return 'out-of-range scores: values outside 0-10 had to be clamped';
  const v = values[0];
  if (values.length && values.every((x) => x === v) && (v === 0 || v === 10))
    return `degenerate scores: all ${values.length === 6 ? 'six' : values.length} dimensions are ${v}`;
  return null;
}

export function unusableReason(r: Pick<RubricScore, 'scores' | 'clamped'>): string | null {
  return degenerateReason(r.scores ? Object.values(r.scores) : [], r.clamped);
}

/** evaluate: every evaluator in the pool scores the draft; the round's composite is their median. */
export function evaluateActivities({ settings }: ActivityDeps) {
  return {
    async evaluate(
      a: StageArgs & {
        task: string;
        draftPath: string;
        evaluators: string[];
        temperature: number;
        numPredict: number;
        round: number;
      },
    ): Promise<RoundResult> {
      const draft = readDataFile(settings.dataDir, a.draftPath);
      const feedback: string[] = [];
      const perEvaluator = await Promise.all(
        a.evaluators.map(async (model): Promise<EvaluatorScore> => {
          const r = await scoreWithRubric(settings, { ...a, model, draft });
          if (r.scores === null) {
            return { model, composite: null, dimensions: null, error: r.parseError, repaired: true };
          }
          // Degenerate or clamped scoring is an evaluator error, not a score: kept in the record, never counted.
          const unusable = unusableReason(r);
          if (unusable) {
            return { model, composite: null, dimensions: null, error: unusable, repaired: r.repaired };
          }
          feedback.push(
            `## ${model}\nIssues:\n${r.issues.map((i) => `- ${i}`).join('\n') || '- (none)'}\n\nFeedback: ${r.feedback}`,
          );
          return {
            model,
            composite: r.composite,
            dimensions: r.scores,
            error: r.truncated ? 'reply cut at the token limit; scored from what it had written' : null,
            repaired: r.repaired,
          };
        }),
      );
      const ok = perEvaluator.filter((e) => e.composite !== null);
      const dimensions = ok.length
        ? (Object.fromEntries(
            DIMENSIONS.map((d) => [d, median(ok.map((e) => e.dimensions![d]))]),
          ) as DimensionScores)
        : null;
      const feedbackPath = ok.length
        ? writeDataFile(settings.dataDir, workRel(a.runId, `feedback.r${a.round}.md`), feedback.join('\n\n'))
        : null;
      const failed = perEvaluator.filter((e) => e.composite === null);
      return {
        round: a.round,
        draftPath: a.draftPath,
        composite: ok.length ? Math.round(median(ok.map((e) => e.composite!)) * 100) / 100 : null,
        dimensions,
        perEvaluator,
        spread: spread(ok.map((e) => e.composite!)),
        feedbackPath,
        error: failed.length
          ? `evaluator error: ${failed.map((e) => `${e.model}: ${e.error}`).join('; ')}`.slice(0, 1000)
          : null,
      };
    },
  };
}
