// Writes every labelled row the scanner is measured on (the corpus and the unseen hard negatives) with its source
// family, group, held-out flag, scan form, the shipped scanner's verdicts (rules alone and with the classifier) and the
// classifier's top window score, for Python: scripts/build-injection-encoder.py trains the encoder on them, the probes
// (scripts/injection-{embedding,finetune}-probe.py) measure on them.
// Usage: npx tsx scripts/injection-rows.ts OUT.jsonl
import fs from 'node:fs';
import {
  isHeldOut,
  loadCorpus,
  loadUnseenHardNegatives,
  sourceFamily,
} from '../src/security/classifier-train';
import { normalizeForScan, scanText } from '../src/security/scanner';

const out = process.argv[2];
if (!out) {
  console.error('usage: npx tsx scripts/injection-rows.ts OUT.jsonl');
  process.exit(2);
}
const unseen = loadUnseenHardNegatives().map((r) => ({
  text: r.text,
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
    ...(r.group === undefined ? {} : { group: r.group }),
  })),
  ...unseen,
].map((r) => {
  const full = scanText(r.text);
  return {
    ...r,
    scan: normalizeForScan(r.text),
    rules: scanText(r.text, { classifier: 'off' }).verdict === 'block',
    scanner: full.verdict === 'block',
    classifier_score: full.classifier?.score ?? 0,
  };
});
fs.writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`wrote ${rows.length} rows to ${out}`);
