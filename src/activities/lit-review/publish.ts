// The end of a review: the final Markdown (best draft + the curation table), the BibTeX and the curation CSV.
import { readJsonl } from '../../audit/jsonl';
import { toBibtex } from '../../lit-review/bibtex';
import { toCsv } from '../../lit-review/csv';
import { MEAN_THRESHOLD, VETO_BELOW } from '../../lit-review/decision';
import { curationLogRel, outputRels } from '../../lit-review/paths';
import { PERSONA_NAMES } from '../../lit-review/personas';
import { loadCandidates } from '../../lit-review/store';
import type { CandidatePaper, CurationLine } from '../../lit-review/types';
import { resolveInside } from '../../security/sandbox';
import { readDataFile, writeDataFile, type ActivityDeps } from '../deps';
import type { LitStageArgs } from './common';
import { logDecisionIfComplete } from './curate';

const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
const scoreOf = (l: CurationLine, persona: string) => l.scores.find((s) => s.persona === persona);
const show = (n: number | null | undefined) => (n === null || n === undefined ? '–' : String(n));

export function curationTable(id: string, lines: CurationLine[]): string {
  const head = `| # | Paper | ${PERSONA_NAMES.join(' | ')} | Mean | Decision |`;
  const rule = `|---|---|${PERSONA_NAMES.map(() => '---').join('|')}|---|---|`;
  const rows = lines.map(
    (l) =>
      `| ${l.index + 1} | ${cellText(l.title)} (${l.cite_key}) | ${PERSONA_NAMES.map((p) => show(scoreOf(l, p)?.score)).join(' | ')} | ${show(l.mean)} | ${l.included ? 'included' : `excluded: ${cellText(l.reason)}`} |`,
  );
  const reasons = lines.map(
    (l) =>
      `- **${l.cite_key}** (${l.included ? 'included' : 'excluded'}): ` +
      l.scores.map((s) => `${s.persona} ${show(s.score)}: ${s.reason || s.error || '(none)'}`).join('; '),
  );
  const included = lines.filter((l) => l.included).length;
  return [
    '## Appendix: curation',
    `Five reviewer personas (${PERSONA_NAMES.join(', ')}) scored each of the ${lines.length} candidates from 1 to 5. ` +
      `A paper is excluded when the mean is below ${MEAN_THRESHOLD} or any persona scores below ${VETO_BELOW}. ` +
      `${included} included, ${lines.length - included} excluded. Every decision is in \`${outputRels(id).curationLog}\` and \`${outputRels(id).csv}\`.`,
    [head, rule, ...rows].join('\n'),
    `<details><summary>Persona reasons</summary>\n\n${reasons.join('\n')}\n\n</details>`,
  ].join('\n\n');
}

export function curationCsv(lines: CurationLine[], byIndex: Map<number, CandidatePaper>): string {
  const header = [
    'index',
    'cite_key',
    'paper_key',
    'title',
    'published',
    'url',
    'sources',
    ...PERSONA_NAMES.flatMap((p) => [p, `${p} reason`]),
    'mean',
    'vetoes',
    'missing',
    'decision',
    'reason',
  ];
  const rows = lines.map((l) => {
    const p = byIndex.get(l.index);
    return [
      l.index,
      l.cite_key,
      l.paper_key,
      l.title,
      l.published,
      p?.url ?? '',
      p?.sources.join(';') ?? '',
      ...PERSONA_NAMES.flatMap((name) => {
        const s = scoreOf(l, name);
        return [s?.score ?? '', s?.reason || s?.error || ''];
      }),
      l.mean ?? '',
      l.vetoes.join(';'),
      l.missing.join(';'),
      l.included ? 'included' : 'excluded',
      l.reason,
    ];
  });
  return toCsv([header, ...rows]);
}

export function litPublishActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    async litPublish(a: LitStageArgs & { draftPath: string | null; note: string | null }) {
      const candidates = loadCandidates(dataDir, a.runId);
      const byIndex = new Map(candidates.map((c) => [c.index, c]));
      // Every decision must be in the log before it is shown (a decision whose append was lost is re-added).
      for (const c of candidates) await logDecisionIfComplete(dataDir, a.runId, c);
      const logged = new Map<number, CurationLine>();
      for await (const l of readJsonl(resolveInside(dataDir, curationLogRel(a.runId)), { key: 'paper_key' }))
        logged.set((l as CurationLine).index, l as CurationLine);
      const lines = candidates.flatMap((c) => (logged.has(c.index) ? [logged.get(c.index)!] : []));
      const included = lines.filter((l) => l.included).map((l) => byIndex.get(l.index)!);

      const rels = outputRels(a.runId);
      const body = a.draftPath
        ? readDataFile(dataDir, a.draftPath).trimEnd()
        : `# Literature review\n\n${a.note ?? ''}`;
      writeDataFile(dataDir, rels.md, `${body}\n\n${curationTable(a.runId, lines)}\n`);
      writeDataFile(dataDir, rels.bib, toBibtex(included));
      writeDataFile(dataDir, rels.csv, curationCsv(lines, byIndex));
      // The log itself is a stage file (work/); its published copy, one decision per paper, sits next to the review.
      writeDataFile(dataDir, rels.curationLog, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      return {
        outputPath: rels.md,
        bibPath: rels.bib,
        csvPath: rels.csv,
        curationLogPath: rels.curationLog,
        included: included.length,
        decided: lines.length,
      };
    },
  };
}
