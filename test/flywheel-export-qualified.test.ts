// Exports take only runs whose evaluators were qualified at run time, unless --allow-unqualified (and then the
// dataset card says so first). Real files, the real CLI; the records are written directly (no model involved).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { exportDataset } from '../src/flywheel/export';
import { saveQualification } from '../src/judge/qualification';
import { tempDir } from './support/harness-env';
import { qualification } from './support/qualifications';
import { writeRuns, type MiniRun } from './fixtures/flywheel/records';

const ROOT = path.resolve(__dirname, '..');
const GOOD = 'good-judge:7b';
const BAD = 'bad-judge:135m';
const id = (n: number) => `20260301T00000${n}_0000000${n}`;
const q = (status: 'qualified' | 'unqualified' | 'unknown', accuracy: number | null = null) => ({
  status,
  accuracy,
  accuracy_ci95: accuracy === null ? null : ([accuracy - 0.1, accuracy + 0.05] as [number, number]),
  digest: 'sha256:abc',
  at: accuracy === null ? null : '2026-02-01T00:00:00.000Z',
  reason: status === 'qualified' ? null : 'below the threshold',
});

/** Four PASS runs: by a qualified evaluator, an unqualified one, a pool of both, and an old record. */
const RUNS: MiniRun[] = [
  {
    runId: id(1),
    task: 'task one',
    rounds: [{ [GOOD]: 9 }],
    qualifications: { [GOOD]: q('qualified', 0.82) },
  },
  {
    runId: id(2),
    task: 'task two',
    rounds: [{ [BAD]: 9.5 }],
    qualifications: { [BAD]: q('unqualified', 0.48) },
  },
  {
    runId: id(3),
    task: 'task three',
    rounds: [{ [GOOD]: 9, [BAD]: 9 }],
    qualifications: { [GOOD]: q('qualified', 0.82), [BAD]: q('unqualified', 0.48) },
  },
  { runId: id(4), task: 'task four', rounds: [{ [GOOD]: 9 }] },
];

async function dataDir(): Promise<string> {
  const dir = tempDir('fw-export-q-');
  await writeRuns(dir, RUNS);
  return dir;
}

const rowsOf = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** sft rows (scores ≥ 8) from the four runs into <dir>/out. */
const exportSft = (dir: string, allowUnqualified?: boolean) =>
  exportDataset({
    kind: 'sft',
    runsFile: path.join(dir, 'runs.jsonl'),
    outDir: path.join(dir, 'out'),
    minScore: 8,
    allowUnqualified,
  });

describe('flywheel exports: qualified evaluators only', () => {
  test('by default only runs whose every evaluator was qualified at run time become rows; the card lists each evaluator', async () => {
    const dir = await dataDir();
    const s = await exportSft(dir);
    assert.deepEqual(s.rows, { train: 1, test: 0 });
    assert.deepEqual(
      rowsOf(path.join(dir, 'out', 'train.jsonl')).map((r) => r.provenance.run_ids),
      [[id(1)]],
    );
    assert.equal(
      s.input.unqualified,
      3,
      'the unqualified, the mixed pool and the record with no qualification',
    );
    assert.deepEqual(
      s.evaluators.map((e) => [e.model, e.runs, e.accuracy, e.accuracy_ci95]),
      [
        [BAD, { unqualified: 2 }, 0.48, [0.38, 0.53]],
        [GOOD, { qualified: 2, unknown: 1 }, 0.82, [0.72, 0.87]],
      ],
    );
    const card = fs.readFileSync(path.join(dir, 'out', 'README.md'), 'utf8');
    assert.match(card, /^---\n/, 'the YAML front matter stays first for `datasets`');
    assert.doesNotMatch(card, /allow-unqualified`\*\*/);
    assert.match(
      card,
      /Only runs whose evaluators were all `qualified` at run time .*; 3 run\(s\) or pair\(s\) left out/,
    );
    assert.match(
      card,
      /\| `good-judge:7b` \| qualified 2, unknown 1 \| 0\.820 \| \[0\.720, 0\.870\] \| 2026-02-01/,
    );
    assert.match(card, /\| `bad-judge:135m` \| unqualified 2 \| 0\.480 \| \[0\.380, 0\.530\] \|/);
  });

  test('--allow-unqualified takes every run and the card says so in the first line of its body', async () => {
    const dir = await dataDir();
    const s = await exportSft(dir, true);
    assert.equal(s.rows.train, 4);
    const card = fs.readFileSync(path.join(dir, 'out', 'README.md'), 'utf8');
    const body = card.split('\n---\n')[1].split('\n');
    assert.match(
      body[0],
      /^> \*\*Warning: exported with `--allow-unqualified`\*\* — 3 run\(s\) or pair\(s\) were scored by evaluators not qualified/,
    );
    assert.match(card, /^- unqualified-labels$/m);
  });

  test('an evaluator not measured as of its runs is listed with the latest measurement in the data folder', async () => {
    const dir = await dataDir();
    await saveQualification(dir, qualification(GOOD, 'qualified', '2026-06-01T00:00:00.000Z'));
    const only4 = path.join(dir, 'runs4.jsonl');
    fs.writeFileSync(only4, fs.readFileSync(path.join(dir, 'runs.jsonl'), 'utf8').split('\n')[3] + '\n');
    const s = await exportDataset({
      kind: 'sft',
      runsFile: only4,
      dataDir: dir,
      outDir: path.join(dir, 'o4'),
    });
    assert.equal(s.rows.train, 0, 'qualified later does not make an old run qualified');
    assert.deepEqual(
      s.evaluators.map((e) => [e.model, e.runs, e.accuracy, e.at]),
      [[GOOD, { unknown: 1 }, 0.85, '2026-06-01T00:00:00.000Z']],
    );
  });

  test('the CLI says how many runs it left out and how to qualify, and --allow-unqualified takes them', () => {
    return dataDir().then((dir) => {
      const cli = (...args: string[]) =>
        spawnSync(
          process.execPath,
          [path.join(ROOT, 'bin/flywheel.js'), 'export', 'sft', '--min-score', '8', ...args],
          {
            cwd: ROOT,
            encoding: 'utf8',
            env: { ...process.env, FLYWHEEL_DATA_DIR: dir, LOG_LEVEL: 'warn' },
          },
        );
      const res = cli();
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /^sft: 1 train rows from 4 records/);
      assert.match(
        res.stdout,
        /3 run\(s\)\/pair\(s\) left out: evaluators not qualified at run time \(qualify them with `flywheel judge qualify --models <model>`, or pass --allow-unqualified\)/,
      );
      const all = cli('--allow-unqualified', '--json');
      assert.equal(all.status, 0, all.stderr);
      const summary = JSON.parse(all.stdout);
      assert.equal(summary.rows.train, 4);
      assert.equal(summary.filters.allowUnqualified, true);
      const help = spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), 'export', '--help'], {
        encoding: 'utf8',
      });
      assert.match(help.stdout, /--allow-unqualified/);
    });
  });
});
