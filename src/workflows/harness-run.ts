import {
  defineQuery,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RoundResult } from '../activities/types';
import type { HarnessInput } from '../harness/input';
import { FlywheelKind, FlywheelProducer } from '../temporal/search-attributes';
import { matchSkill } from '../skills/registry';
import { runLitReviewSkill } from './lit-review-skill';
import { firstDraft, llmStage } from './first-draft';
import { auditActivities } from '../run-trace/audit-queue';
import { runTrace, type Progress } from '../run-trace/workflow';
import { wiggumLoop } from './wiggum';
import { verdict } from '../run-trace/definitions';

export const progressQuery = defineQuery<Progress>('progress');

export interface HarnessResult {
  runId: string;
  final: 'PASS' | 'FAIL';
  scores: number[];
  outputPath: string | null;
  draftPath: string | null;
}

// Timeouts and retries are explicit per stage (the first draft's stages: ./first-draft.ts).
const { evaluate, revise } = proxyActivities<Activities>({ startToCloseTimeout: '60 minutes', ...llmStage });

/** A harness run: plan → research → synthesize → evaluate (the Wiggum loop) → finalize. */
export async function harnessRun(input: HarnessInput): Promise<HarnessResult> {
  const trace = runTrace();
  const runId = trace.runId;
  setHandler(progressQuery, () => trace.progress());
  upsertSearchAttributes([
    { key: FlywheelKind, value: input.kind },
    { key: FlywheelProducer, value: input.producerModel },
  ]);
  // `/lit-review …` (or a task its auto-hook matches) runs the literature review as a child workflow.
  if (input.kind === 'run' && matchSkill(input.task)?.name === 'lit-review') return runLitReviewSkill(input);

  const draft = await firstDraft(trace, input);

  trace.enterStage('evaluate');
  const best = await harnessWiggum(input, runId, draft.draftPath);

  trace.enterStage('finalize');
  const final = verdict(best.composite, input.threshold);
  // Publishing and memories write the data folder: the audit writer does both.
  const { publishOutput, storeMemory } = auditActivities();
  const { outputPath } = await publishOutput({ runId, stage: 'finalize', draftPath: best.draftPath });
  trace.setOutcome(final, outputPath, draft.draftPath);
  // Eval runs leave no memories: later runs (and evals) must not recall a battery answer.
  if (best.composite !== null && input.kind !== 'eval') {
    await storeMemory({
      runId,
      stage: 'finalize',
      task: input.task,
      outputPath,
      score: best.composite,
      embedModel: input.embedModel,
    });
  }
  return { runId, final, scores: trace.progress().scores, outputPath, draftPath: draft.draftPath };
}

/** Marks histories whose Wiggum loop goes on after a round no evaluator could score (see wiggumLoop). */
export const CONTINUE_AFTER_UNSCORED_ROUND = 'wiggum-continue-after-unscored-round';

/** The harness's Wiggum loop (src/workflows/wiggum.ts) with the product's rubric and revise prompt. */
function harnessWiggum(input: HarnessInput, runId: string, firstDraft: string): Promise<RoundResult> {
  const common = { runId, stage: 'evaluate', task: input.task, numPredict: input.numPredict };
  return wiggumLoop(firstDraft, {
    maxRounds: input.maxRounds,
    threshold: input.threshold,
    score: (round, draftPath) =>
      evaluate({
        ...common,
        round,
        draftPath,
        evaluators: input.evaluatorModels,
        temperature: input.evaluatorTemperature,
      }),
    revise: ({ round, draftPath, feedbackPath }) =>
      revise({
        ...common,
        round,
        draftPath,
        feedbackPath,
        model: input.producerModel,
        temperature: input.producerTemperature,
      }),
    // Histories recorded before this rule ended the loop at an unscored round; they replay as they ran.
    continueAfterUnscored: () => patched(CONTINUE_AFTER_UNSCORED_ROUND),
  });
}
