// The scanner's third layer: a sentence encoder (all-MiniLM-L6-v2) fine-tuned end to end to tell injections and
// jailbreaks from benign text, run with onnxruntime on the worker's CPU (int8, one thread). It generalizes to attacks
// whose words the n-gram classifier never saw. Files: src/security/injection-encoder/ (model.onnx, vocab.txt,
// meta.json with the threshold and how it was measured), built by scripts/build-injection-encoder.py.
import fs from 'node:fs';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { sigmoid } from './classifier';
import { normalizeWithMap } from './normalize';
import { WordPiece } from './wordpiece';

export const ENCODER_DIR = path.join(__dirname, 'injection-encoder');

export interface EncoderMeta {
  /** Wordpieces per window (between [CLS] and [SEP]) and the step between windows of a long text. */
  window: number;
  stride: number;
  /** Chosen at build time on calibration rows the model never trained on. */
  threshold: number;
  /** Each line of a text is scored too, grown forward by the next lines to at least this many wordpieces (absent: fixed windows only). */
  line_min?: number;
}

export interface Encoder {
  meta: EncoderMeta;
  tokenizer: WordPiece;
  session: InferenceSession;
  ort: typeof import('onnxruntime-node');
}

/** The encoder cannot run here (files missing, onnxruntime unavailable): says why and how to go on. */
export class EncoderUnavailableError extends Error {
  /** A retry finds the same installation (the error contract, src/errors.ts): the run fails at once, saying why. */
  readonly retryable = false;
  override readonly name = 'EncoderUnavailableError';
}

/** How every process opens the encoder (the build script's scoring sets the same). */
export const ENCODER_SESSION_OPTIONS = {
  // One thread: the worker runs other activities beside the scan.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  // x86 CPUs without VNNI multiply int8 by a kernel whose 16-bit sums saturate, so the same text scored up to 0.02
  // apart from one machine to another and a verdict near the threshold depended on the CPU. This makes onnxruntime use
  // exact u8u8 kernels there (no effect on VNNI CPUs); tested under an emulated CPU in test/security-encoder.test.ts.
  extra: { session: { x64quantprecision: '1' } },
} satisfies InferenceSession.SessionOptions;

/** Windows scored in one call: bounds memory on long pages. */
const BATCH = 8;

let loading: Promise<Encoder> | undefined;

const readVocab = (dir: string) => fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n');
let words: Set<string> | undefined;

/** The whole words of the shipped encoder's vocabulary (the decoders' English word list), or none if it is missing. */
export function isVocabularyWord(word: string): boolean {
  if (!words) {
    try {
      words = new Set(readVocab(ENCODER_DIR).filter((t) => /^\p{L}{2,}$/u.test(t)));
    } catch {
      words = new Set();
    }
  }
  return words.has(word);
}

/** The shipped encoder, loaded once per process. */
export function loadEncoder(dir = ENCODER_DIR): Promise<Encoder> {
  if (dir !== ENCODER_DIR) return open(dir);
  loading ??= open(dir).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

async function open(dir: string): Promise<Encoder> {
  let meta: EncoderMeta;
  let vocab: string[];
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as EncoderMeta;
    vocab = readVocab(dir);
  } catch (e) {
    throw new EncoderUnavailableError(
      `injection encoder: cannot read ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
        'rebuild it with scripts/build-injection-encoder.py, or set FLYWHEEL_INJECTION_ENCODER=off to scan without it',
    );
  }
  try {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), ENCODER_SESSION_OPTIONS);
    return { meta, tokenizer: new WordPiece(vocab), session, ort };
  } catch (e) {
    throw new EncoderUnavailableError(
      `injection encoder: onnxruntime could not load ${path.join(dir, 'model.onnx')}: ${(e as Error).message}; ` +
        'set FLYWHEEL_INJECTION_ENCODER=off to scan without it',
    );
  }
}

export interface EncoderWindow {
  /** Span of the original text. */
  start: number;
  end: number;
  score: number;
}

/** Token windows [from, to) of a text of n tokens: one when it fits, else every `stride` tokens to the end. */
export function tokenWindows(n: number, window: number, stride: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; ; s += stride) {
    out.push([s, Math.min(n, s + window)]);
    if (s + window >= n) return out;
  }
}

/**
 * The line windows of a text: from each line's first token, the line grown forward by the next lines to at least `min`
 * tokens (the last lines may stay shorter), kept when at most `window` tokens and not already one of `have`; a short
 * line starting within min/2 tokens of the previous window's start gets none. An order
 * after a benign paragraph is then scored on its own words rather than diluted by them. `starts` are the tokens'
 * character offsets in `text`; the build script (line_spans, windows) makes the same windows.
 */
export function lineWindows(
  text: string,
  starts: readonly number[],
  window: number,
  min: number,
  have: [number, number][],
): [number, number][] {
  const firstAt = (c: number) => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < c) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lines: [number, number][] = [];
  let from = 0;
  for (const m of [...text.matchAll(/\n+/g), { index: text.length, 0: '' }]) {
    const span: [number, number] = [firstAt(from), firstAt(m.index)];
    if (span[1] > span[0]) lines.push(span);
    from = m.index + m[0].length;
  }
  const seen = new Set(have.map(([a, b]) => `${a}:${b}`));
  const out: [number, number][] = [];
  // A short line (under min/4 tokens) starting within min/2 tokens of the last window's start shares that window: a
  // file of short lines (code, CSV) costs a few times its tokens, not min times; a longer line always has its own.
  let last = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    const short = lines[i][1] - lines[i][0] < Math.floor(min / 4);
    if (short && lines[i][0] - last < Math.floor(min / 2)) continue;
    last = lines[i][0];
    let j = i;
    while (lines[j][1] - lines[i][0] < min && j + 1 < lines.length) j++;
    const key = `${lines[i][0]}:${lines[j][1]}`;
    if (lines[j][1] - lines[i][0] <= window && !seen.has(key)) {
      seen.add(key);
      out.push([lines[i][0], lines[j][1]]);
    }
  }
  return out;
}

/** Scores every window of `text` (scan form, like the other layers); spans are the original text's. */
export async function encoderWindows(text: string, enc?: Encoder): Promise<EncoderWindow[]> {
  const e = enc ?? (await loadEncoder());
  const n = normalizeWithMap(text);
  const tok = e.tokenizer.encode(n.text);
  const spans = tokenWindows(tok.ids.length, e.meta.window, e.meta.stride);
  if (e.meta.line_min) spans.push(...lineWindows(n.text, tok.starts, e.meta.window, e.meta.line_min, spans));
  const out: EncoderWindow[] = [];
  for (let b = 0; b < spans.length; b += BATCH) {
    const part = spans.slice(b, b + BATCH);
    const width = Math.max(...part.map(([s, t]) => t - s)) + 2;
    const ids = new BigInt64Array(part.length * width);
    const mask = new BigInt64Array(part.length * width);
    part.forEach(([s, t], r) => {
      const row = [e.tokenizer.cls, ...tok.ids.slice(s, t), e.tokenizer.sep];
      row.forEach((id, k) => {
        ids[r * width + k] = BigInt(id);
        mask[r * width + k] = 1n;
      });
    });
    const shape = [part.length, width];
    const res = await e.session.run({
      input_ids: new e.ort.Tensor('int64', ids, shape),
      attention_mask: new e.ort.Tensor('int64', mask, shape),
    });
    const logits = (res.logits as Tensor).data as Float32Array;
    part.forEach(([s, t], r) => {
      const score = sigmoid(logits[r]);
      // An empty text is one window of nothing: it spans nothing.
      if (t === s) out.push({ start: 0, end: 0, score });
      else out.push({ start: n.starts[tok.starts[s]], end: n.ends[tok.ends[t - 1] - 1], score });
    });
  }
  return out;
}
