// The five curation personas. Pure data: the workflow imports the names, the curate activity the prompts.

export const PERSONAS = [
  {
    name: 'Pragmatist',
    focus:
      'You care about practical value: does the paper solve a real problem on the topic with a result someone could use or build on?',
  },
  {
    name: 'Rigorist',
    focus:
      'You care about methodological soundness: evaluation design, baselines, ablations and how strong the evidence is for the claims.',
  },
  {
    name: 'Synthesizer',
    focus:
      'You care about how the paper connects to other work on the topic: does it help build a coherent picture of the field?',
  },
  {
    name: 'Contrarian',
    focus:
      'You are sceptical: look for overclaiming, thin novelty and weak relevance to the topic. Relevance must be earned.',
  },
  {
    name: 'Newcomer',
    focus:
      'You read as someone new to the topic: is the paper clear, and would it be a useful entry point for understanding the area?',
  },
] as const;

export type PersonaName = (typeof PERSONAS)[number]['name'];

export const PERSONA_NAMES: PersonaName[] = PERSONAS.map((p) => p.name);
