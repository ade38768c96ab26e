// The runs index: one compact row per runs.jsonl record (plus its byte range), sessions and analytics kept up to
// date as records are appended. Requests filter and page over the rows; only a run's detail re-reads its line.
import path from 'node:path';
import { JsonlIndex } from './jsonl-index';
import { AnalyticsByKind } from './analytics';
import { CountCache, SortedOrder, type KeysetCursor, type SortKey } from './paging';
import { Interner, toRunRow, type Kind, type RunRow, type Status } from './run-row';
import { SessionIndex } from './sessions';

export const RUN_SORTS = ['started_at', 'score', 'duration', 'tokens'] as const;
export type RunSort = (typeof RUN_SORTS)[number];

const SORT_KEYS: Record<RunSort, SortKey<RunRow>> = {
  started_at: { value: (r) => r.started_ms, id: (r) => r.run_id },
  score: { value: (r) => r.best_score, id: (r) => r.run_id },
  duration: { value: (r) => r.run_duration_s, id: (r) => r.run_id },
  tokens: { value: (r) => r.input_tokens + r.output_tokens, id: (r) => r.run_id },
};

export interface RunFilter {
  status?: Status[];
  model?: string;
  kind?: Kind;
  session?: string;
  /** started_at bounds, epoch ms, inclusive. */
  from?: number;
  to?: number;
  /** Case-insensitive text in the task. */
  q?: string;
}

export function runMatcher(f: RunFilter): ((r: RunRow) => boolean) | null {
  const tests: ((r: RunRow) => boolean)[] = [];
  if (f.status?.length) {
    const set = new Set<string>(f.status);
    tests.push((r) => set.has(r.final));
  }
  if (f.model) tests.push((r) => r.producer_model === f.model);
  if (f.kind) tests.push((r) => r.kind === f.kind);
  if (f.session) tests.push((r) => r.session === f.session);
  if (f.from !== undefined) tests.push((r) => r.started_ms >= f.from!);
  if (f.to !== undefined) tests.push((r) => r.started_ms <= f.to!);
  if (f.q) {
    const needle = f.q.toLowerCase();
    tests.push((r) => r.task_lc.includes(needle));
  }
  if (!tests.length) return null;
  return (r) => tests.every((t) => t(r));
}

export class RunIndex {
  rows: RunRow[] = [];
  private byId = new Map<string, number>();
  readonly sessions = new SessionIndex();
  readonly analytics = new AnalyticsByKind();
  private orders = new Map<RunSort, SortedOrder<RunRow>>();
  private intern = new Interner();
  readonly log: JsonlIndex;
  private totals = new CountCache(() => this.log.version);

  constructor(dataDir: string) {
    this.log = new JsonlIndex(
      path.join(dataDir, 'runs.jsonl'),
      {
        onRecord: (rec, ref) => {
          const row = toRunRow(rec, ref, this.intern);
          if (!row) return false;
          const i = this.rows.length;
          this.rows.push(row);
          this.byId.set(row.run_id, i);
          this.sessions.add(row, i);
          this.analytics.add(row, rec);
          return true;
        },
        onReset: () => {
          this.rows = [];
          this.byId.clear();
          this.orders.clear();
          this.sessions.reset();
          this.analytics.reset();
        },
      },
      'run_id',
    );
  }

  refresh(): Promise<void> {
    return this.log.refresh();
  }

  get(runId: string): RunRow | undefined {
    const i = this.byId.get(runId);
    return i === undefined ? undefined : this.rows[i];
  }

  page(opts: {
    filter: RunFilter;
    sort: RunSort;
    order: 'asc' | 'desc';
    after: KeysetCursor | null;
    limit: number;
  }): { items: RunRow[]; next: KeysetCursor | null; total: number } {
    let ord = this.orders.get(opts.sort);
    if (!ord) {
      ord = new SortedOrder(SORT_KEYS[opts.sort]);
      this.orders.set(opts.sort, ord);
    }
    const match = runMatcher(opts.filter);
    const { items, next } = ord.page(this.rows, {
      dir: opts.order,
      after: opts.after,
      limit: opts.limit,
      keep: match ?? (() => true),
    });
    let total = this.rows.length;
    // A first page that reached the end holds every match: no second pass to count them.
    if (match)
      total = !opts.after && !next ? items.length : this.totals.get(opts.filter, () => this.count(match));
    return { items, next, total };
  }

  count(match: (r: RunRow) => boolean): number {
    let n = 0;
    for (const r of this.rows) if (match(r)) n++;
    return n;
  }

  rowsAt(indices: number[]): RunRow[] {
    return indices.map((i) => this.rows[i]);
  }

  /** The full record of a run, re-read from its line; null if the log changed under it. */
  async record(row: RunRow): Promise<Record<string, unknown> | null> {
    const [rec] = await this.log.read([row.ref]);
    return rec && rec.run_id === row.run_id ? rec : null;
  }
}
