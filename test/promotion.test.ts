// The promotion gate: interval above zero, no leaked battery task, a qualified (not overridden) evaluator set.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvalRecord } from '../src/activities/eval';
import { createBattery } from '../src/flywheel/battery';
import { figures } from '../src/flywheel/eval-stats';
import { decidePromotion } from '../src/flywheel/promotion';
import { taskHash } from '../src/flywheel/task-hash';
import fs from 'node:fs';
import path from 'node:path';
import { promoteActivities } from '../src/activities/promote';
import { loadSettings } from '../src/config';
import { hasModel } from '../src/ollama';
import { tempDir } from './support/harness-env';
import { ScriptedOllama } from './support/scripted-ollama';

const evalWith = (ci95: [number, number] | null, over: Partial<EvalRecord> = {}): EvalRecord => ({
  schema: 1,
  eval_id: 'e',
  at: '',
  workflow_id: '',
  battery: { name: 'b', version: 1, sha256: 'x' },
  model: 'tuned',
  baseline: 'base',
  evaluator_models: ['j'],
  evaluator_qualifications: {},
  allow_unqualified: false,
  battery_figures: {
    model: figures([]),
    baseline: figures([]),
    diff: { n: 3, mean: ci95 ? (ci95[0] + ci95[1]) / 2 : null, ci95 },
  },
  train_figures: null,
  overfit_gap: null,
  items: [],
  ...over,
});

void describe('the promotion gate', () => {
  const dataDir = tempDir('fw-promo-');
  createBattery(dataDir, 'core', ['held task one', 'held task two'], { source: 'test' });

  void test('an interval above zero with no leak promotes', () => {
    const d = decidePromotion(dataDir, evalWith([0.2, 1.1]), [taskHash('some training task')]);
    assert.deepEqual(d.reasons, []);
    assert.equal(d.promote, true);
  });

  void test('an interval touching zero, a leaked battery task or an override each block it with a reason', () => {
    const d = decidePromotion(dataDir, evalWith([0, 1.1], { allow_unqualified: true }), [
      taskHash('Held  Task One'),
    ]);
    assert.equal(d.promote, false);
    assert.deepEqual(
      d.leaked_tasks,
      [taskHash('held task one')],
      'the leak is found through the normalized hash',
    );
    assert.equal(d.reasons.length, 3, d.reasons.join('; '));
    assert.match(d.reasons.join('; '), /not above zero/);
    assert.match(d.reasons.join('; '), /training data/);
    assert.match(d.reasons.join('; '), /unqualified/);
  });

  void test('an eval without a baseline cannot promote', () => {
    const d = decidePromotion(dataDir, evalWith(null, { baseline: null }), []);
    assert.equal(d.promote, false);
    assert.match(d.reasons[0], /no baseline/);
  });

  void test('the gate moves the alias on the model server only when it promotes, and records every decision', async () => {
    const ollama = await ScriptedOllama.start({ models: ['base:1b', 'tuned-ft-1:1b', 'tuned-ft-2:1b'] });
    try {
      const dir = tempDir('fw-promo-act-');
      const settings = loadSettings(
        { FLYWHEEL_DATA_DIR: path.join(dir, 'data'), OLLAMA_HOST: ollama.url },
        dir,
      );
      createBattery(settings.dataDir, 'core', ['held task one'], { source: 'test' });
      const ds = path.join(dir, 'export');
      fs.mkdirSync(ds);
      const row = (t: string) =>
        JSON.stringify({ prompt: t, completion: 'c', provenance: { task_hash: taskHash(t) } });
      fs.writeFileSync(path.join(ds, 'train.jsonl'), `${row('a training task')}\n`);
      const acts = promoteActivities({ settings });
      const bad = await acts.promoteIfBetter({
        id: '1',
        model: 'tuned-ft-1:1b',
        alias: 'prod:latest',
        datasetDir: ds,
        ev: evalWith([-0.5, 0.4], { eval_id: 'e1' }),
      });
      assert.equal(bad.promote, false);
      assert.equal(await hasModel(ollama.url, 'prod:latest'), false, 'no alias after a failed gate');
      const good = await acts.promoteIfBetter({
        id: '2',
        model: 'tuned-ft-2:1b',
        alias: 'prod:latest',
        datasetDir: ds,
        ev: evalWith([0.3, 1.2], { eval_id: 'e2' }),
      });
      assert.equal(good.promote, true);
      assert.equal(await hasModel(ollama.url, 'prod:latest'), true, 'the alias now names the tuned model');
      const lines = fs
        .readFileSync(path.join(settings.dataDir, 'promotions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.model, l.promote]),
        [
          ['tuned-ft-1:1b', false],
          ['tuned-ft-2:1b', true],
        ],
      );
      assert.match(lines[0].reasons[0], /not above zero/);
    } finally {
      await ollama.close();
    }
  });
});
