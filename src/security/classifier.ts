// The scanner's second layer: a small learned classifier (logistic regression over hashed word and character
// n-grams of the scan form) that catches the attacks rules miss: role-play jailbreaks, paraphrased instructions,
// other languages. Weights: src/security/injection-model.json, built reproducibly by
// `npx tsx scripts/build-injection-model.ts` from datasets/injection (see its README). Pure, synchronous, CPU only.
import fs from 'node:fs';
import path from 'node:path';
import { normalizeForScan, normalizeWithMap } from './normalize';

/** Hashed feature space: 2^BITS buckets. */
export const BITS = 17;
const DIM = 1 << BITS;
const CHAR_SEED = 7;
const WORD = /[\p{L}\p{N}]+/gu;

/** FNV-1a, 32-bit: the feature hash (stable across machines and versions). */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Sparse feature vector: bucket → value, L2-normalised, sublinear term frequency. */
export type Features = Map<number, number>;

/** Features of a text (already in scan form, or raw: it is normalised here). */
export function featurize(text: string, scanForm = false): Features {
  const t = scanForm ? text : normalizeForScan(text);
  const counts = new Map<number, number>();
  const bump = (h: number) => {
    const b = h & (DIM - 1);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  };
  const add = (key: string, seed: number) => bump(fnv1a(key, seed));
  const words = t.match(WORD) ?? [];
  for (let i = 0; i < words.length; i++) {
    add(words[i], 1);
    if (i + 1 < words.length) add(`${words[i]} ${words[i + 1]}`, 2);
  }
  // Character 3- and 4-grams of the words (space-joined), hashed incrementally: no substring is built.
  const chars = ` ${words.join(' ')} `;
  for (let i = 0; i + 3 <= chars.length; i++) {
    let h = (0x811c9dc5 ^ CHAR_SEED) >>> 0;
    for (let k = 0; k < 4 && i + k < chars.length; k++) {
      h = Math.imul(h ^ chars.charCodeAt(i + k), 0x01000193) >>> 0;
      if (k >= 2) bump(Math.imul(h ^ k, 0x9e3779b1) >>> 0);
    }
  }
  let norm = 0;
  for (const [b, c] of counts) {
    const v = 1 + Math.log(c);
    counts.set(b, v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [b, v] of counts) counts.set(b, v / norm);
  return counts;
}

export interface LinearModel {
  bias: number;
  weights: Float32Array;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function scoreFeatures(m: LinearModel, x: Features): number {
  let z = m.bias;
  for (const [b, v] of x) z += m.weights[b] * v;
  return sigmoid(z);
}

/** The model file: weights quantised to int16 (scale per file), base64. */
export interface ModelFile {
  format: 'flywheel-injection-lr/1';
  bits: number;
  bias: number;
  scale: number;
  /** Decision threshold chosen at build time on cross-validation (FLYWHEEL_INJECTION_THRESHOLD overrides). */
  threshold: number;
  /** sha256 of the training rows (text + label), to tell which data built it. */
  training_sha256: string;
  training_rows: number;
  weights_int16_base64: string;
}

export function encodeModel(
  m: LinearModel,
  meta: Omit<ModelFile, 'format' | 'bits' | 'bias' | 'scale' | 'weights_int16_base64'>,
): ModelFile {
  let max = 0;
  for (const w of m.weights) max = Math.max(max, Math.abs(w));
  const scale = max / 32767 || 1;
  const q = new Int16Array(m.weights.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.round(m.weights[i] / scale);
  return {
    format: 'flywheel-injection-lr/1',
    bits: BITS,
    bias: m.bias,
    scale,
    ...meta,
    weights_int16_base64: Buffer.from(q.buffer).toString('base64'),
  };
}

export function decodeModel(f: ModelFile): LinearModel & { threshold: number } {
  if (f.format !== 'flywheel-injection-lr/1' || f.bits !== BITS)
    throw new Error(`injection model: unsupported format ${f.format}/${f.bits}`);
  const buf = Buffer.from(f.weights_int16_base64, 'base64');
  const q = new Int16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  const weights = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) weights[i] = q[i] * f.scale;
  return { bias: f.bias, weights, threshold: f.threshold };
}

export const MODEL_FILE = path.join(__dirname, 'injection-model.json');
let loaded: (LinearModel & { threshold: number }) | undefined;

/** The shipped model, loaded once. */
export function injectionModel(): LinearModel & { threshold: number } {
  loaded ??= decodeModel(JSON.parse(fs.readFileSync(MODEL_FILE, 'utf8')) as ModelFile);
  return loaded;
}

/**
 * Long texts are scored in windows: fixed ones of WINDOW characters, and runs of up to five whole sentences, so
 * an attack hidden in a long page is scored on its own words.
 */
export const WINDOW = 600;
/** Sentence runs are up to this many sentences (and WINDOW characters): a typical jailbreak paragraph fits. */
const MAX_SENTENCES = 5;
const SENTENCE_END = /[.!?。！？]+["')\]]*\s+|\n+/g;

export interface WindowScore {
  start: number;
  end: number;
  score: number;
}

/** [start, end) windows of `text` (original indices); a short text is one window. */
export function windowsOf(text: string): { start: number; end: number }[] {
  if (text.length <= WINDOW) return [{ start: 0, end: text.length }];
  const bounds = [0];
  for (const m of text.matchAll(SENTENCE_END)) bounds.push(m.index + m[0].length);
  if (bounds[bounds.length - 1] !== text.length) bounds.push(text.length);
  const out: { start: number; end: number }[] = [];
  // Fixed windows, half overlapping, cover everything…
  for (let s = 0; s < text.length; s += WINDOW / 2) {
    out.push({ start: s, end: Math.min(text.length, s + WINDOW) });
    if (s + WINDOW >= text.length) break;
  }
  // …and runs of one to five whole sentences score an attack without its neighbours' words.
  for (let i = 0; i < bounds.length - 1; i++)
    for (let j = i + 1; j <= i + MAX_SENTENCES && j < bounds.length && bounds[j] - bounds[i] <= WINDOW; j++)
      out.push({ start: bounds[i], end: bounds[j] });
  return out;
}

/** Scores every window of `text` (normalised once; windows reported in the original text's indices). */
export function classifyWindows(text: string, model: LinearModel = injectionModel()): WindowScore[] {
  const n = normalizeWithMap(text);
  if (n.text.length === 0) return [{ start: 0, end: text.length, score: scoreFeatures(model, new Map()) }];
  return windowsOf(n.text).map((w) => ({
    start: n.starts[w.start],
    end: n.ends[w.end - 1],
    score: scoreFeatures(model, featurize(n.text.slice(w.start, w.end), true)),
  }));
}
