// The injection scanner's cost: texts/s and p99 latency per KB, rules alone (the baseline, measured in the same run)
// vs rules + classifier vs all three layers (+ the encoder) vs all three with encoded payloads decoded and scanned too
// (decode.ts), on the corpus' texts (short prompts to long jailbreaks)
// and on long fetched-page-like texts.
import { loadCorpus } from '../src/security/classifier-train';
import { scan, type ScanOptions } from '../src/security/scanner';

async function measure(texts: string[], opts: ScanOptions, rounds: number) {
  const perKb: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++)
    for (const t of texts) {
      const s = process.hrtime.bigint();
      await scan(t, opts);
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
  // Every 4th corpus text: the encoder takes milliseconds per text, and the three rows must share their texts.
  const corpus = loadCorpus()
    .map((r) => r.text)
    .filter((_, i) => i % 4 === 0);
  const para = 'Agents plan, act and observe; tool use improves with feedback from the environment. ';
  const pages = Array.from({ length: 20 }, (_, i) => `${para.repeat(20 + i * 10)}\n`.repeat(3));
  const out: Record<string, unknown> = {};
  const line = (label: string, m: Awaited<ReturnType<typeof measure>>, base: typeof m) =>
    `  ${label.padEnd(30)} ${m.texts_per_s} texts/s, p99 ${m.p99_ms_per_kb} ms/KB` +
    (m === base
      ? '\n'
      : `  (throughput ×${(m.texts_per_s / base.texts_per_s).toFixed(3)}, p99 ×${(m.p99_ms_per_kb / base.p99_ms_per_kb).toFixed(1)} of rules only)\n`);
  for (const [name, texts] of [
    ['corpus', corpus],
    ['pages', pages],
  ] as const) {
    await scan(texts[0]); // load the models outside the timing
    const rules = await measure([...texts], { classifier: 'off', encoder: 'off', decode: false }, 1);
    const both = await measure([...texts], { encoder: 'off', decode: false }, 1);
    const all = await measure([...texts], { encoder: 'block', decode: false }, 1);
    const decoded = await measure([...texts], { encoder: 'block' }, 1);
    const kb = texts.reduce((s, t) => s + t.length, 0) / 1024 / texts.length;
    out[name] = {
      texts: texts.length,
      mean_kb: Number(kb.toFixed(2)),
      rules,
      rules_and_classifier: both,
      all_layers: all,
      all_layers_and_decoders: decoded,
    };
    process.stdout.write(
      `${name} (${texts.length} texts, mean ${kb.toFixed(2)} KB):\n` +
        line('rules only:', rules, rules) +
        line('rules + classifier:', both, rules) +
        line('rules + classifier + encoder:', all, rules) +
        line('… + encoded payloads decoded:', decoded, rules),
    );
  }
  return out;
}
