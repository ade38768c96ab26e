import fs from 'node:fs';
import path from 'node:path';
import { DIMENSIONS } from './rubric';

/** The three SYNTH_INSTRUCTION values: shown and edited by the dashboard, pinned by every run when it starts. */
export interface SynthInstructions {
  SYNTH_INSTRUCTION: string;
  SYNTH_INSTRUCTION_REVISE: string;
  SYNTH_INSTRUCTION_FORMAT: string;
}

export const DEFAULT_SYNTH_INSTRUCTIONS: SynthInstructions = {
  SYNTH_INSTRUCTION:
    'Write a thorough, specific answer to the task using the sources. Cite sources inline as [n]. Prefer concrete methods, numbers and named systems over generalities.',
  SYNTH_INSTRUCTION_REVISE:
    'Revise the draft to fix every issue the reviewer raised. Keep what was good, add missing specifics, keep citations grounded in the sources.',
  SYNTH_INSTRUCTION_FORMAT:
    'Use Markdown with a title, short sections with headings, and a closing list of sources.',
};

export const SYNTH_FILE = 'governance/synth_instructions.json';
/** The instructions a run uses, pinned at its start (by the audit worker, which owns governance/) among its stage files. */
export const runSynthRel = (runId: string) => `work/${runId}/synth_instructions.json`;

export function loadSynthInstructions(dataDir: string): SynthInstructions {
  const file = path.join(dataDir, SYNTH_FILE);
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SynthInstructions>;
    return { ...DEFAULT_SYNTH_INSTRUCTIONS, ...parsed };
  } catch {
    return DEFAULT_SYNTH_INSTRUCTIONS;
  }
}

/**
 * The run's pinned instructions (any stage worker sees them: they are a stage file), or, for a run started
 * before pinning existed, the data folder's current ones.
 */
export function loadRunSynthInstructions(dataDir: string, runId: string): SynthInstructions {
  try {
    const pinned = JSON.parse(
      fs.readFileSync(path.join(dataDir, runSynthRel(runId)), 'utf8'),
    ) as SynthInstructions;
    return { ...DEFAULT_SYNTH_INSTRUCTIONS, ...pinned };
  } catch {
    return loadSynthInstructions(dataDir);
  }
}

export const PLAN_SYSTEM =
  'You are a research planner. Given a task and notes from memory, produce web/corpus search queries and short notes for the writer. Reply with JSON only.';

export const EVAL_SYSTEM = `You are a strict reviewer. Score the draft for the task on each dimension from 0 to 10: ${DIMENSIONS.join(', ')}. List concrete issues and feedback for revision. Reply with JSON only.`;

/**
 * The direct preference prompt: which of two responses (slots A and B) fulfils the task better. Used by
 * `flywheel judge qualify` (both orders, for position consistency) and `flywheel calibrate`.
 */
export const PAIRWISE_SYSTEM =
  'You compare two responses to the same task. Judge which one fulfils the task better (relevance, completeness, ' +
  'depth, specificity, structure, groundedness). Reply with JSON only: {"better": "A"} or {"better": "B"}.';
