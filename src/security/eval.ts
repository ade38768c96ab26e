// Measures the scanner on any labelled JSONL (`flywheel security eval`, the model build's report): recall on attacks,
// false-positive rate on benign texts, per label and per source, and which layer caught what.
import fs from 'node:fs';
import { scan, type Finding, type ScanOptions, type ScanResult } from './scanner';

export class LabelledFileError extends Error {}

const POSITIVE = new Set([
  'injection',
  'jailbreak',
  'attack',
  'malicious',
  'prompt_injection',
  'unsafe',
  '1',
  'true',
]);
const NEGATIVE = new Set(['benign', 'safe', 'legit', 'legitimate', 'normal', 'clean', '0', 'false']);

export interface LabelledRow {
  text: string;
  /** Whether the row is an attack (injection or jailbreak). */
  attack: boolean;
  label: string;
  source: string;
}

/** Reads `text` + `label` rows (JSONL); `source` optional. Accepts injection/jailbreak/1/true vs benign/safe/0/false. */
export function readLabelled(file: string): LabelledRow[] {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new LabelledFileError(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const rows: LabelledRow[] = [];
  raw.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${i + 1}`;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new LabelledFileError(`${where}: not a JSON object`);
    }
    const text = r.text ?? r.prompt ?? r.input;
    if (typeof text !== 'string') throw new LabelledFileError(`${where}: needs a "text" string`);
    const label = String(r.label ?? r.type ?? '').toLowerCase();
    const attack = POSITIVE.has(label) ? true : NEGATIVE.has(label) ? false : undefined;
    if (attack === undefined)
      throw new LabelledFileError(
        `${where}: label ${JSON.stringify(r.label)} is not one of injection|jailbreak|attack|1 or benign|safe|0`,
      );
    rows.push({ text, attack, label, source: typeof r.source === 'string' ? r.source : '(none)' });
  });
  if (rows.length === 0) throw new LabelledFileError(`${file}: no labelled rows`);
  return rows;
}

export interface Rate {
  n: number;
  /** Blocked by the scanner. */
  flagged: number;
  rate: number;
}

export interface EvalReport {
  rows: number;
  /** Share of attacks blocked. null when the file has none. */
  recall: number | null;
  /** Share of benign texts blocked. null when the file has none. */
  fpr: number | null;
  attacks: Rate & Layers;
  benign: Rate & Layers;
  per_label: Record<string, Rate>;
  per_source: Record<string, Rate & { attack: boolean }>;
  /** The classifier's and the encoder's thresholds (null: that layer was off). */
  threshold: number | null;
  encoder_threshold: number | null;
}

/** Which layer blocked: the rules; else the n-gram classifier; else the encoder alone. */
interface Layers {
  by_rules: number;
  by_classifier_only: number;
  by_encoder_only: number;
}

const rate = (n: number, flagged: number): Rate => ({ n, flagged, rate: n ? flagged / n : 0 });

/** An attack the scanner let through or a benign text it blocked, with what each layer said. */
export interface Mistake {
  kind: 'missed' | 'false_positive';
  label: string;
  source: string;
  text: string;
  /** Every finding without its excerpt, warnings included (a missed attack may have been warned about). */
  findings: Omit<Finding, 'excerpt'>[];
  /** The learned layers' highest scores and thresholds (null: that layer was off). */
  classifier: LayerScore | null;
  encoder: LayerScore | null;
}

type LayerScore = NonNullable<ScanResult['classifier']>;

export interface EvalHooks {
  /** Called every 100 rows. */
  onProgress?: (done: number, total: number) => void;
  onMistake?: (m: Mistake) => void;
}

const round = (x: LayerScore | undefined) =>
  x ? { score: Number(x.score.toFixed(4)), threshold: x.threshold } : null;

/** Scans every row (all layers: `scan`). */
export async function evaluateScanner(
  rows: LabelledRow[],
  opts: ScanOptions = {},
  { onProgress, onMistake }: EvalHooks = {},
): Promise<EvalReport> {
  // n, flagged, by rules, by classifier (not rules), by encoder only
  const count = { attacks: [0, 0, 0, 0, 0], benign: [0, 0, 0, 0, 0] };
  const perLabel = new Map<string, [number, number]>();
  const perSource = new Map<string, [number, number, boolean]>();
  let threshold: number | null = null;
  let encoderThreshold: number | null = null;
  for (const [i, r] of rows.entries()) {
    const s = await scan(r.text, opts);
    threshold = s.classifier?.threshold ?? threshold;
    encoderThreshold = s.encoder?.threshold ?? encoderThreshold;
    const blocked = s.verdict === 'block';
    if (onMistake && blocked !== r.attack)
      onMistake({
        kind: r.attack ? 'missed' : 'false_positive',
        label: r.label,
        source: r.source,
        text: r.text,
        findings: s.findings.map(({ excerpt: _, ...f }) => f),
        classifier: round(s.classifier),
        encoder: round(s.encoder),
      });
    const by = (d: string) => s.findings.some((f) => f.severity === 'block' && f.detector === d);
    const c = r.attack ? count.attacks : count.benign;
    c[0]++;
    if (blocked) c[1]++;
    if (by('rules')) c[2]++;
    else if (by('classifier')) c[3]++;
    else if (blocked) c[4]++;
    const l = perLabel.get(r.label) ?? [0, 0];
    perLabel.set(r.label, [l[0] + 1, l[1] + (blocked ? 1 : 0)]);
    const key = `${r.attack ? 'attack' : 'benign'} ${r.source}`;
    const so = perSource.get(key) ?? [0, 0, r.attack];
    perSource.set(key, [so[0] + 1, so[1] + (blocked ? 1 : 0), r.attack]);
    if (onProgress && (i + 1) % 100 === 0) onProgress(i + 1, rows.length);
  }
  const group = (c: number[]) => ({
    ...rate(c[0], c[1]),
    by_rules: c[2],
    by_classifier_only: c[3],
    by_encoder_only: c[4],
  });
  return {
    rows: rows.length,
    recall: count.attacks[0] ? count.attacks[1] / count.attacks[0] : null,
    fpr: count.benign[0] ? count.benign[1] / count.benign[0] : null,
    attacks: group(count.attacks),
    benign: group(count.benign),
    per_label: Object.fromEntries([...perLabel].sort().map(([k, [n, f]]) => [k, rate(n, f)])),
    per_source: Object.fromEntries(
      [...perSource].sort().map(([k, [n, f, attack]]) => [k, { ...rate(n, f), attack }]),
    ),
    threshold,
    encoder_threshold: encoderThreshold,
  };
}

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
const layers = (l: Layers) =>
  `rules ${l.by_rules}, classifier ${l.by_classifier_only}, encoder only ${l.by_encoder_only}`;

/** The report as a few aligned lines. */
export function formatReport(r: EvalReport): string {
  const lines = [
    `rows: ${r.rows}   classifier threshold: ${r.threshold ?? 'off'}   encoder threshold: ${r.encoder_threshold ?? 'off'}`,
    `recall (attacks blocked):     ${pct(r.recall)}  (${r.attacks.flagged}/${r.attacks.n}; ${layers(r.attacks)})`,
    `false positives (benign):     ${pct(r.fpr)}  (${r.benign.flagged}/${r.benign.n}; ${layers(r.benign)})`,
    '',
    'per label:',
    ...Object.entries(r.per_label).map(
      ([k, v]) =>
        `  ${k.padEnd(24)} ${String(v.flagged).padStart(5)}/${String(v.n).padEnd(5)} blocked ${pct(v.rate)}`,
    ),
    '',
    'per source:',
    ...Object.entries(r.per_source).map(
      ([k, v]) =>
        `  ${k}`.padEnd(60) +
        ` ${String(v.flagged).padStart(5)}/${String(v.n).padEnd(5)} ${v.attack ? 'recall' : 'FPR'} ${pct(v.rate)}`,
    ),
  ];
  return lines.join('\n');
}
