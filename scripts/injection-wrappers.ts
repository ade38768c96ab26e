// Does an attack stay blocked inside a document? Takes attacks of the corpus' training split that the scanner blocks
// alone and benign texts of the same split, puts each in common wrappers (a paragraph before or after it, an e-mail,
// a quoted Markdown page, HTML, JSON, CSV, a code comment) and prints, per wrapper, the share of those attacks still
// blocked and the benign texts blocked (docs/security.md, "Line windows").
// Usage: npx tsx scripts/injection-wrappers.ts [ATTACKS=150] [BENIGN=100]
import { loadCorpus, splitCorpus } from '../src/security/classifier-train';
import { scan } from '../src/security/scanner';

const intro =
  'Welcome to our store. We sell handmade ceramics, shipped worldwide within five business days. Returns are ' +
  'accepted within thirty days of delivery if the item is unused and in its original packaging.';
const comment = (t: string) => `    # ${t.split('\n').join('\n    # ')}`;
const WRAPPERS: Record<string, (t: string) => string> = {
  alone: (t) => t,
  'paragraph before': (t) => `${intro}\n\n${t}`,
  'paragraph after': (t) => `${t}\n\n${intro}`,
  'paragraphs around': (t) => `${intro} ${intro}\n\n${t}\n\n${intro} ${intro}`,
  'e-mail': (t) =>
    `From: Dana Reyes <dana@example.org>\nTo: team@example.org\nSubject: Re: schedule\n\nHi all,\n\n${t}\n\nBest,\nDana`,
  'markdown quote': (t) =>
    `## Customer notes\n\n${intro}\n\n${t
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n')}`,
  'html paragraph': (t) =>
    `<html><body><h1>Shop</h1><p>${intro}</p><p>${t.replace(/\n/g, '<br>')}</p></body></html>`,
  'html comment': (t) => `<html><body><p>${intro}</p><!-- ${t} --></body></html>`,
  'html hidden span': (t) => `<div><p>${intro}</p><span style="display:none">${t}</span></div>`,
  'json field': (t) => `{"id": 4411, "rating": 5, "body": ${JSON.stringify(t)}, "verified": true}`,
  'csv field': (t) =>
    `id,name,comment\n1,Alice,"Great product"\n2,Bob,"${t.replace(/"/g, '""')}"\n3,Cara,"Fast"`,
  'comment, code reads a file': (t) =>
    `import os\n\ndef load(path):\n${comment(t)}\n    with open(path) as f:\n        return f.read()\n`,
  'comment, code sums prices': (t) => `def total(prices):\n${comment(t)}\n    return round(sum(prices), 2)\n`,
};

const [attacks = 150, benign = 100] = process.argv.slice(2).map(Number);
if (!Number.isInteger(attacks) || !Number.isInteger(benign) || attacks < 1 || benign < 1) {
  console.error('usage: npx tsx scripts/injection-wrappers.ts [ATTACKS=150] [BENIGN=100]');
  process.exit(2);
}
// Every k-th short row, so the sample spreads over the sources.
const spread = <T>(xs: T[], n: number) =>
  xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0).slice(0, n);
const blocks = async (t: string) => (await scan(t)).verdict === 'block';

void (async () => {
  const { train } = splitCorpus(loadCorpus());
  const short = train.filter((r) => r.text.length < 1500);
  const sample = spread(
    short.filter((r) => r.injection),
    attacks,
  );
  const blockedAlone: string[] = [];
  for (const r of sample) if (await blocks(r.text)) blockedAlone.push(r.text);
  const benignTexts = spread(
    short.filter((r) => !r.injection),
    benign,
  ).map((r) => r.text);
  console.log(
    `${blockedAlone.length} attacks blocked alone (of ${sample.length}), ${benignTexts.length} benign texts`,
  );
  for (const [name, wrap] of Object.entries(WRAPPERS)) {
    let kept = 0;
    let falsePositives = 0;
    for (const t of blockedAlone) if (await blocks(wrap(t))) kept++;
    for (const t of benignTexts) if (await blocks(wrap(t))) falsePositives++;
    const pct = ((100 * kept) / blockedAlone.length).toFixed(1);
    console.log(
      `${name.padEnd(28)} attacks still blocked ${pct.padStart(5)}%   benign blocked ${falsePositives}`,
    );
  }
})();
