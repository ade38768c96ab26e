// `/lit-review` as a skill of a harness run: the run starts the review as its child and reports its outcome.
import {
  ApplicationFailure,
  executeChild,
  ParentClosePolicy,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import { newRunId } from '../run-trace/run-id';
import type { HarnessInput } from '../harness/input';
import type { LitReviewInput } from '../lit-review/input';
import { REVIEW_RUBRIC } from '../lit-review/rubric';
import { LitReviewTaskError, parseLitReviewTask } from '../lit-review/skill-input';
import type { HarnessResult } from './harness-run';
import { litReview } from './lit-review';
import { runTrace } from '../run-trace/workflow';

/** Runs the literature review for a harness task that invoked the `lit-review` skill. */
export async function runLitReviewSkill(input: HarnessInput): Promise<HarnessResult> {
  const trace = runTrace();
  trace.enterStage('lit-review');
  let opts;
  try {
    opts = parseLitReviewTask(input.task);
  } catch (e) {
    if (e instanceof LitReviewTaskError)
      throw ApplicationFailure.nonRetryable(e.message, 'LitReviewTaskError');
    throw e;
  }
  const reviewId = newRunId(new Date(), uuid4().replace(/-/g, '').slice(0, 8));
  const review: LitReviewInput = {
    runId: reviewId,
    kind: 'lit_review',
    task: opts.topic,
    from: opts.from,
    to: opts.to,
    maxPapers: opts.maxPapers ?? 50,
    sources: opts.sources ?? ['local'],
    corpus: opts.corpus,
    template: opts.template ?? 'survey',
    maxQueries: Math.max(1, Math.min(10, input.maxQueries || 4)),
    producerModel: input.producerModel,
    plannerModel: input.plannerModel,
    curatorModel: input.evaluatorModels[0],
    evaluatorModels: input.evaluatorModels,
    producerTemperature: input.producerTemperature,
    plannerTemperature: input.plannerTemperature,
    curatorTemperature: input.evaluatorTemperature,
    evaluatorTemperature: input.evaluatorTemperature,
    maxRounds: input.maxRounds,
    threshold: input.threshold,
    numPredict: input.numPredict,
    rubricVersion: REVIEW_RUBRIC.version,
    parentId: workflowInfo().workflowId,
    sessionId: input.sessionId,
  };
  const result = await executeChild(litReview, {
    workflowId: `litreview-${reviewId}`,
    args: [review],
    // A review takes the better part of an hour and has its own record: terminating the short harness run
    // must not throw that work away. Cancelling the run still cancels the review (cancellation propagates).
    parentClosePolicy: ParentClosePolicy.ABANDON,
    staticSummary: `lit-review: ${opts.topic}`.slice(0, 200),
  });
  trace.setOutcome(result.final, result.outputPath, result.draftPath);
  return {
    runId: trace.runId,
    final: result.final,
    scores: result.scores,
    outputPath: result.outputPath,
    draftPath: result.draftPath,
  };
}
