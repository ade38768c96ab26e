// Stage 6, write: each outline section is written on its own (and kept once written), every citation is
// checked against the included papers, then the sections are assembled into the round-1 draft.
import type { Message } from 'ollama';
import { LlmError } from '../../llm/client';
import { checkCitations, removeUnknownCitations } from '../../lit-review/citations';
import type { LitReviewInput } from '../../lit-review/input';
import { bodyRel, draftRel, inputRel, sectionRel } from '../../lit-review/paths';
import {
  loadCandidates,
  loadExtract,
  loadOrganised,
  loadPaper,
  readJson,
  readJsonIfExists,
  writeJson,
} from '../../lit-review/store';
import { TEMPLATES, type TemplateName } from '../../lit-review/templates';
import type { CandidatePaper, Organised } from '../../lit-review/types';
import { scanAndRecord } from '../../security/events';
import { activityLlm, readDataFile, writeDataFile, type ActivityDeps } from '../deps';
import type { LitStageArgs } from './common';
import type { Settings } from '../../config';

export interface CheckedText {
  text: string;
  /** Citations refused because they name no included paper (removed from the text). */
  removed: string[];
  repaired: boolean;
}

const CITE_RULES =
  'Cite papers only as [@key] (several: [@key1; @key2]) using the keys given; never cite anything else, never invent a key. Use Markdown paragraphs.';

/**
 * One model call whose citations must resolve to included papers. Unknown keys get one repair request;
 * whatever is still unknown is removed, so no invented reference reaches the review.
 */
export async function writeChecked(
  settings: Settings,
  req: {
    runId: string;
    model: string;
    temperature: number;
    numPredict: number;
    purpose: string;
    messages: Message[];
    /** Return '' for an empty answer instead of failing (a revision that says nothing changes nothing). */
    allowEmpty?: boolean;
  },
  included: string[],
): Promise<CheckedText> {
  const ask = async (messages: Message[]) => {
    const res = await activityLlm(settings).chat({ ...req, messages });
    const text = res.content.trim();
    if (!text && !req.allowEmpty)
      throw new LlmError(`${req.model} returned an empty ${req.purpose}`, true, 'server');
    return text;
  };
  let text = await ask(req.messages);
  if (!text) return { text, removed: [], repaired: false };
  let check = checkCitations(text, included);
  let repaired = false;
  if (check.unknown.length) {
    repaired = true;
    text = await ask([
      ...req.messages,
      { role: 'assistant', content: text },
      {
        role: 'user',
        content: `These citation keys name no paper in the review: ${check.unknown.join(', ')}. Rewrite the text citing only these keys: ${included.join(', ')}.`,
      },
    ]);
    check = checkCitations(text, included);
  }
  const removed = check.unknown;
  if (removed.length) text = removeUnknownCitations(text, included);
  const scan = await scanAndRecord(settings.dataDir, text, { runId: req.runId, layer: 'synthesis_write' });
  if (scan.verdict === 'block') text = scan.sanitized;
  return { text, removed, repaired };
}

export function paperBrief(dataDir: string, runId: string, p: CandidatePaper): string {
  const x = loadExtract(dataDir, runId, p.index);
  const year = p.published.slice(0, 4) || 'n.d.';
  const lines = [`[@${p.citeKey}] ${p.title} (${year})`];
  if (x) {
    lines.push(`  Problem: ${x.problem}`, `  Method: ${x.method}`, `  Evidence: ${x.evidence}`);
    if (x.key_claims.length) lines.push(`  Key claims: ${x.key_claims.join(' | ')}`);
    lines.push(`  Limitations: ${x.limitations}`);
  } else lines.push(`  Abstract: ${p.abstract.slice(0, 800)}`);
  return lines.join('\n');
}

const yearOf = (p: CandidatePaper) => p.published.slice(0, 4) || 'n.d.';

/** Title, scope line, body, the included papers the body does not cite, and the reference list. */
export function assembleDraft(
  dataDir: string,
  runId: string,
  body: string,
): { text: string; uncited: string[]; cited: string[] } {
  const input = readJson<LitReviewInput>(dataDir, inputRel(runId));
  const organised = loadOrganised(dataDir, runId);
  const candidates = loadCandidates(dataDir, runId);
  const included = organised.included.map((x) => candidates[x.index]);
  const keys = included.map((p) => p.citeKey);
  const check = checkCitations(body, keys);
  const range =
    input.from || input.to ? `, published ${input.from ?? 'any time'} to ${input.to ?? 'today'}` : '';
  const parts = [
    `# ${TEMPLATES[organised.template].title(input.task)}`,
    `*${included.length} papers included of ${candidates.length} candidates from ${input.sources.join(', ')}${range}; selected by five reviewer personas.*`,
    body.trim(),
  ];
  const uncited = included.filter((p) => check.uncited.includes(p.citeKey));
  if (uncited.length)
    parts.push(
      `## Included papers not cited above\n\n${uncited.map((p) => `- ${p.citeKey}: ${p.title} (${yearOf(p)})`).join('\n')}`,
    );
  const refs = included.map((p) => {
    const authors =
      p.authors.length > 3 ? `${p.authors.slice(0, 3).join(', ')} et al.` : p.authors.join(', ');
    return `- **${p.citeKey}**: ${authors || 'Anonymous'} (${yearOf(p)}). *${p.title}*.${p.venue ? ` ${p.venue}.` : ''} ${p.url}`.trimEnd();
  });
  parts.push(`## References\n\n${refs.join('\n')}`);
  return { text: `${parts.join('\n\n')}\n`, uncited: uncited.map((p) => p.citeKey), cited: check.cited };
}

/** Writes body.r<N>.md and the assembled outputs/<id>.r<N>.md. */
export function writeRound(dataDir: string, runId: string, round: number, body: string) {
  const bodyPath = writeDataFile(dataDir, bodyRel(runId, round), `${body.trim()}\n`);
  const draft = assembleDraft(dataDir, runId, body);
  const draftPath = writeDataFile(dataDir, draftRel(runId, round), draft.text);
  return { draftPath, bodyPath, cited: draft.cited.length, uncited: draft.uncited.length };
}

interface SectionMeta {
  heading: string;
  removed: string[];
  repaired: boolean;
}

export function litWriteActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    async litWriteSection(
      a: LitStageArgs & {
        section: number;
        topic: string;
        template: TemplateName;
        model: string;
        temperature: number;
        numPredict: number;
      },
    ): Promise<SectionMeta> {
      const metaRel = sectionRel(a.runId, a.section).replace(/\.md$/, '.json');
      const done = readJsonIfExists<SectionMeta>(dataDir, metaRel);
      if (done) return done;
      const organised: Organised = loadOrganised(dataDir, a.runId);
      const section = organised.outline[a.section];
      const keys = organised.included.map((x) => x.citeKey);
      const mine = section.papers.length ? section.papers : keys;
      const byKey = new Map(organised.included.map((x) => [x.citeKey, x.index]));
      const briefs = mine.map((k) =>
        paperBrief(dataDir, a.runId, loadPaper(dataDir, a.runId, byKey.get(k)!)),
      );
      const outline = organised.outline
        .map((s, i) => `${i === a.section ? '>' : ' '} ${s.heading}`)
        .join('\n');
      const res = await writeChecked(
        settings,
        {
          runId: a.runId,
          model: a.model,
          temperature: a.temperature,
          numPredict: a.numPredict,
          purpose: 'write section',
          messages: [
            {
              role: 'system',
              content: `${TEMPLATES[a.template].section} ${CITE_RULES} Do not repeat the section heading.`,
            },
            {
              role: 'user',
              content:
                `Review topic: ${a.topic}\nOutline (this section marked >):\n${outline}\n\n` +
                `Write the section "${section.heading}". Goal: ${section.goal || 'as the heading says'}\n\n` +
                `Papers for this section:\n${briefs.join('\n')}\n\nCitation keys you may use: ${keys.join(', ')}`,
            },
          ],
        },
        keys,
      );
      const text = res.text.replace(new RegExp(`^#+\\s*${escapeRe(section.heading)}\\s*\\n+`, 'i'), '');
      writeDataFile(dataDir, sectionRel(a.runId, a.section), `## ${section.heading}\n\n${text.trim()}\n`);
      const meta: SectionMeta = { heading: section.heading, removed: res.removed, repaired: res.repaired };
      writeJson(dataDir, metaRel, meta);
      return meta;
    },

    async litAssemble(a: LitStageArgs & { round: number; sections: number }) {
      const sections = Array.from({ length: a.sections }, (_, i) =>
        readDataFile(dataDir, sectionRel(a.runId, i)),
      );
      return writeRound(dataDir, a.runId, a.round, sections.join('\n\n'));
    },
  };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
