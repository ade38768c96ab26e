// Stage 3, curate: one persona scores one paper. Each score is its own durable unit: it is written to
// scores/<paper>/<persona>.json before the activity returns, and a retry reads it instead of asking again.
import type { Message } from 'ollama';
import { z } from 'zod';
import { appendJsonl } from '../../audit/jsonl';
import { decide, type PersonaScore } from '../../lit-review/decision';
import { curationLogRel, scoreRel } from '../../lit-review/paths';
import { PERSONAS, PERSONA_NAMES } from '../../lit-review/personas';
import { loadPaper, loadScores, readJsonIfExists, writeJson } from '../../lit-review/store';
import type { CandidatePaper, CurationLine } from '../../lit-review/types';
import { resolveInside } from '../../security/sandbox';
import { activityLlm, type ActivityDeps } from '../deps';
import { fatal, oneLine, type LitStageArgs } from './common';

/** What we ask for … */
const CurateFormat = z.object({ score: z.number().int().min(1).max(5), reason: z.string() });
/** … and what we accept: any number (clamped to 1–5 in code). */
const CurateReply = z.object({ score: z.coerce.number(), reason: z.string().default('') });

export function personaPrompt(persona: string, topic: string, p: CandidatePaper): Message[] {
  const focus = PERSONAS.find((x) => x.name === persona)?.focus ?? '';
  const authors = p.authors.length > 6 ? `${p.authors.slice(0, 6).join(', ')} et al.` : p.authors.join(', ');
  return [
    {
      role: 'system',
      content:
        `You are the ${persona} on a committee that curates papers for a literature review. ${focus} ` +
        'Score the paper for inclusion in a review of the topic, from your perspective: 1 = off-topic or unsound, ' +
        '2 = weak, 3 = acceptable, 4 = strong, 5 = essential. Reply with JSON only: {"score": <1-5>, "reason": "<one line>"}.',
    },
    {
      role: 'user',
      content:
        `Reviewer persona: ${persona}\nTopic: ${topic}\n\nTitle: ${p.title}\nPublished: ${p.published || 'unknown'}\n` +
        `Authors: ${authors || 'unknown'}\n\nAbstract: ${p.abstract || '(no abstract)'}`,
    },
  ];
}

/** Appends the paper's decision to the curation log once all five scores are on disk (idempotent by paper). */
export async function logDecisionIfComplete(
  dataDir: string,
  runId: string,
  paper: CandidatePaper,
): Promise<CurationLine | null> {
  const scores = loadScores(dataDir, runId, paper.index);
  if (scores.length < PERSONA_NAMES.length) return null;
  const line: CurationLine = {
    ts: new Date().toISOString(),
    review_id: runId,
    paper_key: paper.key,
    index: paper.index,
    cite_key: paper.citeKey,
    title: paper.title,
    published: paper.published,
    scores,
    ...decide(scores),
  };
  await appendJsonl(resolveInside(dataDir, curationLogRel(runId)), line, { key: 'paper_key' });
  return line;
}

export function litCurateActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    async litCurate(
      a: LitStageArgs & {
        index: number;
        persona: string;
        topic: string;
        model: string;
        temperature: number;
        numPredict: number;
      },
    ): Promise<PersonaScore> {
      if (!PERSONA_NAMES.includes(a.persona as never)) throw fatal(`unknown persona "${a.persona}"`);
      const paper = loadPaper(dataDir, a.runId, a.index);
      const rel = scoreRel(a.runId, a.index, a.persona);
      let score = readJsonIfExists<PersonaScore>(dataDir, rel);
      if (!score) {
        try {
          const res = await activityLlm(settings).chatStructured({
            model: a.model,
            schema: CurateReply,
            formatSchema: CurateFormat,
            temperature: a.temperature,
            numPredict: Math.min(a.numPredict, 512),
            purpose: `curate ${a.persona}`,
            messages: personaPrompt(a.persona, a.topic, paper),
          });
          const raw = res.value.score;
          score = Number.isFinite(raw)
            ? {
                persona: a.persona,
                score: Math.round(Math.min(5, Math.max(1, raw)) * 10) / 10,
                reason: oneLine(res.value.reason) || '(no reason given)',
                ...(raw < 1 || raw > 5 ? { error: `score ${raw} clamped to 1-5` } : {}),
              }
            : { persona: a.persona, score: null, reason: '', error: `score is not a number: ${raw}` };
        } catch (e) {
          // An unparseable reply is a missing score (the decision rule accounts for it); transport errors retry.
          if ((e as { kind?: string }).kind !== 'parse') throw e;
          score = { persona: a.persona, score: null, reason: '', error: oneLine((e as Error).message, 300) };
        }
        writeJson(dataDir, rel, score);
      }
      await logDecisionIfComplete(dataDir, a.runId, paper);
      return score;
    },
  };
}
