import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBatchInput, startRolloutBatch } from '../src/flywheel/rollout-start';
import { harnessEnv, type HarnessEnv } from './support/harness-env';
import { scriptRollout } from './fixtures/flywheel/rollout-script';

const ROOT = path.resolve(__dirname, '..');

/** A worker in a child process with the test's settings; resolves once it polls. */
async function spawnWorker(env: HarnessEnv): Promise<ChildProcess> {
  const s = env.settings;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/flywheel/worker-process.ts'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: s.TEMPORAL_ADDRESS,
      FLYWHEEL_TASK_QUEUE: env.taskQueue,
      FLYWHEEL_DATA_DIR: s.dataDir,
      FLYWHEEL_CORPUS_DIR: s.corpusDir,
      OLLAMA_HOST: s.OLLAMA_HOST,
      FLYWHEEL_PRODUCER_MODEL: s.FLYWHEEL_PRODUCER_MODEL,
      FLYWHEEL_PLANNER_MODEL: s.plannerModel,
      FLYWHEEL_EVALUATOR_MODELS: s.evaluatorModels.join(','),
      FLYWHEEL_EMBED_MODEL: s.embedModel,
      LOG_LEVEL: 'warn',
    },
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  return child;
}

function rawRecords(file: string): any[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

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
    const first = await spawnWorker(env);
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
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const beforeKill = rawRecords(runsFile);
    assert.ok(
      beforeKill.length >= 2 && beforeKill.length < 8,
      `killed after ${beforeKill.length} of 8 candidates`,
    );

    children.push(await spawnWorker(env));
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
