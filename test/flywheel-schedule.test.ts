import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonl } from '../src/audit/jsonl';
import { buildBatchInput } from '../src/flywheel/rollout-start';
import { createRolloutSchedule, listSchedules, triggerSchedule } from '../src/flywheel/schedule';
import type { RolloutProgress } from '../src/workflows/rollout';
import { harnessEnv, type HarnessEnv, stopOwnServer } from './support/harness-env';
import { scriptRollout } from './fixtures/flywheel/rollout-script';

const ROOT = path.resolve(__dirname, '..');

async function until<T>(what: string, fn: () => Promise<T | null | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(200);
  }
}

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
    const workflowId = await until('the batch to start', async () => {
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
    const row = await until('the schedule in the list', async () =>
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
