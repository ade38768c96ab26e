// Shapes that cross the workflow/activity boundary. Small by design: LLM text travels as file paths.
import type { DimensionScores } from '../harness/rubric';

export type FinalStatus = 'PASS' | 'FAIL' | 'ERROR' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

export type ToolCall = {
  name: string;
  query: string;
  urls: string[];
  novelty_score: number | null;
};

export interface EvaluatorScore {
  model: string;
  composite: number | null;
  dimensions: DimensionScores | null;
  error: string | null;
  repaired: boolean;
}

export interface RoundResult {
  round: number;
  draftPath: string;
  composite: number | null;
  dimensions: DimensionScores | null;
  perEvaluator: EvaluatorScore[];
  spread: number | null;
  feedbackPath: string | null;
  error: string | null;
}

/** A span measured in workflow time (deterministic), in epoch milliseconds. */
export interface WorkflowSpan {
  name: string;
  cat: string;
  startMs: number;
  endMs: number;
  lane: string;
  args?: Record<string, unknown>;
}

export interface FinalizeInput {
  runId: string;
  workflowId: string;
  temporalRunId: string;
  parentId: string | null;
  input: Record<string, any>;
  status: FinalStatus;
  error: string | null;
  failedStage: string | null;
  startedAtMs: number;
  endedAtMs: number;
  rounds: RoundResult[];
  toolCalls: ToolCall[];
  outputPath: string | null;
  draftPath: string | null;
  evaluatorErrors: string[];
  spans: WorkflowSpan[];
}

/** Common first argument of every stage activity: RunTrace reads runId/stage from it. */
export interface StageArgs {
  runId: string;
  stage: string;
  round?: number;
  model?: string;
}
