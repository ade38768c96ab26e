import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBatchInput, startRolloutBatch } from '../src/flywheel/rollout-start';
import { harnessEnv, stopOwnServer, type HarnessEnv } from './support/harness-env';
import { killHard, spawnWorker } from './support/spawn-worker';
import { scriptRollout } from './fixtures/flywheel/rollout-script';

function rawRecords(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

after(() => stopOwnServer());

describe('rollout batch with a worker killed mid-batch', () => {
  let env: HarnessEnv;
  const children: ChildProcess[] = [];
  before(async () => {
    env = await harnessEnv({ startWorker: false });
    // Slow producer: candidates take long enough that the kill lands mid-batch.
    scriptRollout(env.ollama, { producerLatencyMs: 700 });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await env.close();
  });

  test('a SIGKILLed worker loses no finished candidate and every candidate is recorded exactly once', async () => {
    const runsFile = path.join(env.dataDir, 'runs.jsonl');
    const first = await spawnWorker(env.settings);
    children.push(first);
    const input = buildBatchInput(env.settings, {
      tasks: ['survey tool use in LLM agents', 'agent memory designs'],
      concurrency: 2,
      storeAs: 'rollouts/tasks/kill',
    });
    const handle = await startRolloutBatch(env.client, env.taskQueue, 'kill', input);

    const deadline = Date.now() + 120_000;
    while (rawRecords(runsFile).length < 2) {
      assert.ok(Date.now() < deadline, 'no candidate finished in time');
      await sleep(100);
    }
    await killHard(first);
    const beforeKill = rawRecords(runsFile);
    assert.ok(
      beforeKill.length >= 2 && beforeKill.length < 8,
      `killed after ${beforeKill.length} of 8 candidates`,
    );

    children.push(await spawnWorker(env.settings));
    const result = await handle.result();
    assert.equal(result.candidates, 8);
    assert.equal(result.done, 2);

    const lines = rawRecords(runsFile).filter((r) => r.session_id === 'kill');
    assert.equal(lines.length, 8, 'one line per candidate, none twice');
    assert.equal(new Set(lines.map((r) => r.run_id)).size, 8);
    assert.deepEqual(
      lines.map((r) => r.workflow_id).sort(),
      [0, 1].flatMap((t) => [0, 1, 2, 3].map((c) => `rollout-kill-${t}-c${c}`)).sort(),
    );
    // The candidates finished before the kill were kept, not run again.
    for (const r of beforeKill)
      assert.ok(lines.some((l) => l.run_id === r.run_id && l.workflow_id === r.workflow_id));
    assert.ok(lines.every((r) => r.final === 'PASS' || r.final === 'FAIL'));
    assert.equal(rawRecords(path.join(env.dataDir, 'rollouts', 'kill.jsonl')).length, 2);
  });
});
