// The compact summary the dashboard keeps in memory per run (the full record stays on disk, found by its offset).
import { RUN_ID_RE, RunKind, RunStatus } from '../audit/records';
import type { LineRef } from './jsonl-index';

export interface RunRow {
  run_id: string;
  kind: Kind;
  task: string;
  /** Lower-cased task for text search (the same string when the task has no capitals). */
  task_lc: string;
  producer_model: string;
  evaluator_model: string;
  final: Status;
  started_at: string;
  started_ms: number;
  run_duration_s: number;
  input_tokens: number;
  output_tokens: number;
  wiggum_rounds: number;
  first_score: number | null;
  best_score: number | null;
  error: string | null;
  failed_stage: string | null;
  /** The session this run belongs to: session_id, else the parent (a parent harness run's own id), else the run itself. */
  session: string;
  session_id: string | null;
  parent_id: string | null;
  workflow_id: string;
  has_trace: boolean;
  ref: LineRef;
}
export type Kind = (typeof RunKind.options)[number];
export type Status = (typeof RunStatus.options)[number];

const KINDS = new Set<string>(RunKind.options);
const STATUSES = new Set<string>(RunStatus.options);
const ERROR_CHARS = 300;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A child of a harness run (`run-<run_id>`, e.g. a lit-review) joins that run's session. */
function parentSession(parentId: string | null): string | null {
  const m = parentId && /^run-(\d{8}T\d{6}_[0-9a-f]{8})$/.exec(parentId);
  return m ? m[1] : parentId;
}

/** Repeated strings (model names, kinds) are stored once. */
export class Interner {
  private map = new Map<string, string>();
  get(s: string): string {
    let v = this.map.get(s);
    if (v === undefined) {
      v = s;
      if (this.map.size < 10_000) this.map.set(s, s);
    }
    return v;
  }
}

/**
 * The summary of a runs.jsonl record, or null when the fields the dashboard relies on are missing or mistyped.
 * A light check instead of the full RunRecord schema, so indexing 100k records stays quick.
 */
export function toRunRow(r: Record<string, unknown>, ref: LineRef, intern: Interner): RunRow | null {
  const { run_id, kind, task, producer_model, evaluator_model, final, started_at } = r;
  if (typeof run_id !== 'string' || !RUN_ID_RE.test(run_id)) return null;
  if (typeof kind !== 'string' || !KINDS.has(kind)) return null;
  if (typeof final !== 'string' || !STATUSES.has(final)) return null;
  if (typeof task !== 'string' || typeof producer_model !== 'string' || typeof evaluator_model !== 'string')
    return null;
  if (typeof started_at !== 'string') return null;
  const started_ms = Date.parse(started_at);
  if (!Number.isFinite(started_ms)) return null;
  if (!isNum(r.run_duration_s) || !isNum(r.input_tokens) || !isNum(r.output_tokens)) return null;
  if (!Array.isArray(r.wiggum_scores) || !r.wiggum_scores.every(isNum)) return null;
  const scores = r.wiggum_scores as number[];
  const session_id = strOrNull(r.session_id);
  const parent_id = strOrNull(r.parent_id);
  const error = strOrNull(r.error);
  return {
    run_id,
    kind: kind as Kind,
    task,
    task_lc: task.toLowerCase(),
    producer_model: intern.get(producer_model),
    evaluator_model: intern.get(evaluator_model),
    final: final as Status,
    started_at,
    started_ms,
    run_duration_s: r.run_duration_s,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    wiggum_rounds: isNum(r.wiggum_rounds) ? r.wiggum_rounds : scores.length,
    first_score: scores.length ? scores[0] : null,
    best_score: scores.length ? Math.max(...scores) : null,
    error: error && error.length > ERROR_CHARS ? `${error.slice(0, ERROR_CHARS - 1)}…` : error,
    failed_stage: strOrNull(r.failed_stage),
    session: session_id ?? parentSession(parent_id) ?? run_id,
    session_id,
    parent_id,
    workflow_id: typeof r.workflow_id === 'string' ? r.workflow_id : `run-${run_id}`,
    has_trace: typeof r.trace_path === 'string' && r.trace_path !== '',
    ref,
  };
}

/** The public shape of a row (what the runs list returns). */
export function publicRow(row: RunRow) {
  return {
    run_id: row.run_id,
    kind: row.kind,
    task: row.task,
    producer_model: row.producer_model,
    evaluator_model: row.evaluator_model,
    final: row.final,
    started_at: row.started_at,
    run_duration_s: row.run_duration_s,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    wiggum_rounds: row.wiggum_rounds,
    first_score: row.first_score,
    best_score: row.best_score,
    error: row.error,
    failed_stage: row.failed_stage,
    session: row.session,
    parent_id: row.parent_id,
    workflow_id: row.workflow_id,
    has_trace: row.has_trace,
  };
}
