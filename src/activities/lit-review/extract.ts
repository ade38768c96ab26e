// Stage 4, extract: a structured summary of each included paper, written once to extracts/<paper>.json.
import { z } from 'zod';
import { extractRel } from '../../lit-review/paths';
import { loadExtract, loadPaper, writeJson } from '../../lit-review/store';
import type { CandidatePaper, Extraction } from '../../lit-review/types';
import { activityLlm, type ActivityDeps } from '../deps';
import { oneLine, type LitStageArgs } from './common';

const ExtractFormat = z.object({
  problem: z.string(),
  method: z.string(),
  evidence: z.string(),
  key_claims: z.array(z.string()).max(5),
  limitations: z.string(),
});
const ExtractReply = z.object({
  problem: z.string().default(''),
  method: z.string().default(''),
  evidence: z.string().default(''),
  key_claims: z.array(z.coerce.string()).default([]),
  limitations: z.string().default(''),
});

const SYSTEM =
  'You extract a faithful structured summary of a paper from its title and abstract for a literature review. ' +
  'Use only what the abstract says; write "not stated" when it does not say. Reply with JSON only.';

/** When the model cannot produce a usable summary, the abstract stands in (and is marked as such). */
function fallback(p: CandidatePaper): Extraction {
  const sentences = p.abstract.split(/(?<=[.!?])\s+/).filter(Boolean);
  return {
    problem: sentences[0] ?? p.title,
    method: sentences[1] ?? 'not stated',
    evidence: sentences.slice(2).join(' ') || 'not stated',
    key_claims: [],
    limitations: 'not stated',
    fallback: true,
  };
}

export function litExtractActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    async litExtract(
      a: LitStageArgs & {
        index: number;
        topic: string;
        model: string;
        temperature: number;
        numPredict: number;
      },
    ): Promise<{ index: number; fallback: boolean }> {
      const existing = loadExtract(dataDir, a.runId, a.index);
      if (existing) return { index: a.index, fallback: !!existing.fallback };
      const p = loadPaper(dataDir, a.runId, a.index);
      let extraction: Extraction;
      try {
        const res = await activityLlm(settings).chatStructured({
          model: a.model,
          schema: ExtractReply,
          formatSchema: ExtractFormat,
          temperature: a.temperature,
          numPredict: a.numPredict,
          purpose: 'extract',
          messages: [
            { role: 'system', content: SYSTEM },
            {
              role: 'user',
              content:
                `Extract problem, method, evidence, key_claims (at most 5) and limitations for a review on: ${a.topic}\n\n` +
                `Title: ${p.title}\nAbstract: ${p.abstract || '(no abstract)'}`,
            },
          ],
        });
        const v = res.value;
        extraction = {
          problem: oneLine(v.problem, 600),
          method: oneLine(v.method, 600),
          evidence: oneLine(v.evidence, 600),
          key_claims: v.key_claims
            .map((c) => oneLine(c, 300))
            .filter(Boolean)
            .slice(0, 5),
          limitations: oneLine(v.limitations, 600),
        };
        if (!extraction.problem && !extraction.method) extraction = fallback(p);
      } catch (e) {
        if ((e as { kind?: string }).kind !== 'parse') throw e;
        extraction = fallback(p);
      }
      writeJson(dataDir, extractRel(a.runId, a.index), extraction);
      return { index: a.index, fallback: !!extraction.fallback };
    },
  };
}
