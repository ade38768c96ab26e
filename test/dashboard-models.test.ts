// The dashboard's /api/models: tuned models, battery evals in time order (the plot's series), promotions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { evalActivities } from '../src/activities/eval';
import { appendJsonl } from '../src/audit/jsonl';
import { loadSettings } from '../src/config';
import { ModelsView } from '../src/dashboard/routes/models';
import { startDashboard, type RunningDashboard } from '../src/dashboard/server';
import type { EvalItem } from '../src/flywheel/eval-stats';
import { recordPromotion } from '../src/flywheel/promotion';
import { modelsLog } from '../src/train/lineage';
import { ensureWebBuilt, launchBrowser } from './support/browser';
import { tempDir } from './support/harness-env';

void describe('dashboard Models view data', () => {
  let dash: RunningDashboard;
  const dir = tempDir('fw-dash-models-');
  const settings = loadSettings({ FLYWHEEL_DATA_DIR: path.join(dir, 'data') }, dir);

  before(async () => {
    await appendJsonl(modelsLog(settings.dataDir), {
      schema: 1,
      name: 'smollm2-ft-aaaa1111:latest',
      base: 'smollm2:135m',
      created_at: '2026-12-01T00:00:00.000Z',
      training_args: { kind: 'sft', steps: 20 },
      final_loss: 3.5,
      tokens_per_s: 120,
      dataset: { rows: 32, card_sha256: 'c'.repeat(64) },
      resumed_from: null,
    });
    const items = (model: string, score: number): EvalItem[] =>
      ['h1', 'h2', 'h3'].map((h, i) => ({
        model,
        set: 'battery',
        task_hash: h,
        run_id: `r${i}`,
        final: 'PASS',
        score: score + i * 0.1,
      }));
    const rec = evalActivities({ settings }).recordEval;
    const base = {
      battery: { name: 'core', version: 1, sha256: 'x' },
      evaluatorModels: ['j'],
      qualifications: {},
      allowUnqualified: false,
    };
    // Written out of order: the view sorts by time.
    await rec({
      ...base,
      evalId: 'gen2',
      model: 'gen2',
      baseline: 'gen1',
      items: [...items('gen2', 9), ...items('gen1', 8)],
    });
    await rec({
      ...base,
      evalId: 'gen1',
      model: 'gen1',
      baseline: 'base',
      items: [...items('gen1', 8), ...items('base', 7.5)],
    });
    await recordPromotion(settings.dataDir, {
      promotion_id: 'p1',
      at: '2026-12-02T00:00:00.000Z',
      model: 'gen2',
      alias: 'prod:latest',
      eval_id: 'gen2',
      promote: true,
      reasons: [],
      leaked_tasks: [],
      battery_diff: null,
    });
    dash = await startDashboard({ settings, host: '127.0.0.1', port: 0 });
  });
  after(async () => dash?.close());

  void test('GET /api/models lists the models, the evals with their battery figures, and the promotions', async () => {
    const res = await fetch(`${dash.url}/api/models`);
    assert.equal(res.status, 200);
    const v = ModelsView.parse(await res.json());
    assert.deepEqual(
      v.models.map((m) => [m.name, m.kind, m.steps, m.dataset_rows]),
      [['smollm2-ft-aaaa1111:latest', 'sft', 20, 32]],
    );
    assert.equal(v.evals.length, 2);
    const gen2 = v.evals.find((e) => e.model === 'gen2')!;
    assert.equal(gen2.battery, 'core@v1');
    assert.equal(gen2.mean_composite, 9.1);
    assert.equal(gen2.diff_mean, 1);
    assert.deepEqual(gen2.diff_ci95, [1, 1]);
    assert.ok(v.evals[0].at <= v.evals[1].at, 'in time order');
    assert.deepEqual(
      v.promotions.map((p) => [p.model, p.promote]),
      [['gen2', true]],
    );
  });

  void test('the Models page plots each eval at its mean with its interval, and lists evals, models and promotions', async () => {
    await ensureWebBuilt();
    const browser = await launchBrowser();
    try {
      const v = ModelsView.parse(await (await fetch(`${dash.url}/api/models`)).json());
      const page = browser.page;
      await page.goto(`${dash.url}/#/models`);
      const points = page.locator('[data-testid="battery-plot"] circle.point');
      await points.first().waitFor();
      // One point per eval, in the API's (time) order, at its mean composite.
      assert.deepEqual(
        await points.evaluateAll((cs) =>
          cs.map((c) => [c.getAttribute('data-model'), Number(c.getAttribute('data-mean'))]),
        ),
        v.evals.map((e) => [e.model, e.mean_composite]),
      );
      // An interval bar per eval with a baseline: baseline mean + the difference's interval.
      const bars = await page
        .locator('[data-testid="battery-plot"] line.interval title')
        .evaluateAll((ts) => ts.map((t) => t.textContent));
      assert.deepEqual(
        bars,
        v.evals.map((e) => {
          const base = e.mean_composite! - e.diff_mean!;
          const r = (x: number) => (Math.round(x * 10) / 10).toString();
          return `95% interval ${r(base + e.diff_ci95![0])}–${r(base + e.diff_ci95![1])}`;
        }),
      );
      const gen2 = await page.locator('[data-testid="evals-table"] tr[data-eval="gen2"] td').allInnerTexts();
      assert.deepEqual(gen2.slice(1), [
        'core@v1',
        'gen2',
        'gen1',
        '9.1',
        '100%',
        '+1.00',
        '[1.00, 1.00]',
        '–',
      ]);
      const model = await page
        .locator('[data-testid="models-table"] tr[data-model="smollm2-ft-aaaa1111:latest"] td')
        .allInnerTexts();
      assert.deepEqual(model.slice(0, 7), [
        'smollm2-ft-aaaa1111:latest',
        'smollm2:135m',
        'sft',
        '20',
        '3.500',
        '120.0',
        '32',
      ]);
      assert.match(
        await page.locator('[data-testid="promotions"]').innerText(),
        /promoted gen2 → prod:latest/,
      );
      assert.equal(await page.locator('nav a[href="#/models"]').innerText(), 'Models');
      await browser.screenshot('models');
      assert.deepEqual(browser.problems, []);
    } finally {
      await browser.close();
    }
  });

  void test('the route refuses unknown query parameters', async () => {
    const res = await fetch(`${dash.url}/api/models?x=1`);
    assert.equal(res.status, 400);
  });
});
