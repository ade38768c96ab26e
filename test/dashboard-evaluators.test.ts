// The dashboard's evaluators: GET /api/evaluators over the qualification files and the drift notices, the
// "Evaluators" page, and the run page marking scores from evaluators not qualified at run time. Real files, the
// real dashboard server, Debian chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { loadSettings } from '../src/config';
import { startDashboard, type RunningDashboard } from '../src/dashboard/server';
import { EvaluatorsList } from '../src/dashboard/schemas';
import { saveQualification } from '../src/judge/qualification';
import { ensureWebBuilt, launchBrowser, type TestBrowser } from './support/browser';
import { httpRequest } from './support/dashboard-data';
import { tempDir } from './support/harness-env';
import { qualification } from './support/qualifications';
import { writeRuns } from './fixtures/flywheel/records';

const GOOD = 'good-judge:7b';
const BAD = 'bad-judge:135m';
const NEW = 'new-judge:3b';
const QUALIFIED_RUN = '20260301T000001_00000001';
const UNKNOWN_RUN = '20260301T000002_00000002';

describe('dashboard: evaluators', { timeout: 300_000 }, () => {
  let dataDir: string;
  let dash: RunningDashboard;
  let browser: TestBrowser;
  let page: Page;

  before(async () => {
    ensureWebBuilt();
    dataDir = tempDir('fw-dash-eval-');
    await saveQualification(dataDir, qualification(GOOD, 'qualified', '2026-02-01T00:00:00.000Z'));
    await saveQualification(dataDir, qualification(BAD, 'qualified', '2026-02-01T00:00:00.000Z'));
    await saveQualification(dataDir, qualification(BAD, 'unqualified', '2026-02-02T00:00:00.000Z'));
    fs.writeFileSync(
      path.join(dataDir, 'notices.jsonl'),
      [
        JSON.stringify({
          notice_id: 'n1',
          at: '2026-02-02T00:00:00.000Z',
          kind: 'evaluator-drift',
          model: BAD,
          message: 'accuracy fell from 0.85 to 0.50 on the drift check',
        }),
        '{"torn": ',
        JSON.stringify({ what: 'not a notice' }),
      ].join('\n') + '\n',
    );
    await writeRuns(dataDir, [
      {
        runId: QUALIFIED_RUN,
        task: 'scored by a qualified evaluator',
        rounds: [{ [GOOD]: 8.5 }],
        qualifications: {
          [GOOD]: {
            status: 'qualified',
            accuracy: 0.85,
            accuracy_ci95: [0.71, 0.93],
            digest: 'd',
            at: '2026-02-01T00:00:00.000Z',
            reason: null,
          },
        },
      },
      { runId: UNKNOWN_RUN, task: 'scored by an evaluator never qualified', rounds: [{ [NEW]: 9 }] },
    ]);
    const settings = loadSettings({
      FLYWHEEL_DATA_DIR: dataDir,
      FLYWHEEL_EVALUATOR_MODELS: `${GOOD},${NEW}`,
    });
    dash = await startDashboard({ settings, host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await dash?.close();
  });

  test('GET /api/evaluators lists measured and configured evaluators with their figures, and the drift notices', async () => {
    const r = await httpRequest(dash.url, 'GET', '/api/evaluators');
    assert.equal(r.status, 200, r.text);
    assert.ok(EvaluatorsList.safeParse(r.json).success, 'the answer matches its schema');
    const byModel = Object.fromEntries(r.json.items.map((e: any) => [e.model, e]));
    assert.deepEqual(Object.keys(byModel), [BAD, GOOD, NEW]);
    const good = byModel[GOOD];
    assert.equal(good.status, 'qualified');
    assert.equal(good.configured, true);
    assert.equal(good.accuracy, 0.85);
    assert.deepEqual(good.accuracy_ci95, [0.71, 0.93]);
    assert.equal(good.position_consistency, 0.9);
    assert.deepEqual(good.length_bias, {
      shorter_better_accuracy: 0.8,
      shorter_better_n: 20,
      longer_better_accuracy: 0.9,
      longer_better_n: 20,
    });
    assert.equal(good.at, '2026-02-01T00:00:00.000Z');
    // The latest measurement decides.
    assert.equal(byModel[BAD].status, 'unqualified');
    assert.equal(byModel[BAD].measurements, 2);
    assert.equal(byModel[BAD].configured, false);
    assert.equal(byModel[NEW].status, 'unknown');
    assert.equal(byModel[NEW].accuracy, null);
    assert.equal(byModel[NEW].qualify_command, `flywheel judge qualify --models ${NEW}`);
    assert.deepEqual(
      r.json.notices.map((n: any) => [n.notice_id, n.model]),
      [['n1', BAD]],
      'unreadable lines are skipped',
    );
    assert.deepEqual(r.json.thresholds, { min_accuracy_lower_bound: 0.6, min_position_consistency: 0.7 });
    const doc = (await httpRequest(dash.url, 'GET', '/api/openapi.json')).json;
    assert.ok(doc.paths['/api/evaluators']?.get, 'documented in the OpenAPI document');
  });

  test('the Evaluators page shows each model, status, accuracy with interval, position consistency, length bias and when measured', async () => {
    await page.goto(`${dash.url}/#/evaluators`);
    const rows = page.locator('[data-testid="evaluators-table"] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    const good = await page.locator(`tr[data-model="${GOOD}"] td`).allInnerTexts();
    assert.match(good[0], /good-judge:7b/);
    assert.equal(good[1].trim(), 'qualified');
    assert.equal(good[2], '0.850');
    assert.equal(good[3], '[0.710, 0.930]');
    assert.equal(good[4], '90%');
    assert.equal(good[5], '80% (n=20) / 90% (n=20)');
    assert.match(good[6], /^2026-02-01 00:00:00 UTC/);
    const fresh = await page.locator(`tr[data-model="${NEW}"] td`).allInnerTexts();
    assert.match(fresh[1], /unknown[\s\S]*flywheel judge qualify --models new-judge:3b/);
    assert.match(
      await page.locator('[data-testid="evaluator-notices"]').innerText(),
      /evaluator-drift bad-judge:135m accuracy fell from 0\.85 to 0\.50/,
    );
    assert.equal(await page.locator('nav a[href="#/evaluators"]').innerText(), 'Evaluators');
    await browser.screenshot('evaluators');
    assert.deepEqual(browser.problems, []);
  });

  test('a run page marks scores from an evaluator not qualified at run time, and not those of a qualified one', async () => {
    await page.goto(`${dash.url}/#/runs/${UNKNOWN_RUN}`);
    const mark = page.locator('[data-testid="unqualified-scores"]');
    await mark.waitFor();
    assert.match(
      await mark.innerText(),
      /Scores from new-judge:3b \(unknown\): evaluator not qualified at run time/,
    );
    const row = page.locator(`[data-testid="evaluator-scores"] tr[data-model="${NEW}"]`);
    assert.equal(await row.getAttribute('data-qualification'), 'unknown');
    assert.equal(await row.locator('td.untrusted').count(), 1);
    await browser.screenshot('run-unqualified-evaluator');

    await page.goto(`${dash.url}/#/runs/${QUALIFIED_RUN}`);
    const ok = page.locator(`[data-testid="evaluator-scores"] tr[data-model="${GOOD}"]`);
    await ok.waitFor();
    assert.equal(await ok.getAttribute('data-qualification'), 'qualified');
    assert.match(await ok.innerText(), /qualified\s+accuracy 0\.85/);
    assert.equal(await page.locator('[data-testid="unqualified-scores"]').count(), 0);
    assert.equal(await ok.locator('td.untrusted').count(), 0);
    assert.deepEqual(browser.problems, []);
  });
});
