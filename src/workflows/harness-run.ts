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
import { auditActivities } from './audit-queue';
import { runTrace, type Progress } from './run-trace';

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
  const best = await wiggumLoop(input, runId, draft.draftPath);

  trace.enterStage('finalize');
  const final = best.composite !== null && best.composite >= input.threshold ? 'PASS' : 'FAIL';
  // Publishing and memories write the data folder: the audit writer does both.
  const { publishOutput, storeMemory } = auditActivities();
  const { outputPath } = await publishOutput({ runId, stage: 'finalize', draftPath: best.draftPath });
  trace.setOutcome(final, outputPath, draft.draftPath);
  if (best.composite !== null) {
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

/**
 * The Wiggum loop: score, revise below the threshold, re-score; at most maxRounds; keep the best round.
 * A round no evaluator could score (an unparseable, degenerate or out-of-range reply: an evaluator error) never
 * replaces a scored draft. Once some round has been scored, the loop goes on after such a round: the latest
 * draft is revised again with the latest scored round's feedback (before that, with none to go on, it ends).
 * An empty revision ends it too (there is nothing new to score).
 */
async function wiggumLoop(input: HarnessInput, runId: string, firstDraft: string): Promise<RoundResult> {
  const trace = runTrace();
  let draftPath = firstDraft;
  let best: RoundResult | null = null;
  let feedbackPath: string | null = null;
  for (let round = 1; round <= input.maxRounds; round++) {
    const scored = await evaluate({
      runId,
      stage: 'evaluate',
      round,
      task: input.task,
      draftPath,
      evaluators: input.evaluatorModels,
      temperature: input.evaluatorTemperature,
      numPredict: input.numPredict,
    });
    trace.recordRound(scored);
    if (best === null || isBetter(scored, best)) best = scored;
    if (scored.composite === null) {
      if (feedbackPath === null || !patched(CONTINUE_AFTER_UNSCORED_ROUND)) break;
    } else {
      feedbackPath = scored.feedbackPath;
      if (scored.composite >= input.threshold) break;
    }
    if (round === input.maxRounds) break;
    const revised = await revise({
      runId,
      stage: 'evaluate',
      round: round + 1,
      task: input.task,
      draftPath,
      feedbackPath,
      model: input.producerModel,
      temperature: input.producerTemperature,
      numPredict: input.numPredict,
    });
    if (revised.unchanged) break;
    draftPath = revised.draftPath;
  }
  return best!;
}

/** A scored round beats an unscored one; between scored rounds the higher composite wins (ties: the earlier). */
function isBetter(r: RoundResult, best: RoundResult): boolean {
  if (r.composite === null) return false;
  return best.composite === null || r.composite > best.composite;
}
