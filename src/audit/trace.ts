// Builds Chrome Trace Event Format files (B/E pairs, microsecond ts) that load in ui.perfetto.dev.
// Spans that overlap within a lane without nesting go to an extra thread, so B/E nest strictly on every tid.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export { checkTrace } from './trace-check';

export interface Span {
  name: string;
  cat: string;
  startUs: number;
  endUs: number;
  /** Logical thread, e.g. 'workflow', 'activity:synthesize', 'evaluator:qwen'. */
  lane?: string;
  args?: Record<string, unknown>;
}

export interface Instant {
  name: string;
  cat: string;
  tsUs: number;
  lane?: string;
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: any[];
  displayTimeUnit: 'ms';
  metadata: Record<string, unknown>;
}

const DEFAULT_LANE = 'main';

interface Placed {
  span: Span;
  start: number;
  end: number;
}

interface Track {
  lane: string;
  index: number; // 0 for the lane itself, 1 for '#2', …
  stack: Placed[];
  events: { ph: 'B' | 'E'; p: Placed }[];
  tid: number;
}

function toUs(t: number): number {
  return Math.max(0, Math.round(t));
}

export function buildTrace(
  meta: { runId: string; processName: string; pid?: number },
  spans: Span[],
  instants: Instant[] = [],
): ChromeTrace {
  const pid = meta.pid ?? 1;
  let dropped = 0;

  const placed: Placed[] = [];
  for (const span of spans) {
    if (!Number.isFinite(span.startUs) || !Number.isFinite(span.endUs)) {
      dropped += 1;
      continue;
    }
    const start = toUs(span.startUs);
    placed.push({ span, start, end: Math.max(start, toUs(span.endUs)) });
  }
  // Earlier first; for equal starts the longer one first, so a parent opens before its children.
  const order = placed.map((p, i) => ({ p, i }));
  order.sort((a, b) => a.p.start - b.p.start || b.p.end - a.p.end || a.i - b.i);

  const lanes = new Map<string, Track[]>();
  const laneOf = (name: string | undefined): Track[] => {
    const lane = name ?? DEFAULT_LANE;
    let tracks = lanes.get(lane);
    if (!tracks) {
      tracks = [];
      lanes.set(lane, tracks);
    }
    return tracks;
  };
  const newTrack = (lane: string, tracks: Track[]): Track => {
    const t: Track = { lane, index: tracks.length, stack: [], events: [], tid: 0 };
    tracks.push(t);
    return t;
  };

  for (const { p } of order) {
    const lane = p.span.lane ?? DEFAULT_LANE;
    const tracks = laneOf(lane);
    let target: Track | undefined;
    for (const t of tracks) {
      // Everything that ended by now is closed (later spans start no earlier, so this is safe to keep).
      while (t.stack.length > 0 && t.stack[t.stack.length - 1].end <= p.start) {
        const done = t.stack.pop() as Placed;
        t.events.push({ ph: 'E', p: done });
      }
      const top = t.stack[t.stack.length - 1];
      if (!top || top.end >= p.end) {
        target = t;
        break;
      }
    }
    target ??= newTrack(lane, tracks);
    target.stack.push(p);
    target.events.push({ ph: 'B', p });
  }
  for (const tracks of lanes.values()) {
    for (const t of tracks) {
      while (t.stack.length > 0) t.events.push({ ph: 'E', p: t.stack.pop() as Placed });
    }
  }
  for (const ins of instants) {
    const tracks = laneOf(ins.lane);
    if (tracks.length === 0) newTrack(ins.lane ?? DEFAULT_LANE, tracks);
  }

  const metaEvents: any[] = [
    { name: 'process_name', ph: 'M', pid, tid: 0, args: { name: meta.processName } },
  ];
  const timed: any[] = [];
  let tid = 0;
  for (const [lane, tracks] of lanes) {
    for (const t of tracks) {
      tid += 1;
      t.tid = tid;
      const threadName = t.index === 0 ? lane : `${lane} #${t.index + 1}`;
      metaEvents.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: threadName } });
      metaEvents.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } });
      for (const { ph, p } of t.events) {
        const ev: any = {
          name: p.span.name,
          cat: p.span.cat,
          ph,
          ts: ph === 'B' ? p.start : p.end,
          pid,
          tid,
        };
        if (ph === 'B' && p.span.args) ev.args = p.span.args;
        timed.push(ev);
      }
    }
  }
  for (const ins of instants) {
    if (!Number.isFinite(ins.tsUs)) {
      dropped += 1;
      continue;
    }
    const t = (lanes.get(ins.lane ?? DEFAULT_LANE) as Track[])[0];
    const ev: any = { name: ins.name, cat: ins.cat, ph: 'i', s: 't', ts: toUs(ins.tsUs), pid, tid: t.tid };
    if (ins.args) ev.args = ins.args;
    timed.push(ev);
  }
  // Stable: per tid the events are already in order, and stay so.
  timed.sort((a, b) => a.ts - b.ts);

  const metadata: Record<string, unknown> = { run_id: meta.runId, process_name: meta.processName };
  if (dropped > 0) metadata.dropped_events = dropped;
  return { traceEvents: [...metaEvents, ...timed], displayTimeUnit: 'ms', metadata };
}

/** Writes the trace atomically: a temp file, fsync, rename, then fsync of the folder. */
export async function writeTraceFile(file: string, trace: unknown): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.promises.open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(JSON.stringify(trace), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
