import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendJsonl } from '../src/audit/jsonl';
import { emptyWiggumDimensions, RunRecord } from '../src/audit/records';
import { loadSettings } from '../src/config';
import { createDashboardApp, type DashboardApp } from '../src/dashboard/app';

let n = 0;
/** A valid runs.jsonl record; ids and start times increase with each call. */
function record(over: Record<string, unknown> = {}) {
  n++;
  const runId = `20260101T0000${String(n).padStart(2, '0')}_${n.toString(16).padStart(8, '0')}`;
  const rec = {
    run_id: runId,
    kind: 'run',
    task: `task number ${n}`,
    producer_model: 'p:1',
    evaluator_model: 'e:1',
    evaluator_models: ['e:1'],
    run_duration_s: n,
    input_tokens: 10,
    output_tokens: 5,
    wiggum_rounds: 0,
    wiggum_scores: [],
    wiggum_dimensions: emptyWiggumDimensions(),
    final: 'FAIL',
    error: null,
    failed_stage: null,
    tool_calls: [],
    output_path: null,
    draft_path: null,
    rubric_version: 'wiggum-v1',
    evaluator_scores: [],
    score_spread: [],
    stages: {},
    workflow_id: `run-${runId}`,
    parent_id: null,
    session_id: null,
    trace_path: null,
    started_at: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`,
    schema_version: 1,
    ...over,
  };
  return RunRecord.parse(rec);
}

describe('dashboard indexes over the logs', () => {
  let dir: string;
  let dash: DashboardApp;
  let runsFile: string;
  const get = async (p: string) => {
    const r = await dash.fetch(new Request(`http://127.0.0.1:8787${p}`));
    assert.equal(r.status, 200, `${p}: ${await r.clone().text()}`);
    return (await r.json()) as any;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-'));
    const settings = loadSettings({ FLYWHEEL_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' }, dir);
    dash = createDashboardApp({ settings });
    runsFile = path.join(settings.dataDir, 'runs.jsonl');
  });
  afterEach(() => {
    dash.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a lit-review started by a harness run joins its session; rollout candidates group by batch', async () => {
    const parent = record({ task: 'review agent memory papers' });
    await appendJsonl(runsFile, parent);
    await appendJsonl(runsFile, record({ kind: 'lit_review', parent_id: `run-${parent.run_id}` }));
    for (let k = 0; k < 3; k++)
      await appendJsonl(
        runsFile,
        record({ kind: 'rollout', session_id: 'batch-7', parent_id: 'rollout-batch-7' }),
      );
    const { items } = await get('/api/sessions');
    assert.equal(items.length, 2);
    const review = items.find((s: any) => s.id === parent.run_id);
    assert.equal(review.kind, 'lit_review');
    assert.equal(review.run_count, 2);
    assert.equal(review.task, 'review agent memory papers');
    const batch = items.find((s: any) => s.id === 'batch-7');
    assert.equal(batch.kind, 'rollout_batch');
    assert.equal(batch.run_count, 3);
    assert.equal((await get('/api/sessions?kind=rollout_batch')).total, 1);
  });

  test('a repeated run id counts once (the first record) and a record missing fields is skipped', async () => {
    const a = record({ task: 'first' });
    await appendJsonl(runsFile, a);
    await appendJsonl(runsFile, { ...a, task: 'second copy' });
    fs.appendFileSync(runsFile, `${JSON.stringify({ run_id: 'x', final: 'PASS' })}\n`);
    const page = await get('/api/runs');
    assert.equal(page.total, 1);
    assert.equal(page.items[0].task, 'first');
    assert.equal((await get('/api/health')).skipped_lines.runs, 2);
  });

  test('a line written in two pieces is indexed once it is complete', async () => {
    const line = `${JSON.stringify(record({ task: 'written in two pieces' }))}\n`;
    fs.mkdirSync(path.dirname(runsFile), { recursive: true });
    fs.writeFileSync(runsFile, line.slice(0, 40));
    assert.equal((await get('/api/runs')).total, 0);
    fs.appendFileSync(runsFile, line.slice(40));
    const page = await get('/api/runs');
    assert.equal(page.total, 1);
    assert.equal(page.items[0].task, 'written in two pieces');
    assert.equal((await get('/api/health')).skipped_lines.runs, 0);
  });

  test('analytics count harness runs by default; lit-reviews and rollouts only when their kind (or all) is asked', async () => {
    await appendJsonl(runsFile, record({ final: 'PASS', wiggum_rounds: 1, wiggum_scores: [9] }));
    await appendJsonl(
      runsFile,
      record({ kind: 'lit_review', final: 'FAIL', wiggum_rounds: 1, wiggum_scores: [3] }),
    );
    await appendJsonl(
      runsFile,
      record({ kind: 'lit_review', final: 'FAIL', wiggum_rounds: 1, wiggum_scores: [4] }),
    );
    await appendJsonl(
      runsFile,
      record({ kind: 'rollout', final: 'PASS', wiggum_rounds: 1, wiggum_scores: [8] }),
    );
    const byDefault = await get('/api/analytics/summary');
    assert.deepEqual(
      [byDefault.kind, byDefault.runs, byDefault.pass_rate, byDefault.mean_best_score],
      ['run', 1, 1, 9],
    );
    const reviews = await get('/api/analytics/summary?kind=lit_review');
    assert.deepEqual(
      [reviews.kind, reviews.runs, reviews.pass_rate, reviews.mean_best_score],
      ['lit_review', 2, 0, 3.5],
    );
    const all = await get('/api/analytics/summary?kind=all');
    assert.deepEqual([all.runs, all.by_kind], [4, { run: 1, lit_review: 2, rollout: 1 }]);
    const hist = await get('/api/analytics/score-distribution');
    assert.equal(
      hist.best.reduce((a: number, b: { count: number }) => a + b.count, 0),
      1,
      'only the harness run is binned',
    );
    assert.equal((await get('/api/analytics/failure-rate?kind=rollout')).items[0].runs, 1);
    const bad = await dash.fetch(new Request('http://127.0.0.1:8787/api/analytics/summary?kind=Bad!'));
    assert.equal(bad.status, 400);
  });

  test('a log replaced by a shorter one is read again from the start', async () => {
    for (let k = 0; k < 3; k++) await appendJsonl(runsFile, record());
    assert.equal((await get('/api/runs')).total, 3);
    assert.equal((await get('/api/analytics/summary')).runs, 3);
    const only = record({ task: 'the only one left' });
    fs.writeFileSync(`${runsFile}.new`, `${JSON.stringify(only)}\n`);
    fs.renameSync(`${runsFile}.new`, runsFile);
    const page = await get('/api/runs');
    assert.equal(page.total, 1);
    assert.equal(page.items[0].run_id, only.run_id);
    assert.equal((await get('/api/analytics/summary')).runs, 1);
    assert.equal((await get('/api/sessions')).total, 1);
  });

  test('records appended between two pages neither repeat nor skip a run', async () => {
    const first = [record(), record(), record(), record()];
    for (const r of first) await appendJsonl(runsFile, r);
    const p1 = await get('/api/runs?limit=2');
    await appendJsonl(runsFile, record()); // newer: sorts before page 1, must not appear on page 2
    const p2 = await get(`/api/runs?limit=2&cursor=${p1.next_cursor}`);
    assert.deepEqual(
      [...p1.items, ...p2.items].map((r: any) => r.run_id),
      first.map((r) => r.run_id).reverse(),
    );
    assert.equal(p2.next_cursor, null);
    assert.equal(p2.total, 5);
  });

  test('filtered totals follow appended records', async () => {
    await appendJsonl(runsFile, record({ final: 'PASS' }));
    await appendJsonl(runsFile, record({ final: 'PASS' }));
    await appendJsonl(runsFile, record());
    const p = await get('/api/runs?status=PASS&limit=1');
    assert.equal(p.total, 2);
    assert.equal((await get(`/api/runs?status=PASS&limit=1&cursor=${p.next_cursor}`)).total, 2);
    await appendJsonl(runsFile, record({ final: 'PASS' }));
    assert.equal((await get('/api/runs?status=PASS&limit=1')).total, 3);
  });
});
