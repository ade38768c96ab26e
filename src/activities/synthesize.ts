import { LlmError } from '../llm/client';
import { loadRunSynthInstructions } from '../harness/prompts';
import { scanAndRecord } from '../security/events';
import { stageOverride } from '../skills/registry';
import { activityLlm, readDataFile, workRel, writeDataFile, type ActivityDeps } from './deps';
import type { Source } from './research';
import type { StageArgs } from './types';

/** Drafts are stage files (`work/`); the audit writer publishes the best one to `outputs/<run_id>.md`. */
export const draftRel = (runId: string, round: number) => workRel(runId, `draft.r${round}.md`);

/**
 * Scans a draft before it is written: findings are logged; blocked spans are removed. Returns its path, or
 * null when nothing is left to write (an empty answer, or one that was all blocked).
 */
export async function writeDraft(
  dataDir: string,
  runId: string,
  round: number,
  text: string,
): Promise<string | null> {
  if (!text.trim()) return null;
  const scan = await scanAndRecord(dataDir, text, { runId, layer: 'synthesis_write' });
  const body = scan.verdict === 'block' ? scan.sanitized : text;
  if (!body.trim()) return null;
  return writeDataFile(dataDir, draftRel(runId, round), body);
}

export function formatSources(sources: Source[]): string {
  return sources.length
    ? sources.map((s) => `[${s.n}] ${s.title} (${s.url})\n${s.text}`).join('\n\n')
    : '(no sources found)';
}

/** synthesize: the producer model writes the round-1 draft from the plan and the sources. */
export function synthesizeActivities({ settings }: ActivityDeps) {
  const llm = activityLlm(settings);
  return {
    async synthesize(
      a: StageArgs & {
        task: string;
        model: string;
        temperature: number;
        planPath: string;
        sourcesPath: string;
        numPredict: number;
        round: number;
      },
    ) {
      const ins = loadRunSynthInstructions(settings.dataDir, a.runId);
      const planned = JSON.parse(readDataFile(settings.dataDir, a.planPath)) as { synthesis_notes?: string };
      const sources = JSON.parse(readDataFile(settings.dataDir, a.sourcesPath)) as Source[];
      // A prompt-override skill named by the task (`/strict-citations …`) adds its text to this stage's instructions.
      const override = stageOverride(a.task, 'synthesize');
      const system = [ins.SYNTH_INSTRUCTION, ins.SYNTH_INSTRUCTION_FORMAT, override]
        .filter(Boolean)
        .join('\n');
      const res = await llm.chat({
        model: a.model,
        temperature: a.temperature,
        numPredict: a.numPredict,
        purpose: 'synthesize',
        messages: [
          { role: 'system', content: system },
          {
            role: 'user',
            content: `Task: ${a.task}\n\nPlanner notes: ${planned.synthesis_notes ?? ''}\n\nSources:\n${formatSources(sources)}`,
          },
        ],
      });
      const draftPath = await writeDraft(settings.dataDir, a.runId, a.round, res.content);
      // An empty first draft leaves nothing to evaluate: retried like a server error.
      if (draftPath === null) throw new LlmError(`${a.model} returned an empty answer`, true, 'server');
      return { draftPath, truncated: res.doneReason === 'length' };
    },
  };
}
