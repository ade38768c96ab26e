// Incremental reading of an append-only JSONL log for the dashboard: each refresh reads only the bytes appended
// since the last one and hands every complete record to `onRecord` with the byte range of its line, so indexes
// can keep summaries in memory and re-read a full record by offset when a detail is asked for.
import fs from 'node:fs';
import { LineSplitter, MAX_LINE_BYTES, keyOf, parseLine } from '../audit/lines';

export interface LineRef {
  offset: number;
  length: number;
}

export interface IndexSink {
  /** Called for each record (first occurrence of its key); returns false when the record was not indexed. */
  onRecord(record: Record<string, unknown>, ref: LineRef): boolean;
  /** The file was replaced or truncated: forget everything, it is read again from the start. */
  onReset(): void;
}

const CHUNK = 256 * 1024;
const COALESCE_GAP = 16 * 1024;
const MAX_SPAN = 4 * 1024 * 1024;

export class JsonlIndex {
  private splitter: LineSplitter | null = null;
  private ino = -1;
  private dev = -1;
  private size = -1;
  private seen = new Set<string>();
  private pending: Promise<void> | null = null;
  /** Lines that were not records (torn, invalid JSON, wrong shape) or duplicates. */
  skipped = 0;
  /** Records handed to the sink and kept. */
  indexed = 0;
  /** Bumped whenever records are added or the index is reset; lets callers cache derived views. */
  version = 0;

  constructor(
    readonly file: string,
    private readonly sink: IndexSink,
    private readonly key?: string,
  ) {}

  /** Picks up appended records. Concurrent callers share one read; an unchanged file costs one fstat. */
  refresh(): Promise<void> {
    this.pending ??= this.readNew().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async readNew(): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (this.splitter) this.reset();
        return;
      }
      throw err;
    }
    try {
      const st = await handle.stat();
      if (this.splitter && st.ino === this.ino && st.dev === this.dev && st.size === this.size) return;
      if (!this.splitter || st.ino !== this.ino || st.dev !== this.dev || st.size < this.splitter.position) {
        this.reset();
        this.splitter = new LineSplitter(0, MAX_LINE_BYTES);
        this.ino = st.ino;
        this.dev = st.dev;
      }
      const splitter = this.splitter!;
      const buf = Buffer.alloc(Math.min(CHUNK, Math.max(1, st.size - splitter.position)));
      let pos = splitter.position;
      let added = 0;
      while (pos < st.size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, st.size - pos), pos);
        if (bytesRead <= 0) break;
        pos += bytesRead;
        for (const raw of splitter.push(buf.subarray(0, bytesRead))) {
          const parsed = parseLine(raw);
          if (!parsed.ok || !this.firstOfKey(parsed.value)) {
            this.skipped++;
            continue;
          }
          if (this.sink.onRecord(parsed.value, { offset: raw.offset, length: raw.length })) {
            this.indexed++;
            added++;
          } else this.skipped++;
        }
      }
      this.size = pos;
      if (added) this.version++;
    } finally {
      await handle.close();
    }
  }

  private firstOfKey(rec: Record<string, unknown>): boolean {
    if (this.key === undefined) return true;
    const k = keyOf(rec, this.key);
    if (k === null) return true;
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    return true;
  }

  private reset(): void {
    this.splitter = null;
    this.size = -1;
    this.seen.clear();
    this.skipped = 0;
    this.indexed = 0;
    this.version++;
    this.sink.onReset();
  }

  /**
   * Re-reads full records by their line ranges; null where a line no longer parses. Lines close together (a page
   * of recent events) are fetched with one read; the reads are synchronous because a few small reads from the page
   * cache cost less than as many thread-pool round trips.
   */
  async read(refs: LineRef[]): Promise<(Record<string, unknown> | null)[]> {
    const out: (Record<string, unknown> | null)[] = refs.map(() => null);
    if (refs.length === 0) return out;
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw err;
    }
    try {
      const order = refs.map((_, i) => i).sort((a, b) => refs[a].offset - refs[b].offset);
      for (let k = 0; k < order.length;) {
        // One span: consecutive lines whose gaps stay small.
        const start = refs[order[k]].offset;
        let end = start + refs[order[k]].length;
        let j = k + 1;
        while (
          j < order.length &&
          refs[order[j]].offset - end <= COALESCE_GAP &&
          refs[order[j]].offset + refs[order[j]].length - start <= MAX_SPAN
        ) {
          end = Math.max(end, refs[order[j]].offset + refs[order[j]].length);
          j++;
        }
        const buf = Buffer.alloc(end - start);
        const got = fs.readSync(fd, buf, 0, buf.length, start);
        for (; k < j; k++) {
          const i = order[k];
          const ref = refs[i];
          const from = ref.offset - start;
          if (from + ref.length > got) continue;
          const text = buf.toString('utf8', from, from + ref.length);
          const parsed = parseLine({ text, offset: ref.offset, length: ref.length, line: 0 });
          out[i] = parsed.ok ? parsed.value : null;
        }
      }
      return out;
    } finally {
      fs.closeSync(fd);
    }
  }
}
