import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSettings } from '../src/config';
import { withHarnessEnv } from './support/harness-checks';
import { stopOwnServer, tempDir } from './support/harness-env';
import { scriptEvaluator, scriptPlanner, scriptProducer, startRun } from './support/harness-scenarios';

// Stops the dev server this file started when run alone (under `npm test` the shared one is left alone).
after(() => stopOwnServer());

const nine = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };

void test('the worker tuning defaults are the ones the benchmark chose: 8 activity slots, 20 workflow slots, 500 cached', () => {
  const s = loadSettings({}, tempDir());
  assert.equal(s.FLYWHEEL_WORKER_ACTIVITY_SLOTS, 8);
  assert.equal(s.FLYWHEEL_WORKER_WORKFLOW_SLOTS, 20);
  assert.equal(s.FLYWHEEL_MAX_CACHED_WORKFLOWS, 500);
});

void test('FLYWHEEL_WORKER_ACTIVITY_SLOTS bounds the model calls a worker has in flight', async () => {
  // Role `all`: the stage worker and the audit writer each get 2 slots, so at most 4 calls are ever in flight.
  await withHarnessEnv({ env: { FLYWHEEL_WORKER_ACTIVITY_SLOTS: '2' } }, async (env) => {
    scriptPlanner(env.ollama);
    scriptProducer(env.ollama, ['# Draft\n\nAgents remember [1].'], { latencyMs: 300 });
    scriptEvaluator(env.ollama, [{ scores: nine, issues: [], feedback: 'ok' }], { latencyMs: 300 });
    const handles = await Promise.all(Array.from({ length: 8 }, () => startRun(env, { maxRounds: 1 })));
    let most = 0;
    let done = false;
    const results = Promise.all(handles.map((h) => h.result())).finally(() => (done = true));
    while (!done) {
      most = Math.max(most, env.ollama.pending());
      await sleep(10);
    }
    assert.ok((await results).every((r) => r.final === 'PASS'));
    assert.ok(most >= 2, `calls ran in parallel (most in flight: ${most})`);
    assert.ok(most <= 4, `at most 2 + 2 calls in flight, saw ${most}`);
  });
});
