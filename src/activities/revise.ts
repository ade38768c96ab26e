import { loadRunSynthInstructions } from '../harness/prompts';
import { activityLlm, readDataFile, type ActivityDeps } from './deps';
import { writeDraft } from './synthesize';
import type { StageArgs } from './types';

/** revise: the producer rewrites the draft with the evaluator's issues and feedback (Wiggum loop). */
export function reviseActivities({ settings }: ActivityDeps) {
  const llm = activityLlm(settings);
  return {
    async revise(
      a: StageArgs & {
        task: string;
        draftPath: string;
        feedbackPath: string | null;
        model: string;
        temperature: number;
        numPredict: number;
        round: number;
      },
    ) {
      const ins = loadRunSynthInstructions(settings.dataDir, a.runId);
      const draft = readDataFile(settings.dataDir, a.draftPath);
      const feedback = a.feedbackPath ? readDataFile(settings.dataDir, a.feedbackPath) : '(no feedback)';
      const res = await llm.chat({
        model: a.model,
        temperature: a.temperature,
        numPredict: a.numPredict,
        purpose: 'revise',
        messages: [
          { role: 'system', content: `${ins.SYNTH_INSTRUCTION_REVISE}\n${ins.SYNTH_INSTRUCTION_FORMAT}` },
          {
            role: 'user',
            content: `Task: ${a.task}\n\nReviewer feedback:\n${feedback}\n\nDraft to revise:\n${draft}`,
          },
        ],
      });
      // An empty revision never replaces the draft: the loop sees `unchanged` and stops revising.
      const draftPath = await writeDraft(settings.dataDir, a.runId, a.round, res.content);
      return draftPath === null
        ? { draftPath: a.draftPath, unchanged: true }
        : { draftPath, unchanged: false };
    },
  };
}
