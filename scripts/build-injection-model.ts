// Builds src/security/injection-model.json from datasets/injection (deterministic) and reports the held-out split.
// Usage: npx tsx scripts/build-injection-model.ts [--check]   (--check: fail if the committed file differs)
import fs from 'node:fs';
import { MODEL_FILE } from '../src/security/classifier';
import { buildModel } from '../src/security/classifier-train';
import { evaluateScanner, formatReport } from '../src/security/eval';

const check = process.argv.includes('--check');
const t0 = Date.now();
const { file, train, heldOut } = buildModel();
const json = `${JSON.stringify(file, null, 1)}\n`;
console.log(
  `trained on ${train.length} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s; threshold ${file.threshold}`,
);
if (check) {
  const same = fs.existsSync(MODEL_FILE) && fs.readFileSync(MODEL_FILE, 'utf8') === json;
  console.log(same ? `${MODEL_FILE} is reproduced exactly` : `${MODEL_FILE} differs from the build`);
  process.exit(same ? 0 : 1);
}
fs.writeFileSync(MODEL_FILE, json);
console.log(`wrote ${MODEL_FILE}\n\nheld-out split (${heldOut.length} rows, never trained on):`);
const rows = heldOut.map((r) => ({ text: r.text, attack: r.injection, label: r.label, source: r.source }));
// Rules + this classifier (the encoder's figures are in src/security/injection-encoder/meta.json).
void evaluateScanner(rows, { threshold: file.threshold, encoder: 'off' }).then((r) =>
  console.log(formatReport(r)),
);
