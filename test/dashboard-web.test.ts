// The dashboard web page in a real browser (Debian chromium via playwright-core) against the real dashboard server
// and a data folder written by real harness runs. Saves one screenshot per page to test-artifacts/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { readJsonl } from '../src/audit/jsonl';
import { loadSynthInstructions } from '../src/harness/prompts';
import { MemoryStore } from '../src/memory/store';
import { startDashboard, type RunningDashboard } from '../src/dashboard/server';
import { ensureWebBuilt, launchBrowser, type TestBrowser } from './support/browser';
import { makeDashboardData, type DashboardData } from './support/dashboard-data';
import { stopOwnServer } from './support/harness-env';

async function readAll(file: string): Promise<any[]> {
  const out: any[] = [];
  if (!fs.existsSync(file)) return out;
  for await (const r of readJsonl(file)) out.push(r);
  return out;
}

const oneDecimal = (x: number) => x.toFixed(1);

/** Waits until `selector` matches exactly `n` elements. */
async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = await page.locator(selector).count();
    if (seen === n) return;
    await page.waitForTimeout(50);
  }
  assert.fail(`expected ${n} of ${selector}, saw ${seen}`);
}

describe('dashboard web page', { timeout: 300_000 }, () => {
  let data: DashboardData;
  let dash: RunningDashboard;
  let browser: TestBrowser;
  let page: Page;
  let runs: Record<string, any>;

  before(async () => {
    ensureWebBuilt();
    data = await makeDashboardData();
    dash = await startDashboard({ settings: data.settings, host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    page = browser.page;
    runs = Object.fromEntries(
      (await readAll(path.join(data.dataDir, 'runs.jsonl'))).map((r) => [r.run_id, r]),
    );
  });

  after(async () => {
    await browser?.close();
    await dash?.close();
    await data?.cleanup();
    await stopOwnServer();
  });

  const open = async (hash: string) => {
    await page.goto(`${dash.url}/#/${hash}`);
  };

  test('the runs page lists every run with its status, best score and producer model', async () => {
    await open('runs');
    const rows = page.locator('[data-testid="runs-table"] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    const pass = runs[data.runs.pass];
    const passRow = page.locator(`tr[data-run-id="${data.runs.pass}"]`);
    const cells = await passRow.locator('td').allInnerTexts();
    assert.equal(cells[1], 'PASS');
    assert.equal(cells[2], pass.task);
    assert.equal(cells[3], pass.producer_model);
    assert.equal(cells[6], oneDecimal(Math.max(...pass.wiggum_scores)));
    const errorRow = await page.locator(`tr[data-run-id="${data.runs.error}"] td`).allInnerTexts();
    assert.equal(errorRow[1], 'ERROR');
    assert.equal(errorRow[6], '–', 'an unscored run shows no score');
    await browser.screenshot('runs');

    // Filtering by status keeps only the failed run, and the filter is kept in the address.
    await page.locator('select[name="status"]').selectOption('FAIL');
    await waitForCount(page, '[data-testid="runs-table"] tbody tr', 1);
    assert.deepEqual(
      await page
        .locator('[data-testid="runs-table"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id'))),
      [data.runs.fail],
    );
    assert.match(page.url(), /status=FAIL/);
  });

  test('the runs table pages through the runs with Next and Previous', async () => {
    const ids = () =>
      page
        .locator('[data-testid="runs-table"] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id')));
    await open('runs?limit=2');
    await waitForCount(page, '[data-testid="runs-table"] tbody tr', 2);
    const first = await ids();
    await page.locator('[data-testid="runs-next"]').click();
    await waitForCount(page, '[data-testid="runs-table"] tbody tr', 1);
    const second = await ids();
    assert.equal(await page.locator('[data-testid="runs-page-number"]').innerText(), 'page 2');
    assert.ok(await page.locator('[data-testid="runs-next"]').isDisabled(), 'no page after the last');
    assert.deepEqual([...first, ...second].sort(), Object.values(data.runs).sort());
    await page.locator('[data-testid="runs-prev"]').click();
    await waitForCount(page, '[data-testid="runs-table"] tbody tr', 2);
    assert.deepEqual(await ids(), first);
  });

  test('the run page shows scores per round, the stage timeline, and the output beside the draft', async () => {
    const fail = runs[data.runs.fail];
    await open(`runs/${data.runs.fail}`);
    await page.locator('[data-testid="run-page"]').waitFor();
    assert.equal(await page.locator('[data-testid="run-status"]').innerText(), 'FAIL');

    // One row per dimension (and the composite), one column per scored round.
    const row = async (name: string) =>
      (
        await page.locator(`[data-testid="score-table"] tr[data-dimension="${name}"] td`).allInnerTexts()
      ).slice(1);
    assert.deepEqual(await row('composite'), fail.wiggum_scores.map(oneDecimal));
    for (const d of ['relevance', 'specificity', 'groundedness'])
      assert.deepEqual(await row(d), fail.wiggum_dimensions[d].map(oneDecimal), d);
    assert.equal(fail.wiggum_scores.length, 2, 'the fixture fails after two scored rounds');
    assert.ok((await page.locator('[data-testid="score-chart"] rect[data-dimension]').count()) >= 6);

    await page.locator('[data-testid="timeline"] g.bar').first().waitFor();
    const stages = await page
      .locator('[data-testid="timeline"] g.bar[data-row="stages"]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-stage')));
    for (const s of ['plan', 'research', 'synthesize', 'evaluate'])
      assert.ok(stages.includes(s), `the timeline has a ${s} bar (got ${stages.join(', ')})`);
    const widths = await page
      .locator('[data-testid="timeline"] g.bar rect')
      .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
    assert.ok(widths.every((w) => w > 0));

    const output = fs.readFileSync(path.join(data.dataDir, fail.output_path), 'utf8');
    const draft = fs.readFileSync(path.join(data.dataDir, fail.draft_path), 'utf8');
    assert.notEqual(output, draft);
    assert.equal(await page.locator('[data-testid="run-output"]').innerText(), output.trimEnd());
    assert.equal(await page.locator('[data-testid="run-draft"]').innerText(), draft.trimEnd());

    const temporal = await page.locator('[data-testid="temporal-link"]').getAttribute('href');
    assert.ok(temporal?.endsWith(`/workflows/${encodeURIComponent(fail.workflow_id)}`), temporal ?? '');
    assert.equal(
      await page.locator('[data-testid="trace-download"]').getAttribute('href'),
      `/api/runs/${data.runs.fail}/trace?download=1`,
    );
    await page.locator('[data-testid="perfetto-link"]').waitFor();
    await browser.screenshot('run');

    // A rating round trip: the form posts it, the page shows it, the feedback log holds it.
    const form = page.locator('[data-testid="run-feedback"]');
    await form.locator('input[name="rating"]').fill('7');
    await form.locator('input[name="comment"]').fill('thin but on topic');
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="run-feedback-stats"]', { hasText: '1 rating(s), mean 7.0' }).waitFor();
    const feedback = await readAll(path.join(data.dataDir, 'feedback.jsonl'));
    assert.deepEqual(
      feedback.map((f) => [f.target, f.id, f.rating, f.comment]),
      [['run', data.runs.fail, 7, 'thin but on topic']],
    );

    // The session link lists the runs started by the same job.
    await page.locator('[data-testid="session-link"]').click();
    await waitForCount(page, '[data-testid="runs-table"] tbody tr', 2);
    const ids = await page
      .locator('[data-testid="runs-table"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id')));
    assert.deepEqual(ids.sort(), [data.runs.pass, data.runs.fail].sort());
  });

  test('the memory page edits a memory and the edit is still there after a reload', async () => {
    await open('memories');
    const nodes = page.locator('[data-testid="memory-graph"] a.node');
    await nodes.first().waitFor();
    const id = await nodes.first().getAttribute('data-memory-id');
    assert.ok(id);
    await nodes.first().locator('circle').click();
    const editor = page.locator('[data-testid="memory-editor"]');
    await editor.locator('textarea[name="text"]').waitFor();
    assert.match(page.url(), new RegExp(`#/memories/${id}$`));

    // Not an order: "cite the tool schema…" as an order scores 0.978, just over the encoder's 0.974, so a test text
    // keeps clear of the threshold (this one scores about 0.85).
    const newText =
      'Edited in the browser test: answers that cite the tool schema and give one concrete example score higher.';
    await editor.locator('textarea[name="text"]').fill(newText);
    await editor.locator('input[name="quality"]').fill('7.5');
    await editor.locator('button[type="submit"]', { hasText: 'Save' }).click();
    await editor.getByText('Saved.').waitFor();
    await browser.screenshot('memories');

    await page.reload();
    await page.locator('[data-testid="memory-editor"] textarea[name="text"]').waitFor();
    assert.equal(
      await page.locator('[data-testid="memory-editor"] textarea[name="text"]').inputValue(),
      newText,
    );
    assert.equal(
      await page.locator('[data-testid="memory-editor"] input[name="quality"]').inputValue(),
      '7.5',
    );
    const store = new MemoryStore(data.dataDir);
    try {
      const m = store.get(id);
      assert.equal(m?.text, newText);
      assert.equal(m?.quality, 7.5);
    } finally {
      store.close();
    }
  });

  test('the security page shows KPI cards that match the events log and filters the table', async () => {
    const events = await readAll(path.join(data.dataDir, 'security_events.jsonl'));
    const blocks = events.filter((e) => e.severity === 'block').length;
    const warns = events.filter((e) => e.severity === 'warn').length;
    assert.ok(blocks > 0 && warns > 0, 'the fixture records both severities');
    await open('security');
    await page.locator('[data-testid="kpi-total"]').waitFor();
    assert.equal(await page.locator('[data-testid="kpi-total"] b').innerText(), String(events.length));
    assert.equal(await page.locator('[data-testid="kpi-block"] b').innerText(), String(blocks));
    assert.equal(await page.locator('[data-testid="kpi-warn"] b').innerText(), String(warns));
    const rows = page.locator('[data-testid="security-table"] tbody tr');
    await waitForCount(page, '[data-testid="security-table"] tbody tr', Math.min(events.length, 50));
    await browser.screenshot('security');

    await page.locator('[data-testid="kpi-block"]').click();
    await waitForCount(page, '[data-testid="security-table"] tbody tr', Math.min(blocks, 50));
    const severities = await rows.locator('td:nth-child(2)').allInnerTexts();
    assert.ok(severities.every((s) => s === 'block'));
    assert.match(page.url(), /severity=block/);
  });

  test('the system page saves the SYNTH_INSTRUCTION file and the next run reads the new value', async () => {
    await open('system');
    await page.locator('[data-testid="skills-table"], [data-testid="file-editor"]').first().waitFor();
    await page.locator('[data-testid="settings"]').waitFor();
    assert.ok((await page.locator('[data-testid="settings"] tr').count()) > 5);
    await page.locator('button[data-file="synth_instructions"]').click();
    const textarea = page.locator('[data-testid="file-editor"] textarea[name="content"]');
    await textarea.waitFor();
    const current = JSON.parse(await textarea.inputValue());
    const value = 'Answer in five numbered findings, each with a citation [n].';
    await textarea.fill(JSON.stringify({ ...current, SYNTH_INSTRUCTION: value }, null, 2));
    await page.locator('[data-testid="file-editor"] button[type="submit"]').click();
    await page.locator('[data-testid="file-editor"]').getByText('Saved.').waitFor();
    assert.equal(loadSynthInstructions(data.dataDir).SYNTH_INSTRUCTION, value);
    await page.locator('[data-testid="synth-values"]', { hasText: value }).waitFor();
    await browser.screenshot('system');

    await page.reload();
    await page.locator('button[data-file="synth_instructions"]').click();
    await page.locator('[data-testid="file-editor"] textarea[name="content"]').waitFor();
    assert.match(
      await page.locator('[data-testid="file-editor"] textarea[name="content"]').inputValue(),
      /five numbered/,
    );
  });

  test('the pages load without script errors or failed requests', () => {
    assert.deepEqual(browser.problems, []);
  });

  test('a dashboard that requires a token asks for it, then shows the runs', async () => {
    const token = 'browser-test-token-0123456789';
    const guarded = await startDashboard({ settings: data.settings, host: '127.0.0.1', port: 0, token });
    const tab = await browser.context.newPage();
    try {
      await tab.goto(`${guarded.url}/#/runs`);
      const prompt = tab.locator('[data-testid="token-prompt"]');
      await prompt.waitFor();
      await prompt.locator('input[name="token"]').fill(token);
      await prompt.locator('button[type="submit"]').click();
      await tab.locator('[data-testid="runs-table"] tbody tr').first().waitFor();
      assert.equal(await tab.locator('[data-testid="runs-table"] tbody tr').count(), 3);
      assert.equal(await tab.locator('[data-testid="token-prompt"]').count(), 0);
    } finally {
      await tab.close();
      await guarded.close();
    }
  });
});
