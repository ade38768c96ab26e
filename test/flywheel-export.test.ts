import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rolloutActivities } from '../src/activities/rollout';
import { readJsonl } from '../src/audit/jsonl';
import { exportDataset, type ExportOptions } from '../src/flywheel/export';
import { taskHash } from '../src/flywheel/task-hash';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { harnessEnv, MODELS, tempDir, type HarnessEnv, stopOwnServer } from './support/harness-env';
import { scriptExports, text } from './fixtures/flywheel/export-script';
import { saveQualification } from '../src/judge/qualification';
import { qualification } from './support/qualifications';
import { testPython } from './support/python';

const ROOT = path.resolve(__dirname, '..');
const TASKS = {
  alpha: 'alpha: survey tool use in agents',
  beta: 'beta: agent memory designs',
  gamma: 'gamma: planning in agents',
  delta: 'delta: tool learning benchmarks',
  epsilon: 'epsilon: multi-agent debate',
};
const SYS = 'You write surveys.';

function lines(file: string): any[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

after(() => stopOwnServer());

describe('flywheel exports from real harness runs', () => {
  let env: HarnessEnv;
  const ids: Record<string, string> = {};
  let out: string;
  const run = async (task: string) => {
    const h = await startHarnessRun(env.client, env.taskQueue, resolveHarnessInput(task, env.settings));
    return (await h.result()).runId;
  };
  const exp = (o: Partial<ExportOptions> & Pick<ExportOptions, 'kind'>) =>
    exportDataset({
      runsFile: path.join(env.dataDir, 'runs.jsonl'),
      outDir: path.join(out, `${o.kind}-${o.format ?? 'default'}-${o.split ?? 0}`),
      system: SYS,
      ...o,
    });
  const prov = (key: string, scores: number[], source: 'run' | 'rollout' = 'run') => ({
    source,
    run_ids: [ids[key]],
    task_hash: taskHash(TASKS[key as keyof typeof TASKS]),
    rubric_version: 'wiggum-v1',
    evaluator_models: [MODELS.evaluator],
    producer_model: MODELS.producer,
    scores,
    session_id: '',
  });

  before(async () => {
    env = await harnessEnv();
    // The evaluator was qualified before the runs: their labels are training data (test/flywheel-export-qualified).
    await saveQualification(env.dataDir, qualification(MODELS.evaluator, 'qualified'));
    scriptExports(env.ollama);
    out = tempDir('fw-export-');
    for (const k of ['alpha', 'beta', 'gamma', 'delta'] as const) ids[k] = await run(TASKS[k]);
    ids.alpha2 = await run(TASKS.alpha); // same task, same output: a duplicate row
    ids.epsilon = await run(TASKS.epsilon);
    // Bad input: a missing output file and a corrupt line.
    fs.rmSync(path.join(env.dataDir, 'outputs', `${ids.epsilon}.md`));
    fs.appendFileSync(path.join(env.dataDir, 'runs.jsonl'), '{"run_id": "torn\n');
    // A rollout pair written by the rollout activity (best vs worst candidate of one task).
    await rolloutActivities({ settings: env.settings }).recordRolloutPair({
      batchId: 'b7',
      taskIndex: 0,
      task: TASKS.delta,
      chosen: {
        run_id: ids.alpha,
        temperature: 0.8,
        score: 9,
        dimensions: null,
        final: 'PASS',
        output_path: `outputs/${ids.alpha}.md`,
      },
      rejected: {
        run_id: ids.gamma,
        temperature: 0.6,
        score: 6.8,
        dimensions: null,
        final: 'FAIL',
        output_path: `outputs/${ids.gamma}.md`,
      },
      reward: 2.2,
      candidates: [],
      rubricVersion: 'wiggum-v1',
      evaluatorModels: [MODELS.evaluator],
      producerModel: MODELS.producer,
    });
  });
  after(async () => env.close());

  test('the harness runs have the scripted round scores', async () => {
    const recs: any[] = [];
    for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl'))) recs.push(r);
    assert.deepEqual(
      recs.map((r) => [r.task, r.final, r.wiggum_scores]),
      [
        [TASKS.alpha, 'PASS', [9]],
        [TASKS.beta, 'PASS', [6, 9]],
        [TASKS.gamma, 'FAIL', [6, 6.5, 6.8]],
        [TASKS.delta, 'PASS', [8.2]],
        [TASKS.alpha, 'PASS', [9]],
        [TASKS.epsilon, 'PASS', [5, 9.5]],
      ],
    );
  });

  test('sft keeps PASS runs scoring at least 8.5 as system/user/assistant messages, once each', async () => {
    const s = await exp({ kind: 'sft' });
    const msgs = (task: string, answer: string) => [
      { role: 'system', content: SYS },
      { role: 'user', content: task },
      { role: 'assistant', content: answer },
    ];
    assert.deepEqual(lines(path.join(s.outDir, 'train.jsonl')), [
      { messages: msgs(TASKS.alpha, text('ALPHA', 1)), provenance: prov('alpha', [9]) },
      { messages: msgs(TASKS.beta, text('BETA', 2)), provenance: prov('beta', [6, 9]) },
    ]);
    assert.equal(s.duplicatesDropped, 1);
    assert.equal(s.input.corruptLines, 1);
    assert.equal(s.input.runsRead, 6);
    assert.deepEqual(s.problems, [
      { run_id: ids.epsilon, reason: `output file outputs/${ids.epsilon}.md is missing` },
    ]);
    assert.equal(fs.existsSync(path.join(s.outDir, 'test.jsonl')), false);
  });

  test('sft in prompt-completion format has plain text prompt and completion', async () => {
    const s = await exp({ kind: 'sft', format: 'prompt-completion' });
    assert.deepEqual(lines(path.join(s.outDir, 'train.jsonl')), [
      { prompt: TASKS.alpha, completion: text('ALPHA', 1), provenance: prov('alpha', [9]) },
      { prompt: TASKS.beta, completion: text('BETA', 2), provenance: prov('beta', [6, 9]) },
    ]);
  });

  test('dpo pairs the final output with the round-1 draft text (not its path) when the score rose by 1.0', async () => {
    const s = await exp({ kind: 'dpo' });
    assert.deepEqual(lines(path.join(s.outDir, 'train.jsonl')), [
      {
        prompt: TASKS.beta,
        chosen: text('BETA', 2),
        rejected: text('BETA', 1),
        score_delta: 3,
        chosen_score: 9,
        rejected_score: 6,
        provenance: prov('beta', [6, 9]),
      },
    ]);
    // gamma rose by only 0.8; epsilon's output is gone and is reported, not exported with empty text.
    assert.deepEqual(
      s.problems.map((p) => p.run_id),
      [ids.epsilon],
    );
    const tighter = await exp({ kind: 'dpo', minDelta: 3.5, split: 0 });
    assert.equal(tighter.rows.train, 0);
  });

  test('kto labels good final outputs true and failed outputs and weak first drafts false', async () => {
    const s = await exp({ kind: 'kto' });
    const row = (task: string, t: string, label: boolean, score: number, key: string, scores: number[]) => ({
      prompt: task,
      completion: t,
      label,
      score,
      provenance: prov(key, scores),
    });
    assert.deepEqual(lines(path.join(s.outDir, 'train.jsonl')), [
      row(TASKS.alpha, text('ALPHA', 1), true, 9, 'alpha', [9]),
      row(TASKS.beta, text('BETA', 2), true, 9, 'beta', [6, 9]),
      row(TASKS.beta, text('BETA', 1), false, 6, 'beta', [6, 9]),
      row(TASKS.gamma, text('GAMMA', 3), false, 6.8, 'gamma', [6, 6.5, 6.8]),
      row(TASKS.gamma, text('GAMMA', 1), false, 6, 'gamma', [6, 6.5, 6.8]),
      row(TASKS.epsilon, text('EPSILON', 1), false, 5, 'epsilon', [5, 9.5]),
    ]);
    assert.equal(s.duplicatesDropped, 1);
  });

  test('reward has the run pairs and the rollout pairs, with a margin', async () => {
    const s = await exp({ kind: 'reward' });
    const rows = lines(path.join(s.outDir, 'train.jsonl'));
    assert.deepEqual(rows[0], {
      prompt: TASKS.beta,
      chosen: text('BETA', 2),
      rejected: text('BETA', 1),
      margin: 3,
      chosen_score: 9,
      rejected_score: 6,
      provenance: prov('beta', [6, 9]),
    });
    assert.deepEqual(rows[1], {
      prompt: TASKS.delta,
      chosen: text('ALPHA', 1),
      rejected: text('GAMMA', 3),
      margin: 2.2,
      chosen_score: 9,
      rejected_score: 6.8,
      provenance: { ...prov('delta', [], 'rollout'), run_ids: [ids.alpha, ids.gamma], session_id: 'b7' },
    });
    assert.equal(rows.length, 2);
    assert.deepEqual(s.input.rolloutFiles, ['rollouts/b7.jsonl']);
  });

  test('a split puts each task on one side only and loses no row', async () => {
    const whole = lines(path.join((await exp({ kind: 'kto' })).outDir, 'train.jsonl'));
    const s = await exp({ kind: 'kto', split: 0.5 });
    const train = lines(path.join(s.outDir, 'train.jsonl'));
    const testRows = lines(path.join(s.outDir, 'test.jsonl'));
    assert.ok(train.length > 0 && testRows.length > 0, 'both sides have rows');
    const hashes = (rs: any[]) => new Set(rs.map((r) => r.provenance.task_hash));
    for (const h of hashes(train)) assert.equal(hashes(testRows).has(h), false);
    assert.deepEqual(
      [...train, ...testRows].map((r) => JSON.stringify(r)).sort(),
      whole.map((r) => JSON.stringify(r)).sort(),
    );
    assert.deepEqual(s.rows, { train: train.length, test: testRows.length });
  });

  test('the dataset card gives counts, filters, histograms, provenance and the runs not exported', async () => {
    const s = await exp({ kind: 'dpo' });
    const card = fs.readFileSync(path.join(s.outDir, 'README.md'), 'utf8');
    assert.match(
      card,
      /^---\nconfigs:\n- config_name: default\n {2}data_files:\n {2}- split: train\n {4}path: train\.jsonl\n/,
    );
    assert.match(card, /\| train \| 1 \|/);
    assert.match(card, /corrupt lines skipped: 1/);
    assert.match(card, /`minDelta`: 1/);
    assert.match(card, /### score_delta \(n=1\)\n\n```\n[\s\S]*\[3,4\) {7}1 #{40}/);
    assert.match(card, /rubric versions: `wiggum-v1` \(1\)/);
    assert.match(
      card,
      new RegExp(`\\| ${ids.epsilon} \\| output file outputs/${ids.epsilon}\\.md is missing \\|`),
    );
  });

  test('TRL columns load with datasets (or pandas) in Python', async () => {
    const dirs = [
      (await exp({ kind: 'sft' })).outDir,
      (await exp({ kind: 'sft', format: 'prompt-completion' })).outDir,
      (await exp({ kind: 'dpo', split: 0.5 })).outDir,
      (await exp({ kind: 'dpo', format: 'messages' })).outDir,
      (await exp({ kind: 'kto', split: 0.5 })).outDir,
      (await exp({ kind: 'reward' })).outDir,
    ];
    const kinds = ['sft', 'sft', 'dpo', 'dpo', 'kto', 'reward'];
    const args = dirs.map((d, i) => `${kinds[i]}=${d}`);
    const res = spawnSync(testPython(), [path.join(ROOT, 'test/python/check_exports.py'), ...args], {
      encoding: 'utf8',
    });
    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
    const report = JSON.parse(res.stdout);
    assert.ok(['datasets', 'pandas'].includes(report.loader));
    assert.deepEqual(
      report.checked.map((c: any) => [c.kind, c.rows]),
      [
        ['sft', 2],
        ['sft', 2],
        ['dpo', 1],
        ['dpo', 1],
        ['kto', 6],
        ['reward', 2],
      ],
    );
  });

  test('the CLI exports with the data folder from settings and reports the missing output', () => {
    const res = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/flywheel.js'), 'export', 'sft', '--min-score', '9'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, FLYWHEEL_DATA_DIR: env.dataDir, LOG_LEVEL: 'warn' },
      },
    );
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^sft: 2 train rows from 6 records → .*exports\/sft\n/);
    assert.match(
      res.stderr,
      new RegExp(`warning: run ${ids.epsilon} not exported: output file .* is missing`),
    );
    const bad = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/flywheel.js'), 'export', 'sft', '--split', '2'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, FLYWHEEL_DATA_DIR: env.dataDir },
      },
    );
    assert.equal(bad.status, 2);
  });
});
