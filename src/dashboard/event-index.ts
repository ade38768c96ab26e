// The security events index: compact rows for data/security_events.jsonl, running counts for the KPI cards,
// and the event's detail re-read from its line only for the page being returned.
import path from 'node:path';
import { SECURITY_EVENTS_FILE } from '../security/events';
import { JsonlIndex, type LineRef } from './jsonl-index';
import { CountCache, SortedOrder, type KeysetCursor } from './paging';
import { Interner } from './run-row';

const DETECTORS = ['rules', 'classifier', 'encoder'] as const;
type Detector = (typeof DETECTORS)[number];

export interface EventRow {
  id: string;
  ts: string;
  ts_ms: number;
  run_id: string | null;
  event_type: string;
  layer: string;
  severity: 'block' | 'warn';
  ref: LineRef;
}

export interface EventFilter {
  severity?: 'block' | 'warn';
  event_type?: string;
  layer?: string;
  run_id?: string;
  from?: number;
  to?: number;
}

interface Counts {
  block: number;
  warn: number;
}
const bump = (m: Map<string, Counts>, k: string, sev: 'block' | 'warn') => {
  let c = m.get(k);
  if (!c) m.set(k, (c = { block: 0, warn: 0 }));
  c[sev]++;
};

class EventCounts {
  total = 0;
  bySeverity: Counts = { block: 0, warn: 0 };
  byType = new Map<string, Counts>();
  byLayer = new Map<string, Counts>();
  byTypeLayer = new Map<string, Counts>();
  byRun = new Map<string, Counts>();
  firstTs: string | null = null;
  lastTs: string | null = null;
  private firstMs = Infinity;
  private lastMs = -Infinity;

  add(e: EventRow): void {
    this.total++;
    this.bySeverity[e.severity]++;
    bump(this.byType, e.event_type, e.severity);
    bump(this.byLayer, e.layer, e.severity);
    bump(this.byTypeLayer, `${e.event_type}\0${e.layer}`, e.severity);
    if (e.run_id) bump(this.byRun, e.run_id, e.severity);
    if (e.ts_ms < this.firstMs) [this.firstMs, this.firstTs] = [e.ts_ms, e.ts];
    if (e.ts_ms > this.lastMs) [this.lastMs, this.lastTs] = [e.ts_ms, e.ts];
  }

  private cached: { key: string; view: ReturnType<EventCounts['compute']> } | null = null;

  /** The counts as served; recomputed only after new events arrived. */
  view(topRuns: number) {
    const key = `${this.total}:${topRuns}`;
    if (this.cached?.key !== key) this.cached = { key, view: this.compute(topRuns) };
    return this.cached.view;
  }

  private compute(topRuns: number) {
    const list = (m: Map<string, Counts>, key: string) =>
      [...m.entries()]
        .map(([k, c]) => ({ [key]: k, block: c.block, warn: c.warn, total: c.block + c.warn }))
        .sort((a, b) => b.total - a.total);
    return {
      total: this.total,
      by_severity: { ...this.bySeverity },
      by_event_type: list(this.byType, 'event_type') as {
        event_type: string;
        block: number;
        warn: number;
        total: number;
      }[],
      by_layer: list(this.byLayer, 'layer') as {
        layer: string;
        block: number;
        warn: number;
        total: number;
      }[],
      by_type_and_layer: [...this.byTypeLayer.entries()].map(([k, c]) => {
        const [event_type, layer] = k.split('\0');
        return { event_type, layer, block: c.block, warn: c.warn, total: c.block + c.warn };
      }),
      runs_with_events: this.byRun.size,
      top_runs: topRunsOf(this.byRun, topRuns),
      first_ts: this.firstTs,
      last_ts: this.lastTs,
    };
  }
}

type RunCount = { run_id: string; block: number; warn: number; total: number };
const beats = (a: RunCount, b: RunCount) =>
  a.block !== b.block ? a.block > b.block : a.total !== b.total ? a.total > b.total : a.run_id < b.run_id;

/** The n runs with the most blocks (then events): one pass, no sort of every run. */
function topRunsOf(byRun: Map<string, Counts>, n: number): RunCount[] {
  const top: RunCount[] = [];
  for (const [run_id, c] of byRun) {
    const r = { run_id, block: c.block, warn: c.warn, total: c.block + c.warn };
    if (top.length === n && !beats(r, top[n - 1])) continue;
    let i = Math.min(top.length, n - 1);
    while (i > 0 && beats(r, top[i - 1])) i--;
    top.splice(i, 0, r);
    if (top.length > n) top.pop();
  }
  return top;
}

export function eventMatcher(f: EventFilter): ((e: EventRow) => boolean) | null {
  const tests: ((e: EventRow) => boolean)[] = [];
  if (f.severity) tests.push((e) => e.severity === f.severity);
  if (f.event_type) tests.push((e) => e.event_type === f.event_type);
  if (f.layer) tests.push((e) => e.layer === f.layer);
  if (f.run_id) tests.push((e) => e.run_id === f.run_id);
  if (f.from !== undefined) tests.push((e) => e.ts_ms >= f.from!);
  if (f.to !== undefined) tests.push((e) => e.ts_ms <= f.to!);
  return tests.length ? (e) => tests.every((t) => t(e)) : null;
}

export class EventIndex {
  rows: EventRow[] = [];
  private counts = new EventCounts();
  private order = new SortedOrder<EventRow>({ value: (e) => e.ts_ms, id: (e) => e.id });
  private intern = new Interner();
  readonly log: JsonlIndex;
  private totals = new CountCache(() => this.log.version);

  constructor(dataDir: string) {
    this.log = new JsonlIndex(path.join(dataDir, SECURITY_EVENTS_FILE), {
      onRecord: (rec, ref) => {
        const row = this.toRow(rec, ref);
        if (!row) return false;
        this.rows.push(row);
        this.counts.add(row);
        return true;
      },
      onReset: () => {
        this.rows = [];
        this.counts = new EventCounts();
        this.order = new SortedOrder<EventRow>({ value: (e) => e.ts_ms, id: (e) => e.id });
      },
    });
  }

  private toRow(r: Record<string, unknown>, ref: LineRef): EventRow | null {
    const { ts, run_id, event_type, layer, severity } = r;
    if (typeof ts !== 'string' || typeof event_type !== 'string' || typeof layer !== 'string') return null;
    if (severity !== 'block' && severity !== 'warn') return null;
    if (run_id !== null && run_id !== undefined && typeof run_id !== 'string') return null;
    const ts_ms = Date.parse(ts);
    if (!Number.isFinite(ts_ms)) return null;
    return {
      // Offsets are unique and increase with the file: a stable id and a tie-breaker for equal timestamps.
      id: String(ref.offset).padStart(12, '0'),
      ts,
      ts_ms,
      run_id: run_id ?? null,
      event_type: this.intern.get(event_type),
      layer: this.intern.get(layer),
      severity,
      ref,
    };
  }

  refresh(): Promise<void> {
    return this.log.refresh();
  }

  /** Newest first by default. */
  page(opts: { filter: EventFilter; order: 'asc' | 'desc'; after: KeysetCursor | null; limit: number }) {
    const match = eventMatcher(opts.filter);
    const { items, next } = this.order.page(this.rows, {
      dir: opts.order,
      after: opts.after,
      limit: opts.limit,
      keep: match ?? (() => true),
    });
    return {
      items,
      next,
      total: match ? this.totals.get(opts.filter, () => this.rows.filter(match).length) : this.rows.length,
    };
  }

  /** Counts for the KPI cards: running totals, or one pass over the events when a time range is given. */
  summary(opts: { from?: number; to?: number; topRuns: number }) {
    if (opts.from === undefined && opts.to === undefined) return this.counts.view(opts.topRuns);
    const c = new EventCounts();
    const match = eventMatcher({ from: opts.from, to: opts.to })!;
    for (const e of this.rows) if (match(e)) c.add(e);
    return c.view(opts.topRuns);
  }

  /** Each event's detail, and for injection-scanner events the layer that fired and the learned layer's score. */
  async details(rows: EventRow[]): Promise<{ detail: string; detector?: Detector; score?: number | null }[]> {
    const recs = await this.log.read(rows.map((r) => r.ref));
    return recs.map((r) => ({
      detail: r && typeof r.detail === 'string' ? r.detail : '',
      ...(r && DETECTORS.includes(r.detector as Detector) ? { detector: r.detector as Detector } : {}),
      ...(r && (typeof r.score === 'number' || r.score === null) ? { score: r.score } : {}),
    }));
  }
}
