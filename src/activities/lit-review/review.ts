// Stage 7, review: the Wiggum loop with the review rubric. Evaluators score the assembled draft (with the
// abstracts at hand, to judge accuracy); the producer revises the body; citations are checked again.
import { z } from 'zod';
import { median } from '../../harness/rubric';
import { degenerateReason } from '../evaluate';
import { checkCitations } from '../../lit-review/citations';
import { bodyRel, feedbackRel, reviewScoresRel } from '../../lit-review/paths';
import {
  REVIEW_DIMENSIONS,
  REVIEW_RUBRIC,
  reviewComposite,
  toWiggumDimensions,
  type ReviewScores,
} from '../../lit-review/rubric';
import { loadCandidates, loadOrganised, writeJson } from '../../lit-review/store';
import { TEMPLATES } from '../../lit-review/templates';
import { activityLlm, readDataFile, writeDataFile, type ActivityDeps } from '../deps';
import type { EvaluatorScore, RoundResult } from '../types';
import { oneLine, type LitStageArgs } from './common';
import { paperBrief, writeChecked, writeRound } from './write';

const dims = <T extends z.ZodType>(t: T) =>
  z.object(
    Object.fromEntries(REVIEW_DIMENSIONS.map((d) => [d, t])) as Record<(typeof REVIEW_DIMENSIONS)[number], T>,
  );
const ReviewFormat = z.object({
  scores: dims(z.number().min(0).max(10)),
  issues: z.array(z.string()),
  feedback: z.string(),
});
const ReviewReply = z.object({
  scores: dims(z.coerce.number()),
  issues: z.array(z.coerce.string()).default([]),
  feedback: z.string().default(''),
});

const ABSTRACT_BUDGET = 24_000;

const SYSTEM =
  'You are a strict reviewer of literature reviews. Score the review from 0 to 10 on each dimension: ' +
  REVIEW_DIMENSIONS.map((d) => `${d} (${REVIEW_RUBRIC.describe[d]})`).join('; ') +
  '. Judge accuracy against the abstracts given. List concrete issues and feedback for revision. Reply with JSON only.';

function spread(xs: number[]): number | null {
  return xs.length ? Math.round((Math.max(...xs) - Math.min(...xs)) * 100) / 100 : null;
}

export function litReviewRoundActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;

  function includedPapers(runId: string) {
    const organised = loadOrganised(dataDir, runId);
    const candidates = loadCandidates(dataDir, runId);
    return { organised, papers: organised.included.map((x) => candidates[x.index]) };
  }

  return {
    async litEvaluate(
      a: LitStageArgs & {
        round: number;
        draftPath: string;
        topic: string;
        evaluators: string[];
        temperature: number;
        numPredict: number;
      },
    ): Promise<RoundResult> {
      const draft = readDataFile(dataDir, a.draftPath);
      const body = readDataFile(dataDir, bodyRel(a.runId, a.round));
      const { papers } = includedPapers(a.runId);
      const keys = papers.map((p) => p.citeKey);
      const check = checkCitations(body, keys);
      const per = Math.max(200, Math.floor(ABSTRACT_BUDGET / Math.max(1, papers.length)));
      const abstracts = papers
        .map((p) => `- ${p.citeKey}: ${p.title}. ${p.abstract.slice(0, per)}`)
        .join('\n');
      const facts =
        `Citation check (by code): ${check.cited.length} of ${keys.length} included papers are cited in the text; ` +
        `${check.unknown.length} citations name no included paper.`;
      const feedback: string[] = [facts];
      const raw: { model: string; scores: ReviewScores | null; error: string | null }[] = [];
      const perEvaluator = await Promise.all(
        a.evaluators.map(async (model): Promise<EvaluatorScore> => {
          try {
            const res = await activityLlm(settings).chatStructured({
              model,
              schema: ReviewReply,
              formatSchema: ReviewFormat,
              temperature: a.temperature,
              numPredict: a.numPredict,
              purpose: 'review',
              messages: [
                { role: 'system', content: SYSTEM },
                {
                  role: 'user',
                  content: `Topic: ${a.topic}\n${facts}\n\nAbstracts of the included papers:\n${abstracts}\n\nReview to score:\n${draft}`,
                },
              ],
            });
            const got = res.value.scores as Record<string, number>;
            const clamped = REVIEW_DIMENSIONS.some((d) => !(got[d] >= 0 && got[d] <= 10));
            const scores = Object.fromEntries(
              REVIEW_DIMENSIONS.map((d) => [
                d,
                Math.min(10, Math.max(0, Number.isFinite(got[d]) ? got[d] : 0)),
              ]),
            ) as ReviewScores;
            // Degenerate or out-of-range scoring is an evaluator error, not a score (as in the harness).
            const unusable = degenerateReason(Object.values(scores), clamped);
            if (unusable) {
              raw.push({ model, scores: null, error: unusable });
              return { model, composite: null, dimensions: null, error: unusable, repaired: res.repaired };
            }
            raw.push({ model, scores, error: null });
            feedback.push(
              `## ${model}\nIssues:\n${res.value.issues.map((i) => `- ${oneLine(i, 500)}`).join('\n') || '- (none)'}\n\nFeedback: ${res.value.feedback}`,
            );
            return {
              model,
              composite: reviewComposite(scores),
              dimensions: toWiggumDimensions(scores),
              error: null,
              repaired: res.repaired,
            };
          } catch (e) {
            if ((e as { kind?: string }).kind !== 'parse') throw e;
            raw.push({ model, scores: null, error: (e as Error).message });
            return { model, composite: null, dimensions: null, error: (e as Error).message, repaired: true };
          }
        }),
      );
      const ok = raw.filter(
        (r): r is { model: string; scores: ReviewScores; error: null } => r.scores !== null,
      );
      const medianScores = ok.length
        ? (Object.fromEntries(
            REVIEW_DIMENSIONS.map((d) => [d, median(ok.map((r) => r.scores[d]))]),
          ) as ReviewScores)
        : null;
      writeJson(dataDir, reviewScoresRel(a.runId, a.round), {
        rubric: REVIEW_RUBRIC.version,
        weights: REVIEW_RUBRIC.weights,
        median: medianScores,
        evaluators: raw,
        citations: check,
      });
      const feedbackPath = ok.length
        ? writeDataFile(dataDir, feedbackRel(a.runId, a.round), feedback.join('\n\n'))
        : null;
      const composites = perEvaluator.flatMap((e) => (e.composite === null ? [] : [e.composite]));
      const failed = perEvaluator.filter((e) => e.composite === null);
      return {
        round: a.round,
        draftPath: a.draftPath,
        composite: composites.length ? Math.round(median(composites) * 100) / 100 : null,
        dimensions: medianScores ? toWiggumDimensions(medianScores) : null,
        perEvaluator,
        spread: spread(composites),
        feedbackPath,
        error: failed.length
          ? `evaluator error: ${failed.map((e) => `${e.model}: ${e.error}`).join('; ')}`.slice(0, 1000)
          : null,
      };
    },

    async litRevise(
      a: LitStageArgs & {
        round: number;
        fromRound: number;
        feedbackPath: string | null;
        topic: string;
        model: string;
        temperature: number;
        numPredict: number;
      },
    ): Promise<{ draftPath: string; unchanged: boolean }> {
      const body = readDataFile(dataDir, bodyRel(a.runId, a.fromRound));
      const feedback = a.feedbackPath ? readDataFile(dataDir, a.feedbackPath) : '(no feedback)';
      const { organised, papers } = includedPapers(a.runId);
      const keys = papers.map((p) => p.citeKey);
      const briefs = papers.map((p) => paperBrief(dataDir, a.runId, p)).join('\n');
      const res = await writeChecked(
        settings,
        {
          runId: a.runId,
          model: a.model,
          temperature: a.temperature,
          numPredict: Math.min(32768, Math.max(a.numPredict, Math.ceil((body.length / 4) * 1.5))),
          purpose: 'revise review',
          allowEmpty: true,
          messages: [
            {
              role: 'system',
              content:
                `Revise the body of a literature review to fix every issue the reviewers raised. ${TEMPLATES[organised.template].section} ` +
                'Keep the ## section headings and what was good. Cite papers only as [@key] with the keys given; never invent a key. Reply with the revised body only.',
            },
            {
              role: 'user',
              content: `Topic: ${a.topic}\n\nReviewer feedback:\n${feedback}\n\nPapers:\n${briefs}\n\nBody to revise:\n${body}`,
            },
          ],
        },
        keys,
      );
      // An empty revision never replaces the draft: the loop sees `unchanged` and stops revising.
      if (!res.text) return { draftPath: '', unchanged: true };
      const { draftPath } = writeRound(dataDir, a.runId, a.round, res.text);
      return { draftPath, unchanged: false };
    },
  };
}
