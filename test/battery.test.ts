// Held-out task batteries: frozen versions, and exports that never contain a battery task.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { batteryTaskHashes, createBattery, loadBattery, sampleTasks } from '../src/flywheel/battery';
import { exportDataset } from '../src/flywheel/export';
import type { ExportKind } from '../src/flywheel/export-rows';
import { taskHash } from '../src/flywheel/task-hash';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { harnessEnv, stopOwnServer, type HarnessEnv } from './support/harness-env';
import { scriptExports } from './fixtures/flywheel/export-script';

const TASKS = [
  'alpha: survey tool use in agents',
  'beta: agent memory designs',
  'gamma: planning in agents',
  'delta: tool learning benchmarks',
];

const rows = (file: string): any[] =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

after(() => stopOwnServer());

void describe('task batteries and the export exclusion', () => {
  let env: HarnessEnv;
  const exportsRoot = () => path.join(env.dataDir, 'exports');
  const exp = (kind: ExportKind, dir: string) =>
    exportDataset({
      kind,
      runsFile: path.join(env.dataDir, 'runs.jsonl'),
      outDir: path.join(exportsRoot(), dir),
      // This test is about the battery filter; the qualified-evaluators filter has its own tests.
      allowUnqualified: true,
    });

  before(async () => {
    env = await harnessEnv();
    scriptExports(env.ollama);
    for (const t of TASKS)
      await (await startHarnessRun(env.client, env.taskQueue, resolveHarnessInput(t, env.settings))).result();
  });
  after(async () => env.close());

  void test('a battery built from exported tasks warns about them, and later exports withhold them and say how many', async () => {
    const first = await exp('kto', 'kto-before');
    assert.equal(first.batteryWithheld, 0);
    const exported = rows(path.join(exportsRoot(), 'kto-before', 'train.jsonl'));
    const exportedTasks = [...new Set(exported.map((r) => r.provenance.task_hash))];
    assert.ok(exportedTasks.length >= 2, `the scripted runs are exported (${exportedTasks.length} tasks)`);
    const heldOut = TASKS.filter((t) => exportedTasks.includes(taskHash(t))).slice(0, 2);

    const { battery, alreadyExported } = createBattery(
      env.dataDir,
      'held',
      [...heldOut, 'a brand-new task'],
      {
        source: 'test',
      },
    );
    assert.equal(battery.version, 1);
    assert.deepEqual(
      alreadyExported.map((x) => x.task).sort(),
      [...heldOut].sort(),
      'the exported tasks are listed',
    );

    for (const kind of ['kto', 'sft', 'dpo', 'reward'] as const) {
      const s = await exp(kind, `${kind}-after`);
      const all = [...rows(path.join(exportsRoot(), `${kind}-after`, 'train.jsonl'))];
      const hashes = batteryTaskHashes(env.dataDir);
      assert.ok(
        all.every((r) => !hashes.has(r.provenance.task_hash)),
        `${kind}: no battery task in the export`,
      );
      const card = fs.readFileSync(path.join(exportsRoot(), `${kind}-after`, 'README.md'), 'utf8');
      assert.ok(
        card.includes(`rows withheld because their task is in a held-out battery: ${s.batteryWithheld}`),
      );
      if (kind === 'kto') {
        assert.ok(s.batteryWithheld > 0, 'kto withheld the battery rows');
        assert.equal(s.rows.train + s.batteryWithheld, first.rows.train, 'only battery rows were withheld');
      }
    }
  });

  void test('a battery version is frozen: creating it again makes the next version and leaves the first untouched', () => {
    const a = createBattery(env.dataDir, 'frozen', ['one task here', 'two task here'], {
      source: 'test',
    }).battery;
    const file = path.join(env.dataDir, 'batteries', 'frozen', 'v1.jsonl');
    const before = fs.readFileSync(file, 'utf8');
    const b = createBattery(env.dataDir, 'frozen', ['three task here'], { source: 'test' }).battery;
    assert.equal(b.version, 2);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.equal(fs.statSync(file).mode & 0o222, 0, 'v1 is read-only');
    assert.equal(loadBattery(env.dataDir, 'frozen')?.version, 2);
    assert.equal(loadBattery(env.dataDir, 'frozen@v1')?.sha256, a.sha256);
    assert.equal(loadBattery(env.dataDir, 'frozen@v9'), null);
    assert.throws(
      () => createBattery(env.dataDir, 'Bad Name', ['x y z'], { source: 'test' }),
      /battery name/,
    );
  });

  void test('a sample is deterministic: the same tasks and seed give the same battery', () => {
    const many = Array.from({ length: 50 }, (_, i) => `task number ${i}`);
    assert.deepEqual(sampleTasks(many, 5), sampleTasks([...many].reverse(), 5));
    assert.notDeepEqual(sampleTasks(many, 5), sampleTasks(many, 5, 'other-seed'));
  });
});
