// Resuming training after a kill: a checkpoint the killed process was still writing (no trainer_state.json yet)
// is skipped for the last complete one (python/flywheel_train.py, last_checkpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './support/harness-env';

const PYTHON_DIR = path.resolve(__dirname, '..', 'python');

function lastCheckpoint(ckdir: string): string {
  const r = spawnSync(
    'python3',
    ['-c', 'import sys, flywheel_train as f; print(f.last_checkpoint(sys.argv[1]))', ckdir],
    { cwd: PYTHON_DIR, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

void test('resume picks the latest complete checkpoint, skipping one a killed process left half-written', () => {
  const ck = path.join(tempDir('fw-ck-'), 'checkpoints');
  for (const [name, complete] of [
    ['checkpoint-2', true],
    ['checkpoint-10', true],
    ['checkpoint-12', false], // killed while saving
    ['checkpoint-14.tmp', true],
  ] as const) {
    fs.mkdirSync(path.join(ck, name), { recursive: true });
    if (complete) fs.writeFileSync(path.join(ck, name, 'trainer_state.json'), '{}');
  }
  assert.equal(lastCheckpoint(ck), path.join(ck, 'checkpoint-10'));
  fs.rmSync(path.join(ck, 'checkpoint-10'), { recursive: true });
  fs.rmSync(path.join(ck, 'checkpoint-2'), { recursive: true });
  assert.equal(lastCheckpoint(ck), 'None', 'nothing complete: start from scratch');
});
