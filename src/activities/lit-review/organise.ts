// Stage 5, organise: cluster the included papers into themes and plan the outline the writer follows.
import { z } from 'zod';
import { organiseRel } from '../../lit-review/paths';
import { loadExtract, loadPaper, writeJson } from '../../lit-review/store';
import { TEMPLATES, type OutlineSection, type TemplateName, type Theme } from '../../lit-review/templates';
import type { Organised } from '../../lit-review/types';
import { activityLlm, type ActivityDeps } from '../deps';
import { oneLine, type LitStageArgs } from './common';

const MAX_SECTIONS = 10;

const OrganiseFormat = z.object({
  themes: z.array(z.object({ name: z.string(), description: z.string(), papers: z.array(z.string()) })),
  outline: z.array(z.object({ heading: z.string(), goal: z.string(), papers: z.array(z.string()) })),
});
const OrganiseReply = z.object({
  themes: z
    .array(
      z.object({
        name: z.coerce.string(),
        description: z.coerce.string().default(''),
        papers: z.array(z.coerce.string()).default([]),
      }),
    )
    .default([]),
  outline: z
    .array(
      z.object({
        heading: z.coerce.string(),
        goal: z.coerce.string().default(''),
        papers: z.array(z.coerce.string()).default([]),
      }),
    )
    .default([]),
});

const SYSTEM =
  'You organise the papers of a literature review. Group them into 2 to 6 themes (every paper in at least one theme) ' +
  'and plan the sections of the review. Refer to papers only by the citation keys given. Reply with JSON only.';

/** Keeps only keys of included papers ('@key', '[@key]' and 'key' all accepted), without repeats. */
function cleanKeys(keys: string[], allowed: Set<string>, dropped: Set<string>): string[] {
  const out: string[] = [];
  for (const raw of keys) {
    const k = raw.replace(/^[[\s@]+|[\]\s]+$/g, '');
    if (!allowed.has(k)) dropped.add(k);
    else if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** Repairs what a small model gets wrong: unknown keys, empty themes, unassigned papers, an empty outline. */
export function repairOrganisation(
  reply: z.output<typeof OrganiseReply>,
  keys: string[],
  template: TemplateName,
): Pick<Organised, 'themes' | 'outline' | 'repaired'> {
  const allowed = new Set(keys);
  const dropped = new Set<string>();
  const repaired: string[] = [];
  const themes: Theme[] = reply.themes
    .map((t) => ({
      name: oneLine(t.name, 120),
      description: oneLine(t.description, 400),
      papers: cleanKeys(t.papers, allowed, dropped),
    }))
    .filter((t) => t.name && t.papers.length);
  const placed = new Set(themes.flatMap((t) => t.papers));
  const unplaced = keys.filter((k) => !placed.has(k));
  if (unplaced.length) {
    themes.push({
      name: 'Other work',
      description: 'Papers that fit none of the themes above.',
      papers: unplaced,
    });
    repaired.push(`${unplaced.length} paper(s) were in no theme: added "Other work"`);
  }
  let outline: OutlineSection[] = reply.outline
    .map((s) => ({
      heading: oneLine(s.heading.replace(/^#+\s*/, ''), 120),
      goal: oneLine(s.goal, 400),
      papers: cleanKeys(s.papers, allowed, dropped),
    }))
    .filter((s) => s.heading)
    .slice(0, MAX_SECTIONS);
  if (outline.length < 2) {
    outline = TEMPLATES[template].fallbackOutline(themes, keys).slice(0, MAX_SECTIONS);
    repaired.push('the outline was unusable: built from the themes');
  }
  if (dropped.size) repaired.push(`unknown citation keys dropped: ${[...dropped].slice(0, 20).join(', ')}`);
  return { themes, outline, repaired };
}

export function litOrganiseActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    async litOrganise(
      a: LitStageArgs & {
        topic: string;
        template: TemplateName;
        included: number[];
        model: string;
        temperature: number;
        numPredict: number;
      },
    ): Promise<{ themes: number; sections: number; repaired: string[] }> {
      const papers = a.included.map((i) => loadPaper(dataDir, a.runId, i));
      const keys = papers.map((p) => p.citeKey);
      const listing = papers
        .map((p) => {
          const x = loadExtract(dataDir, a.runId, p.index);
          const year = p.published.slice(0, 4) || 'n.d.';
          return `- ${p.citeKey}: ${p.title} (${year}). Problem: ${x?.problem ?? '?'} Method: ${x?.method ?? '?'}`;
        })
        .join('\n');
      let reply: z.output<typeof OrganiseReply> = { themes: [], outline: [] };
      let error: string | null = null;
      try {
        const res = await activityLlm(settings).chatStructured({
          model: a.model,
          schema: OrganiseReply,
          formatSchema: OrganiseFormat,
          temperature: a.temperature,
          numPredict: Math.max(a.numPredict, 1024),
          purpose: 'organise',
          messages: [
            { role: 'system', content: `${SYSTEM} ${TEMPLATES[a.template].organise}` },
            {
              role: 'user',
              content: `Organise the papers for a review on: ${a.topic}\n\nPapers:\n${listing}`,
            },
          ],
        });
        reply = res.value;
      } catch (e) {
        if ((e as { kind?: string }).kind !== 'parse') throw e;
        error = oneLine((e as Error).message, 300);
      }
      const organised = repairOrganisation(reply, keys, a.template);
      if (error) organised.repaired.unshift(`the organiser's reply was unusable (${error})`);
      const out: Organised = {
        template: a.template,
        included: papers.map((p) => ({ index: p.index, citeKey: p.citeKey })),
        ...organised,
      };
      writeJson(dataDir, organiseRel(a.runId), out);
      return { themes: out.themes.length, sections: out.outline.length, repaired: out.repaired };
    },
  };
}
