import { z } from 'zod';
import { LlmError } from '../llm/client';
import { PLAN_SYSTEM } from '../harness/prompts';
import { activityLlm, readDataFile, workRel, writeDataFile, type ActivityDeps } from './deps';
import type { StageArgs } from './types';

export const PlanSchema = z.object({
  search_queries: z.array(z.string()).max(20),
  synthesis_notes: z.string(),
});

/** plan: the planner model turns the task plus memory context into search queries and synthesis notes. */
export function planActivities({ settings }: ActivityDeps) {
  const llm = activityLlm(settings);
  return {
    async plan(
      a: StageArgs & {
        task: string;
        model: string;
        temperature: number;
        memoryPath: string;
        maxQueries: number;
        numPredict: number;
      },
    ) {
      const memories = JSON.parse(readDataFile(settings.dataDir, a.memoryPath)) as { text: string }[];
      const memoryText = memories.length
        ? memories.map((m, i) => `(${i + 1}) ${m.text.slice(0, 400)}`).join('\n')
        : '(none)';
      const asked = llm.chatStructured({
        model: a.model,
        schema: PlanSchema,
        temperature: a.temperature,
        numPredict: a.numPredict,
        purpose: 'plan',
        messages: [
          { role: 'system', content: PLAN_SYSTEM },
          {
            role: 'user',
            content: `Task: ${a.task}\n\nMemory:\n${memoryText}\n\nGive up to ${a.maxQueries} distinct search queries.`,
          },
        ],
      });
      // An unusable plan is not fatal: the run then searches for the task itself (below).
      let planError: string | null = null;
      const res = await asked.catch((e: unknown) => {
        if (!(e instanceof LlmError) || e.kind !== 'parse') throw e;
        planError = e.message;
        return { value: { search_queries: [], synthesis_notes: '' }, repaired: true, truncated: false };
      });
      // Small models return empty or repeated queries: clean up, and fall back to the task itself.
      let queries = [
        ...new Set(res.value.search_queries.map((q) => q.trim()).filter((q) => q.length > 1)),
      ].slice(0, a.maxQueries);
      const fallback = queries.length === 0 && a.maxQueries > 0;
      if (fallback) queries = [a.task.slice(0, 200)];
      const planPath = writeDataFile(
        settings.dataDir,
        workRel(a.runId, 'plan.json'),
        JSON.stringify(
          {
            ...res.value,
            search_queries: queries,
            fallback_query: fallback,
            repaired: res.repaired,
            truncated: res.truncated,
            error: planError,
          },
          null,
          1,
        ),
      );
      return { planPath, queries };
    },
  };
}
