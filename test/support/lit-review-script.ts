// Scripted-model rules for the literature review: every stage's prompt is recognised by its last message,
// persona scores are chosen per (persona, paper title), and request counts are kept per (paper, persona).
import fs from 'node:fs';
import path from 'node:path';
import type { RecordedRequest, ScriptedOllama } from './scripted-ollama';

export const SHARED_PAPERS = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'data',
  'arxiv-agentic-papers.jsonl',
);
const BUNDLED = path.resolve(__dirname, '..', '..', 'corpus', 'arxiv-agentic-papers.jsonl');

export interface CorpusRow {
  arxiv_id: string;
  title: string;
  published: string;
  [k: string]: unknown;
}

/** The shared 300 arXiv papers (the project's bundled copy when ../shared is absent). */
export function sharedPapers(): CorpusRow[] {
  const file = fs.existsSync(SHARED_PAPERS) ? SHARED_PAPERS : BUNDLED;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CorpusRow);
}

export function writeCorpus(file: string, rows: CorpusRow[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

export const personaOf = (r: RecordedRequest) => /^Reviewer persona: (\w+)/.exec(r.lastMessage ?? '')?.[1];
export const titleOf = (r: RecordedRequest) => /^Title: (.*)$/m.exec(r.lastMessage ?? '')?.[1];

/** Persona requests received, per `<title>|<persona>`. */
export function personaCalls(ollama: ScriptedOllama): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of ollama.requests) {
    const persona = personaOf(r);
    if (r.endpoint !== 'chat' || !persona) continue;
    const k = `${titleOf(r)}|${persona}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

const keysAfter = (text: string, label: string) =>
  (new RegExp(`${label}:? (.*)$`, 'm').exec(text)?.[1] ?? '')
    .split(',')
    .map((k) => k.trim().replace(/\.$/, ''))
    .filter(Boolean);

const reviewScores = (v: number) => ({
  scores: { coverage: v, synthesis: v, accuracy: v, structure: v, citations: v },
  issues: v < 8 ? ['compare the papers more'] : [],
  feedback: v < 8 ? 'add synthesis' : 'good',
});

export interface LitScript {
  /** Score a persona gives a paper (by title). */
  score(persona: string, title: string): number;
  /** Review composite per evaluation, in order; the last repeats. Default [9]. */
  reviews?: number[];
  /** Latency of persona and extraction calls. */
  paperLatencyMs?: number;
  /** Queries the planner proposes for the local source. */
  localQueries?: string[];
}

export function scriptLitReview(ollama: ScriptedOllama, s: LitScript): void {
  const reviews = s.reviews ?? [9];
  let reviewed = 0;
  ollama.rule({
    match: /^Reviewer persona: /,
    latencyMs: s.paperLatencyMs,
    respond: (r) => {
      const persona = personaOf(r)!;
      return { score: s.score(persona, titleOf(r)!), reason: `${persona} read it` };
    },
  });
  ollama.rule({
    match: /^Extract problem/,
    latencyMs: s.paperLatencyMs,
    respond: (r) => ({
      problem: `the problem of ${titleOf(r)}`,
      method: 'a method',
      evidence: 'benchmarks',
      key_claims: ['it works'],
      limitations: 'small study',
    }),
  });
  ollama.rule({ match: /queries for each source/, respond: { local: s.localQueries ?? ['agent'] } });
  ollama.rule({
    match: /^Organise the papers/,
    respond: (r) => {
      const keys = [...(r.lastMessage ?? '').matchAll(/^- ([^:\s]+):/gm)].map((m) => m[1]);
      return {
        themes: [{ name: 'Agents', description: 'agent papers', papers: [...keys, 'ghost1999x'] }],
        outline: [
          { heading: 'Introduction', goal: 'scope', papers: keys.slice(0, 1) },
          { heading: 'Approaches', goal: 'compare', papers: keys },
          { heading: 'Conclusion', goal: 'wrap up', papers: [] },
        ],
      };
    },
  });
  // Section and revision writers cite one real paper and one invented one; so does the repair.
  ollama.rule({
    match: /Write the section "([^"]+)"/,
    respond: (r) => {
      const keys = keysAfter(r.lastMessage ?? '', 'Citation keys you may use');
      return `Text about agents [@${keys[0]}] and an invented source [@fake2099x; @${keys[0]}].`;
    },
  });
  ollama.rule({
    match: /^These citation keys name no paper/,
    respond: (r) => {
      const keys = keysAfter(r.lastMessage ?? '', 'Rewrite the text citing only these keys');
      return `Repaired text [@${keys[0]}] still citing [@ghost2020x].`;
    },
  });
  ollama.rule({
    match: /Body to revise:/,
    respond: (r) => {
      const keys = [...(r.lastMessage ?? '').matchAll(/^\[@([^\]]+)\]/gm)].map((m) => m[1]);
      return `## Introduction\n\nRevised, comparing [@${keys[0]}] with [@${keys[keys.length - 1]}] and [@invented1999x].`;
    },
  });
  ollama.rule({
    match: /Review to score:/,
    respond: () => reviewScores(reviews[Math.min(reviewed++, reviews.length - 1)]),
  });
}
