// Output templates: what the organiser plans and what each section writer is asked for.

export const TEMPLATE_NAMES = ['survey', 'gaps'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export interface OutlineSection {
  heading: string;
  goal: string;
  /** Citation keys of the included papers this section draws on. */
  papers: string[];
}

export interface Theme {
  name: string;
  description: string;
  papers: string[];
}

export interface ReviewTemplate {
  name: TemplateName;
  title(topic: string): string;
  /** Told to the organiser: which sections the outline should have. */
  organise: string;
  /** Told to every section writer. */
  section: string;
  /** The outline used when the organiser's is unusable: built from the themes. */
  fallbackOutline(themes: Theme[], all: string[]): OutlineSection[];
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const TEMPLATES: Record<TemplateName, ReviewTemplate> = {
  survey: {
    name: 'survey',
    title: (topic) => `${cap(topic)}: a survey`,
    organise:
      'Plan a survey: an Introduction (scope and why the topic matters), one section per theme that compares the papers in it, a Cross-cutting observations section, and a Conclusion.',
    section:
      'Write this section of a survey. Compare and contrast the papers rather than summarising them one by one; say what they agree on, where they differ, and how strong the evidence is.',
    fallbackOutline: (themes, all) => [
      {
        heading: 'Introduction',
        goal: 'Scope of the survey and why the topic matters.',
        papers: all.slice(0, 6),
      },
      ...themes.map((t) => ({ heading: t.name, goal: t.description, papers: t.papers })),
      { heading: 'Conclusion', goal: 'What the field has established and what remains open.', papers: [] },
    ],
  },
  gaps: {
    name: 'gaps',
    title: (topic) => `${cap(topic)}: open problems and research gaps`,
    organise:
      'Plan a research-gaps review: a short Background section, one section per theme that states what is established and what is missing, a Contradictions and weak evidence section, and a Research agenda section listing concrete open questions.',
    section:
      'Write this section of a research-gaps review. Focus on limitations, untested assumptions, conflicting results and questions the papers leave open; ground each gap in the papers.',
    fallbackOutline: (themes, all) => [
      {
        heading: 'Background',
        goal: 'What the topic covers and the state of the art.',
        papers: all.slice(0, 6),
      },
      ...themes.map((t) => ({
        heading: `${t.name}: what is missing`,
        goal: t.description,
        papers: t.papers,
      })),
      {
        heading: 'Research agenda',
        goal: 'Concrete open questions, each grounded in the papers.',
        papers: [],
      },
    ],
  },
};
