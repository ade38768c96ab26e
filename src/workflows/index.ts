// Every workflow the worker registers. Workflow code imports only types from activities.
export { harnessRun, progressQuery } from './harness-run';
export { rolloutBatch, rolloutTask, rolloutCandidate, rolloutProgressQuery } from './rollout';
export { litReview, litReviewBatch, litReviewProgressQuery, paperDoneSignal } from './lit-review';
export { sweeper } from './sweeper';
export { judgeQualify, judgeProgressQuery } from './judge';
export { trainWorkflow, trainPhaseQuery } from './train';
export { evalBattery, evalProgressQuery } from './eval';
export { promoteLoop } from './promote';
