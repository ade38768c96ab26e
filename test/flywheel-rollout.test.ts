import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../src/audit/jsonl';
import { RunRecord } from '../src/audit/records';
import { buildBatchInput, startRolloutBatch } from '../src/flywheel/rollout-start';
import { taskHash } from '../src/flywheel/task-hash';
import { rolloutProgressQuery, type RolloutProgress } from '../src/workflows/rollout';
import { harnessEnv, MODELS, tempDir, type HarnessEnv, stopOwnServer } from './support/harness-env';
import { scriptRollout, SCORE_BY_TEMPERATURE } from './fixtures/flywheel/rollout-script';

async function readAll(file: string): Promise<any[]> {
  const out: any[] = [];
  for await (const r of readJsonl(file)) out.push(r);
  return out;
}

after(() => stopOwnServer());

describe('rollout batch', () => {
  let env: HarnessEnv;
  before(async () => {
    env = await harnessEnv();
    scriptRollout(env.ollama);
  });
  after(async () => env.close());

  test('each task gets four candidates at 0.6–0.9 recorded as rollout runs, and a pair when best − worst > 0.5', async () => {
    const tasks = ['survey tool use in LLM agents', 'compare agent memory designs (flat)', 'tasks in three'];
    // By reference: the batch reads the list from the data folder, a page at a time.
    const input = buildBatchInput(env.settings, {
      tasks,
      concurrency: 2,
      tasksPerRun: 2,
      storeAs: 'rollouts/tasks/t1',
      byReference: true,
    });
    assert.deepEqual([input.tasks, input.tasksPath], [undefined, 'rollouts/tasks/t1.jsonl']);
    const handle = await startRolloutBatch(env.client, env.taskQueue, 'b1', input);
    const result = await handle.result();
    assert.deepEqual(
      {
        total: result.total,
        done: result.done,
        failed: result.failed,
        pairs: result.pairs,
        candidates: result.candidates,
      },
      { total: 3, done: 3, failed: 0, pairs: 2, candidates: 12 },
    );
    // tasksPerRun 2 with 3 tasks: the batch continued as new once without losing its counts.
    assert.equal(result.generation, 1);
    const progress: RolloutProgress = await handle.query(rolloutProgressQuery).catch(() => result);
    assert.equal(progress.done, 3);

    const runs = (await readAll(path.join(env.dataDir, 'runs.jsonl'))).filter((r) => r.session_id === 'b1');
    assert.equal(runs.length, 12);
    for (const r of runs) {
      assert.equal(r.kind, 'rollout');
      assert.equal(
        RunRecord.safeParse(r).success,
        true,
        JSON.stringify(RunRecord.safeParse(r).error?.issues),
      );
      assert.equal(r.wiggum_rounds, 1);
      assert.match(r.parent_id, /^rollout-b1-[0-2]$/);
    }
    const temps = runs.map(
      (r) => fs.readFileSync(path.join(env.dataDir, r.output_path), 'utf8').match(/T=(\d\.\d)/)![1],
    );
    assert.deepEqual(
      Object.fromEntries(['0.6', '0.7', '0.8', '0.9'].map((t) => [t, temps.filter((x) => x === t).length])),
      { '0.6': 3, '0.7': 3, '0.8': 3, '0.9': 3 },
    );

    const pairs = await readAll(path.join(env.dataDir, 'rollouts', 'b1.jsonl'));
    assert.equal(pairs.length, 2);
    const p = pairs.find((x) => x.prompt === tasks[0])!;
    assert.equal(p.task_hash, taskHash(tasks[0]));
    assert.equal(p.reward, 3);
    assert.equal(p.chosen_score, SCORE_BY_TEMPERATURE['0.8']);
    assert.equal(p.rejected_score, SCORE_BY_TEMPERATURE['0.6']);
    assert.match(p.chosen, /^# Answer\n\nsurvey tool use in LLM agents, written at T=0\.8/);
    assert.match(p.rejected, /T=0\.6/);
    assert.equal(p.chosen_dimensions.depth, SCORE_BY_TEMPERATURE['0.8']);
    assert.deepEqual(p.evaluator_models, [MODELS.evaluator]);
    assert.equal(p.candidates.length, 4);
    // The flat task scores the same at every temperature: no pair.
    assert.equal(pairs.filter((x) => x.prompt === tasks[1]).length, 0);
  });

  test('a pair needs best − worst above 0.5: a gap of exactly 0.5 gives none, 0.51 gives one', async () => {
    const tasks = ['agents at the margin (margin 0.5)', 'agents past the margin (margin 0.51)'];
    const input = buildBatchInput(env.settings, { tasks, concurrency: 2, storeAs: 'rollouts/tasks/margin' });
    const result = await (await startRolloutBatch(env.client, env.taskQueue, 'b-margin', input)).result();
    assert.deepEqual([result.done, result.failed, result.pairs], [2, 0, 1]);
    const pairs = await readAll(path.join(env.dataDir, 'rollouts', 'b-margin.jsonl'));
    assert.deepEqual(
      pairs.map((p) => [p.prompt, p.reward, p.chosen_score, p.rejected_score]),
      [[tasks[1], 0.51, 7.51, 7]],
    );
  });

  test('the rollout CLI starts a batch, shows progress, and refuses a batch id used before', async () => {
    const s = env.settings;
    const tasks = path.join(tempDir('fw-tasks-'), 'tasks.txt');
    fs.writeFileSync(tasks, '# nightly tasks\nsurvey agent benchmarks\n\nx\n');
    // Not spawnSync: the worker serving the batch runs in this process.
    const cli = () =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            path.resolve(__dirname, '..', 'bin/flywheel.js'),
            'rollout',
            '--tasks',
            tasks,
            '--n',
            '2',
            '--batch-id',
            'cli1',
          ],
          {
            env: {
              ...process.env,
              TEMPORAL_ADDRESS: s.TEMPORAL_ADDRESS,
              FLYWHEEL_TASK_QUEUE: env.taskQueue,
              FLYWHEEL_DATA_DIR: s.dataDir,
              FLYWHEEL_PRODUCER_MODEL: s.FLYWHEEL_PRODUCER_MODEL,
              FLYWHEEL_PLANNER_MODEL: s.plannerModel,
              FLYWHEEL_EVALUATOR_MODELS: s.evaluatorModels.join(','),
              FLYWHEEL_EMBED_MODEL: s.embedModel,
            },
          },
          (err, stdout, stderr) => resolve({ status: err ? Number(err.code) : 0, stdout, stderr }),
        );
      });
    const res = await cli();
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stderr, /tasks\.txt:4: skipped \(a task must have 3–8000 characters\)/);
    assert.match(res.stderr, /rollout batch cli1: 1 tasks × 2 candidates/);
    assert.match(res.stdout, /^batch cli1 done: tasks 1\/1 done, 0 running · 2 candidates · 1 pairs\n/);
    const again = await cli();
    assert.equal(again.status, 2);
    assert.match(again.stderr, /A batch with id cli1 already exists/);
  });
});
