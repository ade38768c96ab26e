// plan → research → synthesize: the first draft, as the seed writes it. Shared by harness runs and rollout candidates.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HarnessInput } from '../harness/input';
import { auditActivities } from '../run-trace/audit-queue';
import type { RunTrace } from '../run-trace/workflow';
import { llmStage } from '../run-trace/definitions';

export { llmStage };

const { plan, research } = proxyActivities<Activities>({ startToCloseTimeout: '15 minutes', ...llmStage });
const { synthesize } = proxyActivities<Activities>({ startToCloseTimeout: '60 minutes', ...llmStage });

export type DraftInput = Pick<
  HarnessInput,
  | 'task'
  | 'kind'
  | 'embedModel'
  | 'plannerModel'
  | 'plannerTemperature'
  | 'maxQueries'
  | 'resultsPerQuery'
  | 'producerModel'
  | 'producerTemperature'
  | 'numPredict'
>;

export async function firstDraft(trace: RunTrace, input: DraftInput): Promise<{ draftPath: string }> {
  const runId = trace.runId;
  trace.enterStage('plan');
  // The memory store is in the data folder: recall runs on the audit queue (it marks what it retrieves).
  const memory = await auditActivities().recallMemories({
    runId,
    stage: 'plan',
    task: input.task,
    embedModel: input.embedModel,
    // An eval run is measured on its own: no memories of earlier runs (another model's answer to this task).
    ...(input.kind === 'eval' ? { limit: 0 } : {}),
  });
  const thePlan = await plan({
    runId,
    stage: 'plan',
    task: input.task,
    model: input.plannerModel,
    temperature: input.plannerTemperature,
    memoryPath: memory.memoryPath,
    maxQueries: input.maxQueries,
    numPredict: input.numPredict,
  });

  trace.enterStage('research');
  const found = await research({
    runId,
    stage: 'research',
    queries: thePlan.queries,
    embedModel: input.embedModel,
    resultsPerQuery: input.resultsPerQuery,
    memoryPath: memory.memoryPath,
  });
  trace.recordToolCalls(found.toolCalls);

  trace.enterStage('synthesize');
  const draft = await synthesize({
    runId,
    stage: 'synthesize',
    round: 1,
    task: input.task,
    model: input.producerModel,
    temperature: input.producerTemperature,
    planPath: thePlan.planPath,
    sourcesPath: found.sourcesPath,
    numPredict: input.numPredict,
  });
  return { draftPath: draft.draftPath };
}
