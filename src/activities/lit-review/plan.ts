// Stage 1, plan: set the review up, then expand the topic into search queries for each source.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BUNDLED_CORPUS } from '../../config';
import { formatZodError } from '../../cli/common';
import { LitReviewInputSchema, type LitReviewInput, type LitSource } from '../../lit-review/input';
import { inputRel, planRel } from '../../lit-review/paths';
import { writeJson } from '../../lit-review/store';
import { resolveInside } from '../../security/sandbox';
import { activityLlm, type ActivityDeps } from '../deps';
import { fatal, type LitStageArgs } from './common';

export const BUNDLED_CORPUS_FILE = path.join(BUNDLED_CORPUS, 'arxiv-agentic-papers.jsonl');

const SOURCE_HINTS: Record<LitSource, string> = {
  arxiv: 'arXiv API: short keyword queries; fielded terms like ti:"..." or abs:"..." work',
  semanticscholar: 'Semantic Scholar: plain keywords, no operators',
  openalex: 'OpenAlex: plain keywords, no operators',
  local: 'a local keyword index over titles and abstracts: distinctive words, no operators',
};

const PLAN_SYSTEM =
  'You plan the literature search for a review. For each source listed, give distinct search queries that together cover the topic: synonyms, sub-topics and key methods. Reply with JSON only.';

export function litPlanActivities({ settings }: ActivityDeps) {
  return {
    /** Validates the input, resolves defaults from settings, records input.json. No model call. */
    async litSetup(a: LitStageArgs & { input: LitReviewInput }) {
      const parsed = LitReviewInputSchema.safeParse(a.input);
      if (!parsed.success) throw fatal(`Invalid lit-review input:\n${formatZodError(parsed.error)}`);
      const input = parsed.data;
      let corpusPath: string | null = null;
      if (input.sources.includes('local')) {
        if (!input.corpus) corpusPath = BUNDLED_CORPUS_FILE;
        else if (path.isAbsolute(input.corpus)) corpusPath = input.corpus;
        else {
          try {
            corpusPath = resolveInside(settings.corpusDir, input.corpus);
          } catch (e) {
            throw fatal(`corpus "${input.corpus}": ${(e as Error).message}`);
          }
        }
        if (!fs.existsSync(corpusPath) || !fs.statSync(corpusPath).isFile())
          throw fatal(`corpus file not found: ${corpusPath}. Fix: pass --corpus <file.jsonl|file.csv>.`);
      }
      const resolved = {
        concurrency: input.concurrency ?? settings.FLYWHEEL_LITREVIEW_CONCURRENCY,
        batchSize: input.batchSize ?? settings.FLYWHEEL_LITREVIEW_BATCH_SIZE,
        corpusPath,
      };
      writeJson(settings.dataDir, inputRel(a.runId), { ...input, runId: a.runId, resolved });
      return resolved;
    },

    async litPlan(
      a: LitStageArgs & {
        topic: string;
        from?: string;
        to?: string;
        sources: LitSource[];
        maxQueries: number;
        model: string;
        temperature: number;
        numPredict: number;
      },
    ) {
      const shape = Object.fromEntries(a.sources.map((s) => [s, z.array(z.string()).default([])]));
      const schema = z.object(shape) as unknown as z.ZodType<Record<string, string[]>>;
      const formatSchema = z.object(
        Object.fromEntries(a.sources.map((s) => [s, z.array(z.string()).max(a.maxQueries)])),
      );
      const range = a.from || a.to ? `Date range: ${a.from ?? 'any'} to ${a.to ?? 'any'}.` : '';
      let proposed: Record<string, string[]> = {};
      let error: string | null = null;
      try {
        const res = await activityLlm(settings).chatStructured({
          model: a.model,
          schema,
          formatSchema,
          temperature: a.temperature,
          numPredict: a.numPredict,
          purpose: 'lit-review plan',
          messages: [
            { role: 'system', content: PLAN_SYSTEM },
            {
              role: 'user',
              content:
                `Topic: ${a.topic}\n${range}\nGive up to ${a.maxQueries} queries for each source:\n` +
                a.sources.map((s) => `- ${s}: ${SOURCE_HINTS[s]}`).join('\n'),
            },
          ],
        });
        proposed = res.value;
      } catch (e) {
        // An unusable plan is not fatal: the topic itself is always a query.
        if ((e as { kind?: string }).kind !== 'parse') throw e;
        error = (e as Error).message;
      }
      const queries: Record<string, string[]> = {};
      for (const s of a.sources) {
        const cleaned = (proposed[s] ?? [])
          .map((q) => q.replace(/\s+/g, ' ').trim())
          .filter((q) => q.length > 1);
        // The topic comes first so every source has at least one sensible query.
        queries[s] = [...new Set([a.topic, ...cleaned])].slice(0, a.maxQueries + 1);
      }
      const planPath = writeJson(settings.dataDir, planRel(a.runId), { topic: a.topic, queries, error });
      return { planPath, queries };
    },
  };
}
