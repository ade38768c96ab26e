import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

test('a CI-sized chaos run (20 runs, killed and paused workers, model faults) keeps one valid record per run', () => {
  const res = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(__dirname, '..', 'chaos', 'run.ts'),
      '--runs',
      '20',
      '--concurrency',
      '10',
      '--kill-every',
      '10',
    ],
    { encoding: 'utf8', timeout: 15 * 60_000 },
  );
  const out = `${res.stdout}\n${res.stderr}`;
  assert.equal(res.status, 0, out.slice(-4000));
  assert.match(out, /runs submitted 20, records 20, duplicates 0, unreadable lines 0, invalid traces 0/);
  assert.match(out, /"TERMINATED":1/);
  assert.match(out, /"CANCELLED":1/);
  assert.match(out, /all invariants hold/);
});
