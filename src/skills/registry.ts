// The skill registry: named capabilities as plain data. Pure (no Node imports): workflows import it.

export interface Skill {
  name: string;
  description: string;
  /** When a task should trigger the skill by itself: a case-insensitive regular expression source. */
  autoHook: { pattern: string } | null;
  /** Text added to one stage's prompt while the skill is active. */
  promptOverride: { stage: string; text: string } | null;
}

const SKILLS: readonly Skill[] = [
  {
    name: 'lit-review',
    description:
      'Seven-stage literature review (plan, retrieve, five-persona curation, extract, organise, write, review) ' +
      'that writes a cited survey, a BibTeX file and a curation table. Usage: /lit-review "<topic>" ' +
      '[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--max-papers N] [--source local,arxiv,semanticscholar,openalex] ' +
      '[--corpus file] [--template survey|gaps]',
    // Tasks that ask for a survey or review of papers / the literature; a bare "survey X" does not count.
    autoHook: {
      pattern:
        '\\b(literature (review|survey)|(survey|review) (of|on) (the )?(recent |published |academic |research )?(papers|literature|publications)|(survey|review) the (recent |published |academic |research )?(papers|literature))\\b',
    },
    promptOverride: null,
  },
  {
    name: 'deep-synthesis',
    description:
      'Asks the writer to compare sources against each other instead of summarising them one by one.',
    autoHook: null,
    promptOverride: {
      stage: 'synthesize',
      text: 'Do not summarise sources one at a time: group them by claim, say where they agree and disagree, and state which evidence is strongest and why.',
    },
  },
  {
    name: 'strict-citations',
    description:
      'Every factual sentence must carry a citation to a provided source; unsupported claims are dropped.',
    autoHook: null,
    promptOverride: {
      stage: 'synthesize',
      text: 'Every factual sentence must cite one of the provided sources. If no source supports a claim, leave the claim out.',
    },
  },
];

export function listSkills(): Skill[] {
  return SKILLS.map((s) => ({ ...s }));
}

/** The skill a task invokes: `/name …` explicitly, else the first skill whose auto-hook matches. */
export function matchSkill(task: string): Skill | null {
  const text = task.trim();
  const command = /^\/([a-z][a-z0-9-]*)(?:\s|$)/i.exec(text);
  if (command) {
    const named = SKILLS.find((s) => s.name === command[1].toLowerCase());
    if (named) return { ...named };
  }
  for (const s of SKILLS) {
    if (s.autoHook && new RegExp(s.autoHook.pattern, 'i').test(text)) return { ...s };
  }
  return null;
}

/** The prompt-override text a task's skill adds to `stage` (`/deep-synthesis …`, `/strict-citations …`), or null. */
export function stageOverride(task: string, stage: string): string | null {
  const skill = matchSkill(task);
  return skill?.promptOverride?.stage === stage ? skill.promptOverride.text : null;
}
