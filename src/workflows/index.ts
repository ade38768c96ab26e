// Every workflow the worker registers. Workflow code imports only types from activities.
export { harnessRun, progressQuery } from './harness-run';
