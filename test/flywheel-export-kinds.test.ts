// Exports read harness runs and rollout candidates by default: lit-review scores (another rubric) are opt-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { exportDataset } from '../src/flywheel/export';
import { securityEvents } from './support/harness-checks';
import { tempDir } from './support/harness-env';
import { writeRuns } from './fixtures/flywheel/records';

const JUDGE = 'good-judge:7b';
const qualified = {
  [JUDGE]: {
    status: 'qualified' as const,
    accuracy: 0.8,
    accuracy_ci95: [0.7, 0.9] as [number, number],
    digest: 'sha256:abc',
    at: '2026-02-01T00:00:00.000Z',
    reason: null,
  },
};

void test('a lit-review run is left out of exports unless its kind is asked for', async () => {
  const dir = tempDir('fw-export-kinds-');
  await writeRuns(dir, [
    {
      runId: '20260301T000001_00000001',
      task: 'a harness task',
      rounds: [{ [JUDGE]: 9 }],
      qualifications: qualified,
    },
    {
      runId: '20260301T000002_00000002',
      task: 'a literature review',
      kind: 'lit_review',
      rounds: [{ [JUDGE]: 9 }],
      qualifications: qualified,
    },
  ]);
  const sft = (out: string, runKinds?: string[]) =>
    exportDataset({
      kind: 'sft',
      runsFile: path.join(dir, 'runs.jsonl'),
      outDir: path.join(dir, out),
      minScore: 8,
      runKinds,
    });
  const byDefault = await sft('default');
  assert.deepEqual(byDefault.rows, { train: 1, test: 0 });
  assert.deepEqual(byDefault.filters.runKinds, ['run', 'rollout']);
  const withReviews = await sft('with-reviews', ['run', 'lit_review']);
  assert.deepEqual(withReviews.rows, { train: 2, test: 0 });
});

void test('a record whose output path leaves the data folder is skipped and leaves a path_sandbox event', async () => {
  const dir = tempDir('fw-export-refused-');
  await writeRuns(dir, [
    {
      runId: '20260301T000003_00000003',
      task: 'a task',
      rounds: [{ [JUDGE]: 9 }],
      qualifications: qualified,
    },
  ]);
  // Tamper with the record: point its output outside the data folder.
  const runs = path.join(dir, 'runs.jsonl');
  fs.writeFileSync(
    runs,
    fs.readFileSync(runs, 'utf8').replace('"outputs/20260301T000003_00000003.md"', '"../../etc/passwd"'),
  );
  const r = await exportDataset({ kind: 'sft', runsFile: runs, outDir: path.join(dir, 'out'), minScore: 8 });
  assert.deepEqual(r.rows, { train: 0, test: 0 });
  const events = securityEvents(dir);
  assert.deepEqual(
    events.map((e) => [e.event_type, e.layer, e.severity, e.run_id]),
    [['path_sandbox', 'export', 'block', '20260301T000003_00000003']],
  );
  assert.match(String(events[0].detail), /output path \.\.\/\.\.\/etc\/passwd is outside the data folder/);
});
