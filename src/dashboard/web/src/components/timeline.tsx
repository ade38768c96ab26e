// The stage timeline of one run, drawn from the Chrome trace's B/E events as horizontal bars, one row per thread.
export interface TraceEvent {
  name?: string;
  cat?: string;
  ph?: string;
  ts?: number;
  pid?: number;
  tid?: number;
  args?: Record<string, unknown>;
}

export interface Bar {
  name: string;
  cat: string;
  row: string;
  depth: number;
  start: number;
  end: number;
}

/** Pairs B/E events per thread (they nest strictly) into bars; unmatched B events end at the last timestamp. */
export function barsFromTrace(events: TraceEvent[]): { bars: Bar[]; rows: string[]; t0: number; t1: number } {
  const threadName = new Map<string, string>();
  const sortIndex = new Map<string, number>();
  for (const e of events) {
    const key = `${e.pid ?? 0}:${e.tid ?? 0}`;
    if (e.ph === 'M' && e.name === 'thread_name') threadName.set(key, String(e.args?.name ?? key));
    if (e.ph === 'M' && e.name === 'thread_sort_index') sortIndex.set(key, Number(e.args?.sort_index ?? 0));
  }
  const timed = events.filter((e) => (e.ph === 'B' || e.ph === 'E') && typeof e.ts === 'number');
  const t0 = Math.min(...timed.map((e) => e.ts as number));
  const t1 = Math.max(...timed.map((e) => e.ts as number));
  const stacks = new Map<string, TraceEvent[]>();
  const bars: Bar[] = [];
  const rowOf = (key: string) => threadName.get(key) ?? `thread ${key}`;
  for (const e of timed) {
    const key = `${e.pid ?? 0}:${e.tid ?? 0}`;
    const stack = stacks.get(key) ?? [];
    stacks.set(key, stack);
    if (e.ph === 'B') stack.push(e);
    else {
      const b = stack.pop();
      if (b) bars.push(bar(b, e.ts as number, rowOf(key), stack.length));
    }
  }
  for (const [key, stack] of stacks) stack.forEach((b, i) => bars.push(bar(b, t1, rowOf(key), i)));
  const keys = [...new Set(timed.map((e) => `${e.pid ?? 0}:${e.tid ?? 0}`))];
  keys.sort((a, b) => (sortIndex.get(a) ?? 0) - (sortIndex.get(b) ?? 0));
  return { bars, rows: [...new Set(keys.map(rowOf))], t0, t1 };
}

function bar(b: TraceEvent, end: number, row: string, depth: number): Bar {
  return { name: b.name ?? '?', cat: b.cat ?? '', row, depth, start: b.ts as number, end };
}

const ROW_H = 22;
const LABEL_W = 150;
const W = 900;
const RIGHT_PAD = 30;

const STAGE_COLORS: Record<string, string> = {
  plan: '#8b5cf6',
  research: '#10b981',
  synthesize: '#3b82f6',
  evaluate: '#f59e0b',
  revise: '#ec4899',
  finalize: '#0891b2',
  recallMemories: '#a78bfa',
  storeMemory: '#22d3ee',
};
const CAT_COLORS: Record<string, string> = { run: '#64748b', llm: '#f97316', 'llm.load': '#dc2626' };
const OTHER = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ef4444', '#06b6d4', '#84cc16', '#ec4899'];

/** Stable colors: a stage (and its attempts, 'plan #2') always has the same one; LLM calls by kind. */
function colorOf(b: Bar): string {
  if (CAT_COLORS[b.cat]) return CAT_COLORS[b.cat];
  const base = b.name.replace(/\s+#\d+$/, '');
  if (STAGE_COLORS[base]) return STAGE_COLORS[base];
  let h = 0;
  for (let i = 0; i < base.length; i++) h = (h * 31 + base.charCodeAt(i)) >>> 0;
  return OTHER[h % OTHER.length];
}

export function Timeline({ events }: { events: TraceEvent[] }) {
  const { bars, rows, t0, t1 } = barsFromTrace(events);
  if (bars.length === 0) return <p class="muted">The trace has no spans.</p>;
  const span = Math.max(1, t1 - t0);
  const maxDepth = new Map<string, number>();
  for (const b of bars) maxDepth.set(b.row, Math.max(maxDepth.get(b.row) ?? 0, b.depth));
  const rowTop = new Map<string, number>();
  let top = 20;
  for (const r of rows) {
    rowTop.set(r, top);
    top += ROW_H * ((maxDepth.get(r) ?? 0) + 1) + 6;
  }
  const plotW = W - LABEL_W - RIGHT_PAD;
  const x = (t: number) => LABEL_W + ((t - t0) / span) * plotW;
  const ticks = Array.from({ length: 6 }, (_, i) => t0 + (span * i) / 5);
  return (
    <figure class="chart timeline" data-testid="timeline">
      <svg viewBox={`0 0 ${W} ${top + 4}`} role="img" aria-label="Stage timeline">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={14} y2={top} class="grid" />
            <text x={x(t)} y={10} class="axis" text-anchor="middle">
              {fmtUs(t - t0)}
            </text>
          </g>
        ))}
        {rows.map((r) => (
          <text key={r} x={4} y={(rowTop.get(r) ?? 0) + 15} class="row-label">
            {r.length > 22 ? `${r.slice(0, 21)}…` : r}
          </text>
        ))}
        {bars.map((b, i) => {
          const bx = x(b.start);
          const bw = Math.max(2, x(b.end) - bx);
          const by = (rowTop.get(b.row) ?? 0) + b.depth * ROW_H;
          const label = b.name;
          const fits = bw > label.length * 6.5 + 6;
          return (
            <g key={i} class="bar" data-stage={b.name} data-row={b.row}>
              <rect x={bx} y={by} width={bw} height={ROW_H - 3} rx={3} fill={colorOf(b)}>
                <title>{`${b.name} (${b.row}) ${fmtUs(b.end - b.start)}`}</title>
              </rect>
              {fits && (
                <text x={bx + 4} y={by + 14} class="bar-label">
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption class="legend">
        <span>one row per trace thread; nested spans stack downwards; hover a bar for its duration</span>
        <span>
          <i style={{ background: CAT_COLORS.llm }} />
          LLM call
        </span>
        <span>
          <i style={{ background: CAT_COLORS['llm.load'] }} />
          model load
        </span>
      </figcaption>
    </figure>
  );
}

function fmtUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`;
  return `${(us / 1_000_000).toFixed(us < 10_000_000 ? 2 : 1)} s`;
}
