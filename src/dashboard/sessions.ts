// Runs grouped by the job that started them: a CLI submission, a rollout batch or a lit-review.
// The group is the run's session_id, else its parent_id (the parent workflow), else the run itself.
import type { KeysetCursor } from './paging';
import type { RunRow, Status } from './run-row';

export type SessionKind = 'cli' | 'rollout_batch' | 'lit_review' | 'eval';

export interface Session {
  id: string;
  kind: SessionKind;
  /** Which field grouped the runs. */
  source: 'session_id' | 'parent_id' | 'run';
  runs: number[];
  by_status: Partial<Record<Status, number>>;
  first_ms: number;
  last_ms: number;
  first_started_at: string;
  last_started_at: string;
  producers: string[];
  score_sum: number;
  score_n: number;
  input_tokens: number;
  output_tokens: number;
  duration_s: number;
  task: string;
}

function kindOf(row: RunRow): SessionKind {
  const id = row.session;
  if (row.kind === 'rollout' || /^rollout[-_]/.test(id)) return 'rollout_batch';
  if (row.kind === 'lit_review' || /^lit-?review[-_]/.test(id)) return 'lit_review';
  if (row.kind === 'eval') return 'eval';
  return 'cli';
}

export class SessionIndex {
  private byId = new Map<string, Session>();
  private sorted: Session[] | null = null;

  reset(): void {
    this.byId.clear();
    this.sorted = null;
  }

  add(row: RunRow, index: number): void {
    let s = this.byId.get(row.session);
    if (!s) {
      s = {
        id: row.session,
        kind: 'cli',
        source: row.session_id ? 'session_id' : row.parent_id ? 'parent_id' : 'run',
        runs: [],
        by_status: {},
        first_ms: row.started_ms,
        last_ms: row.started_ms,
        first_started_at: row.started_at,
        last_started_at: row.started_at,
        producers: [],
        score_sum: 0,
        score_n: 0,
        input_tokens: 0,
        output_tokens: 0,
        duration_s: 0,
        task: row.task,
      };
      this.byId.set(row.session, s);
    }
    const k = kindOf(row);
    if (s.kind === 'cli') s.kind = k;
    s.runs.push(index);
    s.by_status[row.final] = (s.by_status[row.final] ?? 0) + 1;
    if (row.started_ms < s.first_ms) {
      s.first_ms = row.started_ms;
      s.first_started_at = row.started_at;
      s.task = row.task;
    }
    if (row.started_ms > s.last_ms) {
      s.last_ms = row.started_ms;
      s.last_started_at = row.started_at;
    }
    if (!s.producers.includes(row.producer_model) && s.producers.length < 20)
      s.producers.push(row.producer_model);
    if (row.best_score !== null) {
      s.score_sum += row.best_score;
      s.score_n++;
    }
    s.input_tokens += row.input_tokens;
    s.output_tokens += row.output_tokens;
    s.duration_s += row.run_duration_s;
    this.sorted = null;
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Most recent activity first; keyset on (last_ms, id). */
  page(opts: { after: KeysetCursor | null; limit: number; keep: (s: Session) => boolean }) {
    this.sorted ??= [...this.byId.values()].sort((a, b) => b.last_ms - a.last_ms || (a.id < b.id ? 1 : -1));
    const list = this.sorted;
    let i = 0;
    if (opts.after) {
      const { v, id } = opts.after;
      let lo = 0;
      let hi = list.length;
      // first index strictly after the cursor in (last_ms desc, id desc) order
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const s = list[mid];
        const after = s.last_ms < (v ?? -Infinity) || (s.last_ms === v && s.id < id);
        if (after) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
    }
    const out: Session[] = [];
    let more = false;
    for (; i < list.length; i++) {
      if (!opts.keep(list[i])) continue;
      if (out.length === opts.limit) {
        more = true;
        break;
      }
      out.push(list[i]);
    }
    const last = out[out.length - 1];
    return { items: out, next: more && last ? { v: last.last_ms, id: last.id } : null };
  }

  /** Sessions matching `keep` (a full pass; only used for filtered totals). */
  count(keep: (s: Session) => boolean): number {
    let n = 0;
    for (const s of this.byId.values()) if (keep(s)) n++;
    return n;
  }
}

export function publicSession(s: Session) {
  return {
    id: s.id,
    kind: s.kind,
    source: s.source,
    run_count: s.runs.length,
    by_status: s.by_status,
    first_started_at: s.first_started_at,
    last_started_at: s.last_started_at,
    producer_models: s.producers,
    mean_score: s.score_n ? round2(s.score_sum / s.score_n) : null,
    input_tokens: s.input_tokens,
    output_tokens: s.output_tokens,
    duration_s: round2(s.duration_s),
    task: s.task,
  };
}

export const round2 = (x: number) => Math.round(x * 100) / 100;
