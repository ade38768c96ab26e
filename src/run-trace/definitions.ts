// What every part of RunTrace agrees on (workflow-safe: no Node built-ins): which workflow types are runs, the
// verdict of a scored run, and the retry policy of the LLM stages. The audit queue is in ./audit-queue.ts.

/** Workflow types that are runs: one record and one trace each (interceptors, finalize and the sweeper). */
export const TRACED_WORKFLOW_TYPES = ['harnessRun', 'rolloutCandidate', 'litReview'] as const;

/** PASS when the best scored round reached the threshold; an unscored run never passes. */
export const verdict = (composite: number | null, threshold: number): 'PASS' | 'FAIL' =>
  composite !== null && composite >= threshold ? 'PASS' : 'FAIL';

/** LLM stages heartbeat (every 2 s from the RunTrace activity interceptor), so a dead worker is noticed in 20 s. */
export const llmStage = {
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 5 },
} as const;
