// The shapes the page reads from the dashboard API (mirrors src/dashboard/schemas.ts; see /api/openapi.json).
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total: number | null;
}

export interface RunSummary {
  run_id: string;
  kind: string;
  task: string;
  producer_model: string;
  evaluator_model: string;
  final: string;
  started_at: string;
  run_duration_s: number;
  input_tokens: number;
  output_tokens: number;
  wiggum_rounds: number;
  first_score: number | null;
  best_score: number | null;
  error: string | null;
  failed_stage: string | null;
  session: string;
  parent_id: string | null;
  workflow_id: string;
  has_trace: boolean;
}

export interface RunRecord {
  run_id: string;
  kind: string;
  task: string;
  producer_model: string;
  evaluator_model: string;
  evaluator_models: string[];
  run_duration_s: number;
  input_tokens: number;
  output_tokens: number;
  wiggum_rounds: number;
  wiggum_scores: number[];
  wiggum_dimensions: Record<string, (number | null)[]>;
  final: string;
  error: string | null;
  failed_stage: string | null;
  tool_calls: { name: string; query: string; urls: string[]; novelty_score: number | null }[];
  evaluator_scores: { model: string; round: number; composite: number | null; error?: string }[];
  /** Each evaluator's qualification as of the run (absent on older records: unknown). */
  evaluator_qualifications?: Record<string, RunQualification>;
  score_spread: number[];
  stages: Record<
    string,
    { duration_s: number; input_tokens: number; output_tokens: number; attempts: number }
  >;
  workflow_id: string;
  session_id: string | null;
  started_at: string;
}

export interface TextFile {
  path: string;
  text: string;
  bytes: number;
  truncated: boolean;
}

export interface FeedbackItem {
  ts: string;
  rating: number;
  comment: string;
}

export interface RunDetail {
  run: RunRecord;
  summary: RunSummary;
  output: TextFile | null;
  draft: TextFile | null;
  links: { trace: string | null; temporal_ui: string; perfetto: string; session: string };
  feedback: { count: number; mean: number | null; items: FeedbackItem[] };
}

export interface Memory {
  id: string;
  text: string;
  run_id: string | null;
  task: string | null;
  score: number | null;
  quality: number;
  tags: string[];
  created_at: string;
  updated_at: string;
  retrieved_count: number;
  last_retrieved_at: string | null;
  embedding_dims: number;
}

export interface GraphNode {
  id: string;
  label: string;
  run_id: string | null;
  task: string | null;
  score: number | null;
  quality: number;
  retrieved_count: number;
  has_embedding: boolean;
  created_at: string;
}

export interface GraphEdge {
  source: string;
  target: string;
  kind: 'similar' | 'same_run' | 'same_task';
  weight: number;
}

export interface MemoryGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  threshold: number;
  truncated: boolean;
}

export interface PruneCandidate {
  memory: Memory;
  reasons: { kind: string; detail: string; related_id?: string; similarity?: number }[];
}

export interface SecurityEvent {
  id: string;
  ts: string;
  run_id: string | null;
  event_type: string;
  layer: string;
  severity: 'block' | 'warn';
  detail: string;
}

interface SevCounts {
  block: number;
  warn: number;
  total: number;
}

export interface SecuritySummary {
  total: number;
  by_severity: { block: number; warn: number };
  by_event_type: ({ event_type: string } & SevCounts)[];
  by_layer: ({ layer: string } & SevCounts)[];
  runs_with_events: number;
  top_runs: ({ run_id: string } & SevCounts)[];
  first_ts: string | null;
  last_ts: string | null;
}

export interface SystemConfig {
  settings: Record<string, unknown>;
  harness: Record<string, unknown>;
  synth_instructions: Record<string, string>;
  dashboard: { host: string; port: number; token_required: boolean };
}

export interface FileInfo {
  name: string;
  path: string;
  editable: boolean;
  format: 'markdown' | 'json' | 'synth_instructions';
  description: string;
  exists: boolean;
  size: number;
  updated_at: string | null;
}

export interface FileContent extends FileInfo {
  content: string;
  version: string;
  has_previous: boolean;
}

export interface Skill {
  name: string;
  description: string;
  auto_hook: { pattern: string } | null;
  prompt_override: { stage: string; text: string } | null;
  has_auto_hook: boolean;
  has_prompt_override: boolean;
}

export interface Overview {
  kind: string;
  runs: number;
  by_status: Record<string, number>;
  pass_rate: number | null;
  mean_best_score: number | null;
  input_tokens: number;
  output_tokens: number;
  total_duration_s: number;
}

export interface FailureRateItem {
  producer_model: string;
  runs: number;
  by_status: Record<string, number>;
  failure_rate: number;
  error_rate: number;
}

export type QualificationStatus = 'qualified' | 'unqualified' | 'unknown';

export interface RunQualification {
  status: QualificationStatus;
  accuracy: number | null;
  accuracy_ci95: [number, number] | null;
  digest: string | null;
  at: string | null;
  reason: string | null;
}

export interface Evaluator {
  model: string;
  configured: boolean;
  status: QualificationStatus;
  reason: string | null;
  digest: string | null;
  rubric_version: string | null;
  accuracy: number | null;
  accuracy_ci95: [number, number] | null;
  position_consistency: number | null;
  length_bias: {
    shorter_better_accuracy: number | null;
    shorter_better_n: number;
    longer_better_accuracy: number | null;
    longer_better_n: number;
  } | null;
  n_pairs: number | null;
  pair_set: string | null;
  kind: 'full' | 'drift' | null;
  at: string | null;
  measurements: number;
  qualify_command: string;
}

export interface Notice {
  notice_id: string;
  at: string;
  kind: string;
  model: string | null;
  message: string;
}

export interface EvaluatorsList {
  items: Evaluator[];
  notices: Notice[];
  thresholds: { min_accuracy_lower_bound: number; min_position_consistency: number };
}

export interface ModelsView {
  models: {
    name: string;
    base: string;
    created_at: string;
    kind: string;
    steps: number;
    final_loss: number | null;
    tokens_per_s: number | null;
    dataset_rows: number;
    dataset_card_sha256: string | null;
    resumed_from: string | null;
  }[];
  evals: {
    eval_id: string;
    at: string;
    battery: string;
    model: string;
    baseline: string | null;
    mean_composite: number | null;
    pass_rate: number | null;
    diff_mean: number | null;
    diff_ci95: [number, number] | null;
    overfit_gap: number | null;
    allow_unqualified: boolean;
  }[];
  promotions: { at: string; model: string; alias: string; promote: boolean; reasons: string[] }[];
}
