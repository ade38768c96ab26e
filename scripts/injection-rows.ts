// Writes every labelled row the scanner is measured on (the corpus and the unseen hard negatives) with its source
// family, held-out flag and the shipped scanner's verdicts, rules alone and with the classifier, for experiments in
// other languages (scripts/injection-embedding-probe.py).
// Usage: npx tsx scripts/injection-rows.ts OUT.jsonl
import fs from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR, isHeldOut, loadCorpus, sourceFamily } from '../src/security/classifier-train';
import { scanText } from '../src/security/scanner';

const out = process.argv[2];
if (!out) {
  console.error('usage: npx tsx scripts/injection-rows.ts OUT.jsonl');
  process.exit(2);
}
const unseen = fs
  .readFileSync(path.join(CORPUS_DIR, 'eval', 'hard-negatives-unseen.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => ({
    text: (JSON.parse(l) as { text: string }).text,
    injection: false,
    family: 'unseen hard negatives',
    held: true,
  }));
const rows = [
  ...loadCorpus().map((r) => ({
    text: r.text,
    injection: r.injection,
    family: sourceFamily(r.source),
    held: isHeldOut(r.text, r.group),
  })),
  ...unseen,
].map((r) => ({
  ...r,
  rules: scanText(r.text, { classifier: 'off' }).verdict === 'block',
  scanner: scanText(r.text).verdict === 'block',
}));
fs.writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`wrote ${rows.length} rows to ${out}`);
