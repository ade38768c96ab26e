// Splits a byte stream into JSONL lines and parses them, without ever holding an over-long line in memory.

/** Lines longer than this are skipped unread (the reader's cap; the writer does not enforce it). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface RawLine {
  /** Decoded text, or null when the line was skipped before parsing (too long, not UTF-8). */
  text: string | null;
  reason?: string;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte length without the newline. */
  length: number;
  /** 1-based line number counted from where the reading started. */
  line: number;
}

const NL = 0x0a;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partLen = 0;
  private tooLong = false;
  private lineStart: number;
  private lineNo: number;
  private pos: number;

  constructor(
    startOffset: number,
    private readonly maxLineBytes = MAX_LINE_BYTES,
    startLine = 1,
  ) {
    this.lineStart = startOffset;
    this.pos = startOffset;
    this.lineNo = startLine;
  }

  /** Offset just past the last complete line. */
  get committed(): number {
    return this.lineStart;
  }

  /** Offset just past the last byte pushed. */
  get position(): number {
    return this.pos;
  }

  /** Feeds the next bytes of the file; returns the lines they complete. */
  push(chunk: Buffer): RawLine[] {
    const out: RawLine[] = [];
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(NL, from);
      const end = nl === -1 ? chunk.length : nl;
      this.take(chunk.subarray(from, end));
      if (nl === -1) break;
      out.push(this.emit());
      this.lineStart += 1; // the newline itself
      from = nl + 1;
    }
    this.pos += chunk.length;
    return out;
  }

  /** The unterminated tail, if any, as a line (the caller decides whether an unterminated line counts). */
  finish(): RawLine | null {
    if (this.partLen === 0 && !this.tooLong) return null;
    return this.emit();
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    this.partLen += piece.length;
    if (this.tooLong) return;
    if (this.partLen > this.maxLineBytes) {
      this.tooLong = true;
      this.parts = [];
      return;
    }
    // Copy: the caller reuses its read buffer.
    this.parts.push(Buffer.from(piece));
  }

  private emit(): RawLine {
    const base = { offset: this.lineStart, length: this.partLen, line: this.lineNo };
    let line: RawLine;
    if (this.tooLong) {
      line = { ...base, text: null, reason: `line longer than ${this.maxLineBytes} bytes` };
    } else {
      const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.partLen);
      const text = decodeUtf8(bytes);
      line = text === null ? { ...base, text: null, reason: 'invalid UTF-8' } : { ...base, text };
    }
    this.lineStart += this.partLen;
    this.lineNo += 1;
    this.parts = [];
    this.partLen = 0;
    this.tooLong = false;
    return line;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer | undefined): string | null {
  if (!bytes || bytes.length === 0) return '';
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

export type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** A line is a record only if it is a JSON object. Blank lines are reported too (the writer never makes them). */
export function parseLine(raw: RawLine): Parsed {
  if (raw.text === null) return { ok: false, reason: raw.reason ?? 'unreadable' };
  if (raw.text.trim() === '') return { ok: false, reason: 'blank line' };
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** The dedup identity of a record, or null if it has no usable key value. */
export function keyOf(record: Record<string, unknown>, key: string): string | null {
  const v = record[key];
  if (typeof v === 'string') return `s:${v}`;
  if (typeof v === 'number' && Number.isFinite(v)) return `n:${v}`;
  return null;
}
