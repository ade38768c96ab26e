// What every lit-review activity shares: the first argument's shape and the fatal-error helper.
import { ApplicationFailure } from '@temporalio/activity';

export interface LitStageArgs {
  runId: string;
  stage: string;
  round?: number;
  model?: string;
}

/** A failure no retry can fix (bad input, missing corpus): the review stops with this message. */
export function fatal(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'LitReviewError');
}

/** One line, at most `max` characters. */
export const oneLine = (s: string, max = 240) => s.replace(/\s+/g, ' ').trim().slice(0, max);
