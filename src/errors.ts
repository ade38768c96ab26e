// The one error contract for activities: an error says whether a retry can help (`retryable`) and may name its
// `kind`. The activity interceptor (src/run-trace/activity.ts) turns every non-retryable one into a
// non-retryable ApplicationFailure typed `<name>[.<kind>]`, so Temporal stops retrying at once and the record and
// Web UI show why; anything else is left to the activity's retry policy.
import { ApplicationFailure } from '@temporalio/common';

/** An error that knows whether retrying can help: LlmError, SearchError, PaperSourceError, PathSandboxError… */
export interface ContractError extends Error {
  readonly retryable: boolean;
  readonly kind?: string;
}

export function isContractError(e: unknown): e is ContractError {
  return e instanceof Error && typeof (e as Partial<ContractError>).retryable === 'boolean';
}

/** The failure an activity throws for `e`: non-retryable and typed when the error says retrying cannot help. */
export function toActivityFailure(e: unknown): unknown {
  if (e instanceof ApplicationFailure || !isContractError(e) || e.retryable) return e;
  const type = typeof e.kind === 'string' ? `${e.name}.${e.kind}` : e.name;
  return ApplicationFailure.create({ message: e.message, type, nonRetryable: true, cause: e });
}
