// How the scanner does on sources it has never seen: leave-one-family-out. For each source family (sourceFamily in
// classifier-train.ts) a model is trained, exactly as the shipped one is (same features, epochs, threshold chosen by
// 5-fold CV at the same false-positive budget), on the training split without that family, and the scanner (rules +
// that model) is measured on every row of the family. Deterministic; about a minute per 10 families on one core.
// Usage: npx tsx scripts/injection-generalization.ts [--json] [--family NAME] [--files a.jsonl,b.jsonl] [--misses F]
//   (--misses: write every missed attack and false positive, with its family, to F as JSONL)
//   (--files: only these files of datasets/injection, e.g. to measure an older corpus)
import {
  CLASSIFIER_FILES,
  TRAIN_ARGS,
  chooseThreshold,
  exampleOf,
  loadCorpus,
  sourceFamily,
  splitCorpus,
  trainLogistic,
  trainingExamples,
} from '../src/security/classifier-train';
import fs from 'node:fs';
import { evaluateScanner } from '../src/security/eval';

const json = process.argv.includes('--json');
const only = process.argv.includes('--family')
  ? process.argv[process.argv.indexOf('--family') + 1]
  : undefined;
const files = process.argv.includes('--files')
  ? process.argv[process.argv.indexOf('--files') + 1].split(',')
  : undefined;
// The shipped classifier's corpus unless told otherwise (written-train.jsonl is the encoder's only).
const rows = loadCorpus(files ?? CLASSIFIER_FILES);
const { train } = splitCorpus(rows);
const families = [...new Set(rows.map((r) => sourceFamily(r.source)))].sort();
const examples = new Map(train.map((r) => [r, exampleOf(r.text, r.injection)]));
const only2 = process.env.LOFO_FAMILIES?.split(',');
if (process.env.LOFO_ARGS) Object.assign(TRAIN_ARGS, JSON.parse(process.env.LOFO_ARGS));
const missesFile = process.argv.includes('--misses')
  ? process.argv[process.argv.indexOf('--misses') + 1]
  : undefined;
if (missesFile) fs.writeFileSync(missesFile, '');
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  for (const fam of families) {
    if ((only && fam !== only) || (only2 && !only2.includes(fam))) continue;
    const t0 = Date.now();
    const data = train.filter((r) => sourceFamily(r.source) !== fam).map((r) => examples.get(r)!);
    const threshold = Number(chooseThreshold(data).toFixed(4));
    const model = trainLogistic(trainingExamples(data));
    const test = rows.filter((r) => sourceFamily(r.source) === fam);
    // The n-gram classifier retrained without the family, so the encoder (trained with it) stays off.
    const rep = await evaluateScanner(
      test.map((r) => ({ text: r.text, attack: r.injection, label: r.label, source: r.source })),
      { threshold, model, encoder: 'off' },
      {
        onMistake: missesFile
          ? (m) => fs.appendFileSync(missesFile, `${JSON.stringify({ family: fam, ...m })}\n`)
          : undefined,
      },
    );
    const res = {
      family: fam,
      threshold,
      attacks: rep.attacks.n,
      recall: rep.recall,
      recall_rules_alone: rep.attacks.n ? rep.attacks.by_rules / rep.attacks.n : null,
      benign: rep.benign.n,
      fpr: rep.fpr,
      seconds: (Date.now() - t0) / 1000,
    };
    results.push(res);
    if (!json)
      console.log(
        `${fam.padEnd(34)} attacks ${String(res.attacks).padStart(4)}  recall ${pct(res.recall).padStart(6)} ` +
          `(rules ${pct(res.recall_rules_alone).padStart(6)})   benign ${String(res.benign).padStart(4)}  ` +
          `FPR ${pct(res.fpr).padStart(5)}   threshold ${threshold}  ${res.seconds.toFixed(0)} s`,
      );
  }
  if (json) console.log(JSON.stringify(results, null, 1));
}

void main();
