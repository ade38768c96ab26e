// Task batteries: frozen, versioned sets of held-out tasks (data/batteries/<name>/v<N>.jsonl, one
// {"task", "task_hash"} a line, plus v<N>.meta.json). A task in any battery is never exported for training.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../audit/jsonl';
import { taskHash } from './task-hash';

export const BATTERY_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const batteriesDir = (dataDir: string) => path.join(dataDir, 'batteries');

export interface BatteryTask {
  task: string;
  task_hash: string;
}

export interface BatteryMeta {
  name: string;
  version: number;
  created_at: string;
  tasks: number;
  /** SHA-256 of the version's JSONL: the battery's identity in eval results. */
  sha256: string;
  source: string;
}

export interface Battery extends BatteryMeta {
  items: BatteryTask[];
}

const versionFile = (dataDir: string, name: string, v: number) =>
  path.join(batteriesDir(dataDir), name, `v${v}.jsonl`);

function versions(dataDir: string, name: string): number[] {
  const dir = path.join(batteriesDir(dataDir), name);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^v(\d+)\.jsonl$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function listBatteries(dataDir: string): BatteryMeta[] {
  const root = batteriesDir(dataDir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((n) => BATTERY_NAME_RE.test(n))
    .flatMap((n) =>
      versions(dataDir, n).map(
        (v) =>
          JSON.parse(
            fs.readFileSync(versionFile(dataDir, n, v).replace(/\.jsonl$/, '.meta.json'), 'utf8'),
          ) as BatteryMeta,
      ),
    );
}

/** `name` or `name@v<N>`; the latest version when none is given. Null when there is no such battery. */
export function loadBattery(dataDir: string, ref: string): Battery | null {
  const [name, v] = ref.split('@');
  const vs = versions(dataDir, name);
  const version = v ? Number(v.replace(/^v/, '')) : vs[vs.length - 1];
  if (!version || !vs.includes(version)) return null;
  const file = versionFile(dataDir, name, version);
  const meta = JSON.parse(fs.readFileSync(file.replace(/\.jsonl$/, '.meta.json'), 'utf8')) as BatteryMeta;
  const items = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as BatteryTask);
  return { ...meta, items };
}

/** The task hashes of every version of every battery: what exports withhold. */
export function batteryTaskHashes(dataDir: string): Set<string> {
  const out = new Set<string>();
  for (const m of listBatteries(dataDir))
    for (const t of loadBattery(dataDir, `${m.name}@${m.version}`)?.items ?? []) out.add(t.task_hash);
  return out;
}

/** Distinct tasks of runs.jsonl, in file order (not those of eval runs: they replay battery and sample tasks). */
export async function runTasks(runsFile: string): Promise<string[]> {
  const seen = new Set<string>();
  const out: string[] = [];
  if (!fs.existsSync(runsFile)) return out;
  for await (const r of readJsonl(runsFile, { onSkip: () => undefined })) {
    const { task: t, kind } = r as { task?: unknown; kind?: unknown };
    if (kind === 'eval' || typeof t !== 'string' || seen.has(taskHash(t))) continue;
    seen.add(taskHash(t));
    out.push(t);
  }
  return out;
}

/** `n` tasks chosen by a hash of (seed, task hash): the same runs and seed give the same sample. */
export function sampleTasks(tasks: string[], n: number, seed = 'battery'): string[] {
  const key = (t: string) =>
    crypto
      .createHash('sha256')
      .update(`${seed}\0${taskHash(t)}`)
      .digest('hex');
  return [...tasks].sort((a, b) => (key(a) < key(b) ? -1 : 1)).slice(0, n);
}

/** Task hashes already written to exports under `exportsRoot` (every *.jsonl one folder down), with the file. */
export function exportedTaskHashes(exportsRoot: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(exportsRoot)) return out;
  for (const d of fs.readdirSync(exportsRoot)) {
    const dir = path.join(exportsRoot, d);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const h = (JSON.parse(line) as { provenance?: { task_hash?: unknown } }).provenance?.task_hash;
          if (typeof h === 'string' && !out.has(h)) out.set(h, path.join(d, f));
        } catch {
          // a torn line: not our concern here
        }
      }
    }
  }
  return out;
}

/**
 * Freezes `tasks` as the next version of battery `name`. Returns the battery and the tasks that were already
 * exported for training (they stay in the battery and are withheld from later exports).
 */
export function createBattery(
  dataDir: string,
  name: string,
  tasks: string[],
  opts: { source: string; exportsRoot?: string; now?: Date },
): { battery: Battery; alreadyExported: { task: string; file: string }[] } {
  if (!BATTERY_NAME_RE.test(name))
    throw new RangeError(`battery name: lowercase letters, digits, - and _ (got ${name})`);
  const seen = new Set<string>();
  const items: BatteryTask[] = [];
  for (const t of tasks) {
    const h = taskHash(t);
    if (seen.has(h)) continue;
    seen.add(h);
    items.push({ task: t, task_hash: h });
  }
  if (!items.length) throw new RangeError('a battery needs at least one task');
  const vs = versions(dataDir, name);
  const version = (vs[vs.length - 1] ?? 0) + 1;
  const file = versionFile(dataDir, name, version);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = items.map((i) => JSON.stringify(i)).join('\n') + '\n';
  const meta: BatteryMeta = {
    name,
    version,
    created_at: (opts.now ?? new Date()).toISOString(),
    tasks: items.length,
    sha256: crypto.createHash('sha256').update(body).digest('hex'),
    source: opts.source,
  };
  fs.writeFileSync(`${file}.tmp`, body, { flag: 'wx' });
  fs.writeFileSync(file.replace(/\.jsonl$/, '.meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  fs.chmodSync(file, 0o444);
  const exported = exportedTaskHashes(opts.exportsRoot ?? path.join(dataDir, 'exports'));
  const alreadyExported = items
    .filter((i) => exported.has(i.task_hash))
    .map((i) => ({ task: i.task, file: exported.get(i.task_hash)! }));
  return { battery: { ...meta, items }, alreadyExported };
}
