// The one JSONL writer and reader for data/*.jsonl: append-only, one fdatasync'd write per record,
// idempotent by key under an exclusive lock; the reader skips anything unreadable and never throws on content.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LineSplitter, MAX_LINE_BYTES, keyOf, parseLine, type RawLine } from './lines';
import { LockError, withFileLock } from './lock';

export { MAX_LINE_BYTES } from './lines';

/** An append that did not happen durably. Fatal for that append; `code` is the errno code when there is one. */
export class AuditWriteError extends Error {
  readonly code: string | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.name = 'AuditWriteError';
    this.code = options?.code;
  }
}

/** The file operations the writer uses, injectable so tests can simulate a full disk or a failing fsync. */
export interface JsonlIo {
  open(file: string, flags: number, mode: number): Promise<number>;
  /** Writes at the end (the fd is O_APPEND); returns the bytes written. */
  write(fd: number, buf: Buffer): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  close(fd: number): Promise<void>;
  fstat(fd: number): Promise<{ size: number; ino: number; dev: number }>;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
}

const fsOpen = promisify(fs.open);
const fsWrite = promisify(fs.write);
const fsRead = promisify(fs.read);

export const nodeIo: JsonlIo = {
  open: (file, flags, mode) => fsOpen(file, flags, mode),
  write: async (fd, buf) => (await fsWrite(fd, buf, 0, buf.length)).bytesWritten,
  fdatasync: promisify(fs.fdatasync),
  close: promisify(fs.close),
  fstat: promisify(fs.fstat),
  read: async (fd, buf, offset, length, position) =>
    (await fsRead(fd, buf, offset, length, position)).bytesRead,
};

const CHUNK = 256 * 1024;

interface KeyCache {
  dev: number;
  ino: number;
  /** Bytes scanned so far; always the end of a complete line. */
  offset: number;
  /** The bytes just before offset, to notice a file replaced in place (an inode number can be reused). */
  tail: Buffer;
  keys: Set<string>;
}

// Per (file, key field): keys already in the file, so repeated appends only scan new bytes.
const keyCaches = new Map<string, KeyCache>();
// Keys whose append failed at fdatasync in this process: the line may be visible in the page cache without
// being on disk, so a retry must write it again rather than report it as a duplicate (readers keep the first).
const unconfirmed = new Map<string, Set<string>>();

export type AppendResult = 'appended' | 'duplicate';

/**
 * Appends one record as one line (`sync: false` skips the final fdatasync; only for telemetry). With `key`, a record whose `key` value is already in the file is not
 * written again ('duplicate'). A torn last line left by a crash is closed off with a newline, never rewritten.
 */
export async function appendJsonl(
  file: string,
  record: object,
  opts: { key?: string; io?: JsonlIo; sync?: boolean } = {},
): Promise<AppendResult> {
  const abs = path.resolve(file);
  const line = Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
  let recordKey: string | null = null;
  if (opts.key !== undefined) {
    recordKey = keyOf(record as Record<string, unknown>, opts.key);
    if (recordKey === null) throw new TypeError(`record has no string or number "${opts.key}" to dedupe on`);
  }
  try {
    await fs.promises.mkdir(path.dirname(abs), { recursive: true });
  } catch (err) {
    throw writeError(abs, 'mkdir', err);
  }
  try {
    return await withFileLock(abs, () =>
      appendLocked(abs, line, opts.key, recordKey, opts.io ?? nodeIo, opts.sync ?? true),
    );
  } catch (err) {
    if (err instanceof LockError) throw new AuditWriteError(err.message, { cause: err });
    throw err;
  }
}

async function appendLocked(
  file: string,
  line: Buffer,
  keyField: string | undefined,
  recordKey: string | null,
  io: JsonlIo,
  sync: boolean,
): Promise<AppendResult> {
  const step = { name: 'open' };
  let fd: number | null = null;
  try {
    fd = await io.open(file, fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
    step.name = 'fstat';
    const st = await io.fstat(fd);
    let size = st.size;

    let cache: KeyCache | undefined;
    if (keyField !== undefined) {
      step.name = 'scan';
      cache = await scanKeys(io, fd, file, keyField, st);
    }

    if (size > 0) {
      step.name = 'read';
      const last = Buffer.alloc(1);
      await io.read(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        step.name = 'write';
        await writeAll(io, fd, Buffer.from('\n'));
        size += 1;
        step.name = 'fdatasync';
        await io.fdatasync(fd);
        // The torn tail is now a complete line; if it happens to be a whole record, it counts.
        if (cache) {
          step.name = 'scan';
          await scanInto(io, fd, cache, keyField as string, size);
        }
      }
    }

    const pending = unconfirmed.get(file);
    if (cache && recordKey !== null && cache.keys.has(recordKey) && !pending?.has(recordKey)) {
      // Make sure the record we defer to is durable before reporting it as there.
      step.name = 'fdatasync';
      await io.fdatasync(fd);
      return 'duplicate';
    }

    step.name = 'write';
    await writeAll(io, fd, line);
    if (cache && recordKey !== null) {
      cache.keys.add(recordKey);
      cache.offset = size + line.length;
      cache.tail = Buffer.from(line.subarray(Math.max(0, line.length - TAIL_BYTES)));
    }
    step.name = 'fdatasync';
    try {
      // `sync: false` is for telemetry spools only: records are always fdatasync'd.
      if (sync) await io.fdatasync(fd);
    } catch (err) {
      if (recordKey !== null) {
        if (!unconfirmed.has(file)) unconfirmed.set(file, new Set());
        unconfirmed.get(file)?.add(recordKey);
      }
      throw err;
    }
    if (recordKey !== null) pending?.delete(recordKey);
    return 'appended';
  } catch (err) {
    throw writeError(file, step.name, err);
  } finally {
    if (fd !== null) await io.close(fd).catch(() => undefined);
  }
}

async function writeAll(io: JsonlIo, fd: number, buf: Buffer): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const n = await io.write(fd, done === 0 ? buf : buf.subarray(done));
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    done += n;
  }
}

async function scanKeys(
  io: JsonlIo,
  fd: number,
  file: string,
  keyField: string,
  st: { size: number; ino: number; dev: number },
): Promise<KeyCache> {
  const id = `${file}\0${keyField}`;
  let cache = keyCaches.get(id);
  if (!cache || cache.ino !== st.ino || cache.dev !== st.dev || !(await sameTail(io, fd, cache, st.size))) {
    cache = { dev: st.dev, ino: st.ino, offset: 0, tail: Buffer.alloc(0), keys: new Set() };
    keyCaches.set(id, cache);
  }
  await scanInto(io, fd, cache, keyField, st.size);
  return cache;
}

/** Adds the keys of complete lines in [cache.offset, end) and advances cache.offset to the last newline. */
async function scanInto(
  io: JsonlIo,
  fd: number,
  cache: KeyCache,
  keyField: string,
  end: number,
): Promise<void> {
  if (cache.offset >= end) return;
  const splitter = new LineSplitter(cache.offset);
  const buf = Buffer.alloc(Math.min(CHUNK, end - cache.offset));
  let pos = cache.offset;
  while (pos < end) {
    const n = await io.read(fd, buf, 0, Math.min(buf.length, end - pos), pos);
    if (n <= 0) break;
    pos += n;
    for (const raw of splitter.push(buf.subarray(0, n))) {
      const parsed = parseLine(raw);
      if (!parsed.ok) continue;
      const k = keyOf(parsed.value, keyField);
      if (k !== null) cache.keys.add(k);
    }
  }
  cache.offset = splitter.committed;
  await rememberTail(io, fd, cache);
}

const TAIL_BYTES = 64;

async function rememberTail(io: JsonlIo, fd: number, cache: KeyCache): Promise<void> {
  const n = Math.min(TAIL_BYTES, cache.offset);
  const buf = Buffer.alloc(n);
  if (n > 0) await io.read(fd, buf, 0, n, cache.offset - n);
  cache.tail = buf;
}

async function sameTail(io: JsonlIo, fd: number, cache: KeyCache, size: number): Promise<boolean> {
  if (size < cache.offset) return false;
  const n = cache.tail.length;
  if (n === 0) return true;
  const buf = Buffer.alloc(n);
  const got = await io.read(fd, buf, 0, n, cache.offset - n);
  return got === n && buf.equals(cache.tail);
}

function writeError(file: string, step: string, err: unknown): AuditWriteError {
  if (err instanceof AuditWriteError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const why = e instanceof Error ? e.message : String(err);
  return new AuditWriteError(`append to ${file} failed at ${step}: ${why}`, { cause: err, code });
}

export interface SkippedLine {
  line: number;
  offset: number;
  reason: string;
}

export interface ReadOptions {
  /** Drop records whose value for this field was already seen (first wins). */
  key?: string;
  /** Start reading at this byte offset (should be the start of a line). */
  fromOffset?: number;
  onSkip?: (s: SkippedLine) => void;
  maxLineBytes?: number;
}

/**
 * Streams the records of a JSONL file. Torn, invalid, non-object and over-long lines are skipped and reported
 * through onSkip; a missing file yields nothing. An unterminated last line counts only if it is a whole record.
 */
export async function* readJsonl(file: string, opts: ReadOptions = {}): AsyncGenerator<any> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const seen = new Set<string>();
  const accept = (raw: RawLine, unterminated: boolean): Record<string, unknown> | null => {
    const parsed = parseLine(raw);
    if (!parsed.ok) {
      opts.onSkip?.({
        line: raw.line,
        offset: raw.offset,
        reason: unterminated ? `torn last line (${parsed.reason})` : parsed.reason,
      });
      return null;
    }
    if (opts.key !== undefined) {
      const k = keyOf(parsed.value, opts.key);
      if (k !== null) {
        if (seen.has(k)) {
          opts.onSkip?.({ line: raw.line, offset: raw.offset, reason: `duplicate ${opts.key}` });
          return null;
        }
        seen.add(k);
      }
    }
    return parsed.value;
  };
  try {
    let pos = opts.fromOffset ?? 0;
    const splitter = new LineSplitter(pos, opts.maxLineBytes ?? MAX_LINE_BYTES);
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead <= 0) break;
      pos += bytesRead;
      for (const raw of splitter.push(buf.subarray(0, bytesRead))) {
        const rec = accept(raw, false);
        if (rec) yield rec;
      }
    }
    const tail = splitter.finish();
    if (tail) {
      const rec = accept(tail, true);
      if (rec) yield rec;
    }
  } finally {
    await handle.close();
  }
}

/** Reads a JSONL file incrementally: each poll returns the complete records appended since the last one. */
export class JsonlTail {
  private splitter: LineSplitter | null = null;
  private ino = -1;
  private dev = -1;
  private seen = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly opts: { key?: string; onSkip?: (s: SkippedLine) => void; maxLineBytes?: number } = {},
  ) {}

  /** Byte offset just past the last complete line returned or skipped. */
  get offset(): number {
    return this.splitter?.committed ?? 0;
  }

  poll(): Promise<any[]> {
    const next = this.queue.then(() => this.pollOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async pollOnce(): Promise<any[]> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: any[] = [];
    try {
      const st = await handle.stat();
      // Replaced or truncated: start over.
      if (!this.splitter || st.ino !== this.ino || st.dev !== this.dev || st.size < this.splitter.position) {
        this.splitter = new LineSplitter(0, this.opts.maxLineBytes ?? MAX_LINE_BYTES);
        this.ino = st.ino;
        this.dev = st.dev;
        this.seen.clear();
      }
      const splitter = this.splitter;
      const buf = Buffer.alloc(CHUNK);
      let pos = splitter.position;
      while (pos < st.size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, st.size - pos), pos);
        if (bytesRead <= 0) break;
        pos += bytesRead;
        for (const raw of splitter.push(buf.subarray(0, bytesRead))) {
          const parsed = parseLine(raw);
          if (!parsed.ok) {
            this.opts.onSkip?.({ line: raw.line, offset: raw.offset, reason: parsed.reason });
            continue;
          }
          if (this.opts.key !== undefined) {
            const k = keyOf(parsed.value, this.opts.key);
            if (k !== null) {
              if (this.seen.has(k)) {
                this.opts.onSkip?.({
                  line: raw.line,
                  offset: raw.offset,
                  reason: `duplicate ${this.opts.key}`,
                });
                continue;
              }
              this.seen.add(k);
            }
          }
          out.push(parsed.value);
        }
      }
    } finally {
      await handle.close();
    }
    return out;
  }
}
