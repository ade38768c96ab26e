// The injection scanner's cost: texts/s and p99 latency per KB, rules alone (the baseline, measured in the same run)
// vs rules + classifier, on the corpus' texts (short prompts to long jailbreaks) and on long fetched-page-like texts.
import { loadCorpus } from '../src/security/classifier-train';
import { scanText, type ScanOptions } from '../src/security/scanner';

function measure(texts: string[], opts: ScanOptions, rounds: number) {
  const perKb: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++)
    for (const t of texts) {
      const s = process.hrtime.bigint();
      scanText(t, opts);
      perKb.push(Number(process.hrtime.bigint() - s) / 1e6 / Math.max(0.1, t.length / 1024));
    }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  perKb.sort((a, b) => a - b);
  return {
    texts_per_s: Math.round((texts.length * rounds) / seconds),
    p50_ms_per_kb: Number(perKb[Math.floor(perKb.length * 0.5)].toFixed(3)),
    p99_ms_per_kb: Number(perKb[Math.floor(perKb.length * 0.99)].toFixed(3)),
  };
}

export async function benchInjection(): Promise<object> {
  const corpus = loadCorpus().map((r) => r.text);
  const para = 'Agents plan, act and observe; tool use improves with feedback from the environment. ';
  const pages = Array.from({ length: 40 }, (_, i) => `${para.repeat(20 + i * 5)}\n`.repeat(3));
  const out: Record<string, unknown> = {};
  for (const [name, texts, rounds] of [
    ['corpus', corpus, 3],
    ['pages', pages, 3],
  ] as const) {
    scanText(texts[0]); // load the model outside the timing
    const rules = measure([...texts], { classifier: 'off' }, rounds);
    const both = measure([...texts], {}, rounds);
    const kb = texts.reduce((s, t) => s + t.length, 0) / 1024 / texts.length;
    out[name] = { texts: texts.length, mean_kb: Number(kb.toFixed(2)), rules, rules_and_classifier: both };
    process.stdout.write(
      `${name} (${texts.length} texts, mean ${kb.toFixed(2)} KB):\n` +
        `  rules only:         ${rules.texts_per_s} texts/s, p99 ${rules.p99_ms_per_kb} ms/KB\n` +
        `  rules + classifier: ${both.texts_per_s} texts/s, p99 ${both.p99_ms_per_kb} ms/KB  ` +
        `(throughput ×${(both.texts_per_s / rules.texts_per_s).toFixed(2)}, p99 ×${(both.p99_ms_per_kb / rules.p99_ms_per_kb).toFixed(1)} of rules only)\n`,
    );
  }
  return out;
}
