import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { dpoRows, rewardRows, type RowFilters } from '../src/flywheel/export-rows';
import type { RunView } from '../src/flywheel/run-view';

const filters: RowFilters = { minScore: 8.5, minDelta: 1, failBelow: 5, format: 'messages', system: '' };

function run(dataDir: string, scores: number[]): RunView {
  fs.mkdirSync(path.join(dataDir, 'outputs'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'outputs', 'r1.md'), 'the best draft');
  fs.writeFileSync(path.join(dataDir, 'outputs', 'r1.draft.md'), 'the first draft');
  return {
    runId: 'r1',
    kind: 'run',
    task: 'a task',
    final: 'FAIL',
    scores,
    outputPath: 'outputs/r1.md',
    draftPath: 'outputs/r1.draft.md',
    rubricVersion: 'wiggum-v1',
    evaluatorModels: ['judge'],
    producerModel: 'producer',
    sessionId: null,
    startedAt: null,
    evaluatorScores: [],
  };
}

void test('dpo score_delta and reward margin are both chosen_score − rejected_score when the last round is not the best', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-delta-'));
  // Round 2 is the best (published) draft; round 3 fell back: last − first would be 1.5, best − first is 3.
  const v = run(dir, [6, 9, 7.5]);
  const dpo = dpoRows(dir, v, filters).rows[0].row as Record<string, number>;
  const reward = rewardRows(dir, v, filters).rows[0].row as Record<string, number>;
  assert.equal(dpo.chosen_score, 9);
  assert.equal(dpo.rejected_score, 6);
  assert.equal(dpo.score_delta, 3);
  assert.equal(reward.margin, 3);
  assert.equal(dpo.score_delta, dpo.chosen_score - dpo.rejected_score);
});

void test('the min-delta filter uses the same definition: a best round 1.0 above round 1 qualifies even if the last fell back', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-delta-'));
  assert.equal(dpoRows(dir, run(dir, [6, 7, 6.2]), filters).rows.length, 1);
  assert.equal(dpoRows(dir, run(dir, [6, 6.9, 6.5]), filters).rows.length, 0);
});
