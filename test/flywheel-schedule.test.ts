import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../src/audit/jsonl';
import { buildBatchInput } from '../src/flywheel/rollout-start';
import { createRolloutSchedule, listSchedules, triggerSchedule } from '../src/flywheel/schedule';
import type { RolloutProgress } from '../src/workflows/rollout';
import { createBattery } from '../src/flywheel/battery';
import { saveQualification } from '../src/judge/qualification';
import type { PromoteInput } from '../src/workflows/promote';
import { harnessEnv, MODEL_ENV, MODELS, type HarnessEnv, stopOwnServer } from './support/harness-env';
import { qualification } from './support/qualifications';
import { scriptRollout } from './fixtures/flywheel/rollout-script';
import { waitFor } from './support/wait';

const ROOT = path.resolve(__dirname, '..');

after(() => stopOwnServer());

describe('nightly rollout schedule', () => {
  let env: HarnessEnv;
  const id = `nightly-${randomUUID().slice(0, 8)}`;
  before(async () => {
    env = await harnessEnv();
    scriptRollout(env.ollama, { producerLatencyMs: 300 });
  });
  after(async () => {
    await env.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
    await env.close();
  });

  test('a created schedule, triggered, runs a rollout batch; a second trigger during it is skipped', async () => {
    const input = buildBatchInput(env.settings, {
      tasks: ['survey tool use in LLM agents', 'agent memory designs'],
      n: 2,
      storeAs: `rollouts/tasks/schedule-${id}`,
    });
    await createRolloutSchedule(env.client, {
      scheduleId: id,
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      overlap: 'SKIP',
      catchupWindow: '1h',
      taskQueue: env.taskQueue,
      input,
      taskCount: 2,
    });
    const handle = env.client.schedule.getHandle(id);
    const d = await handle.describe();
    assert.equal(d.policies.overlap, 'SKIP');
    assert.equal(d.policies.catchupWindow, 3_600_000);
    assert.equal(d.spec.timezone, 'Europe/Paris');
    // 02:00 in Paris is 00:00 or 01:00 UTC.
    assert.match(d.info.nextActionTimes[0].toISOString(), /T0[01]:00:00/);

    await triggerSchedule(env.client, id);
    const workflowId = await waitFor('the batch to start', async () => {
      const a = (await handle.describe()).info.recentActions[0];
      return a?.action.workflow.workflowId;
    });
    assert.match(workflowId, new RegExp(`^rollout-${id}-`));
    await triggerSchedule(env.client, id); // SKIP: the first batch is still running
    const result: RolloutProgress = await env.client.workflow.getHandle(workflowId).result();
    assert.equal(result.done, 2);
    assert.equal(result.candidates, 4);
    assert.equal(result.batchId, workflowId.replace(/^rollout-/, '').replace(/[^A-Za-z0-9._-]/g, '-'));

    const after = await handle.describe();
    assert.equal(after.info.recentActions.length, 1);
    assert.equal(after.info.numActionsSkippedOverlap, 1);
    const runs: any[] = [];
    for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl')))
      if (r.session_id === result.batchId) runs.push(r);
    assert.equal(runs.length, 4);
    assert.ok(fs.existsSync(path.join(env.dataDir, 'rollouts', `${result.batchId}.jsonl`)));
  });

  test('list shows the schedule; pause and resume change its state; the CLI lists it too', async () => {
    const row = await waitFor('the schedule in the list', async () =>
      (await listSchedules(env.client)).find((r) => r.id === id),
    );
    assert.deepEqual(
      [row.cron, row.timezone, row.workflowType, row.paused],
      ['0 2 * * *', 'Europe/Paris', 'rolloutBatch', false],
    );
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), 'schedule', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env.settings.TEMPORAL_ADDRESS,
          FLYWHEEL_DATA_DIR: env.dataDir,
        },
      });
    const paused = cli('pause', id);
    assert.equal(paused.status, 0, paused.stderr);
    assert.equal((await env.client.schedule.getHandle(id).describe()).state.paused, true);
    const listed = cli('list', '--json');
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(JSON.parse(listed.stdout).some((r: any) => r.id === id));
    assert.equal(cli('resume', id).status, 0);
    assert.equal((await env.client.schedule.getHandle(id).describe()).state.paused, false);
    const missing = cli('trigger', 'no-such-schedule');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /No schedule with id no-such-schedule/);
  });
});

describe('the promote loop from the CLI', () => {
  let env: HarnessEnv;
  const id = `nightly-promote-${randomUUID().slice(0, 8)}`;
  before(async () => {
    env = await harnessEnv();
  });
  after(async () => {
    await env.client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined);
    await env.close();
  });
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...MODEL_ENV,
        OLLAMA_HOST: env.settings.OLLAMA_HOST,
        TEMPORAL_ADDRESS: env.settings.TEMPORAL_ADDRESS,
        FLYWHEEL_TASK_QUEUE: env.taskQueue,
        FLYWHEEL_DATA_DIR: env.dataDir,
      },
    });

  test('promote refuses a missing battery (exit 2) and unqualified evaluators (exit 1) before any work', () => {
    const none = cli('promote', '--battery', 'nope');
    assert.equal(none.status, 2, none.stderr);
    assert.match(none.stderr, /no battery nope \(flywheel battery create\)/);
    createBattery(env.dataDir, 'core', ['held task one'], { source: 'test' });
    const unq = cli('promote', '--battery', 'core');
    assert.equal(unq.status, 1, unq.stderr);
    assert.match(unq.stderr, new RegExp(`${MODELS.evaluator} is unknown \\(flywheel judge qualify\\)`));
    assert.doesNotMatch(unq.stderr, /\n\s+at /, 'no stack trace');
    const bad = cli('promote', '--battery', 'core', '--steps', '0');
    assert.equal(bad.status, 2, bad.stderr);
  });

  test('schedule promote stores the loop, with its rollout tasks by reference, on a nightly cron', async () => {
    const tasks = path.join(env.dataDir, 'nightly-tasks.txt');
    fs.writeFileSync(tasks, 'survey tool use in LLM agents\nagent memory designs\n');
    await saveQualification(env.dataDir, qualification(MODELS.evaluator, 'qualified'));
    const made = cli(
      'schedule',
      'promote',
      '--id',
      id,
      '--battery',
      'core',
      '--rollout-tasks',
      tasks,
      '--candidates',
      '3',
      '--steps',
      '20',
      '--alias',
      'prod:latest',
    );
    assert.equal(made.status, 0, made.stderr);
    assert.match(
      made.stdout,
      new RegExp(`schedule ${id}: "0 2 \\* \\* \\*" \\(UTC\\), promote .* → prod:latest`),
    );
    const row = await waitFor('the promote schedule in the list', async () =>
      (await listSchedules(env.client)).find((r) => r.id === id),
    );
    assert.equal(row.workflowType, 'promoteLoop');
    const d = await env.client.schedule.getHandle(id).describe();
    assert.equal(d.policies.overlap, 'SKIP');
    assert.ok(d.action.type === 'startWorkflow');
    const [input] = d.action.args as PromoteInput[];
    assert.equal(input.alias, 'prod:latest');
    assert.equal(input.args.steps, 20);
    assert.equal(input.rollout?.n, 3);
    assert.equal(input.rollout?.tasks, undefined, 'the task list is stored in the data folder');
    assert.equal(
      fs.readFileSync(path.join(env.dataDir, input.rollout!.tasksPath!), 'utf8').trim().split('\n').length,
      2,
    );
    const again = cli('schedule', 'promote', '--id', id, '--battery', 'core');
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists/);
  });
});
