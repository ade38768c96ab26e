// What every lit-review activity shares: the LLM connection settings and the first argument's shape.
import { ApplicationFailure } from '@temporalio/activity';
import type { Settings } from '../../config';
import { cancelSignal } from '../deps';

export interface LitStageArgs {
  runId: string;
  stage: string;
  round?: number;
  model?: string;
}

export function llm(settings: Settings) {
  return {
    host: settings.OLLAMA_HOST,
    signal: cancelSignal(),
    timeoutMs: settings.FLYWHEEL_LLM_TIMEOUT_S * 1000,
  };
}

/** A failure no retry can fix (bad input, missing corpus): the review stops with this message. */
export function fatal(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'LitReviewError');
}

/** One line, at most `max` characters. */
export const oneLine = (s: string, max = 240) => s.replace(/\s+/g, ' ').trim().slice(0, max);
