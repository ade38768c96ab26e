// The sweeper rebuilds the record of any run kind that closed without finalizing: a terminated literature review
// (its review rounds, its first draft) and a terminated rollout candidate (its stages, its batch).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sweeperActivities, type SweepResult } from '../src/activities/sweeper';
import { buildBatchInput, startRolloutBatch } from '../src/flywheel/rollout-start';
import { resolveLitReviewInput } from '../src/lit-review/input';
import { startLitReview } from '../src/lit-review/start';
import { rawLines, readRecords, waitFor, withHarnessEnv } from './support/harness-checks';
import { MODELS, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { scriptLitReview, sharedPapers, writeCorpus } from './support/lit-review-script';
import { scriptRollout } from './fixtures/flywheel/rollout-script';

after(() => stopOwnServer());

/** Sweeps until `n` records are written (visibility is eventually consistent). */
async function sweepUntil(env: HarnessEnv, n: number): Promise<SweepResult> {
  const deps = { settings: env.settings, client: env.client };
  const written: string[] = [];
  await waitFor(`the sweeper to write ${n} record(s)`, async () => {
    const r: SweepResult = await new MockActivityEnvironment().run(sweeperActivities(deps).sweepRuns, {
      runQueue: env.taskQueue,
      lookbackHours: 1,
    });
    written.push(...r.written);
    return written.length >= n;
  });
  return { checked: written.length, written };
}

describe('the sweeper and other run kinds', () => {
  test('a literature review terminated in its second review round is recorded with its scored round and draft', async () => {
    await withHarnessEnv({}, async (env) => {
      const papers = sharedPapers()
        .filter((p) => p.published >= '2024-01-01' && /\bagents?\b/i.test(p.title))
        .slice(0, 3);
      const corpus = writeCorpus(path.join(tempDir(), 'corpus.jsonl'), papers);
      // The revision after round 1 never answers in time: the review is terminated while it waits.
      env.ollama.rule({ match: /Body to revise:/, latencyMs: 120_000, respond: 'late' });
      scriptLitReview(env.ollama, { score: () => 5, reviews: [6] });
      const input = resolveLitReviewInput('LLM agents', env.settings, {
        from: '2024-01-01',
        to: '2026-12-31',
        corpus,
        maxRounds: 3,
        threshold: 8,
      });
      const handle = await startLitReview(env.client, env.taskQueue, input);
      await waitFor('the revision call', () => env.ollama.countRequests({ match: /Body to revise:/ }) > 0);
      await handle.terminate('operator says stop');
      assert.equal(rawLines(env.dataDir).length, 0, 'no record before the sweep');

      await sweepUntil(env, 1);
      const [r] = await readRecords(env.dataDir);
      assert.equal(rawLines(env.dataDir).length, 1);
      assert.equal(r.kind, 'lit_review');
      assert.equal(r.final, 'TERMINATED');
      assert.equal(r.failed_stage, 'review');
      assert.match(String(r.error), /terminated: operator says stop/);
      assert.deepEqual(r.wiggum_scores, [6], 'the scored round comes back from the history');
      assert.equal(r.wiggum_rounds, 1);
      assert.match(String(r.draft_path), /\.md$/, 'the assembled first draft');
      assert.equal(r.output_path, null, 'nothing was published');
      assert.ok(r.stages.review && r.stages.write, 'stage spans rebuilt');
    });
  });

  test('a rollout candidate terminated mid-synthesis is recorded as a rollout run of its batch', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptRollout(env.ollama, { producerLatencyMs: 120_000 });
      const input = buildBatchInput(env.settings, {
        tasks: ['survey tool use in LLM agents'],
        concurrency: 1,
        storeAs: 'rollouts/tasks/bterm',
      });
      const batch = await startRolloutBatch(env.client, env.taskQueue, 'bterm', input);
      await waitFor('a producer call', () => env.ollama.countRequests({ model: MODELS.producer }) > 0);
      // The candidate is inside synthesize (its producer call never answers in time).
      const candidate = env.client.workflow.getHandle('rollout-bterm-0-c0');
      await candidate.terminate('candidate stopped');
      await sweepUntil(env, 1);
      const recs = await readRecords(env.dataDir);
      const r = recs.find((x) => x.workflow_id === 'rollout-bterm-0-c0');
      assert.ok(r, JSON.stringify(recs.map((x) => x.workflow_id)));
      assert.equal(r.kind, 'rollout');
      assert.equal(r.session_id, 'bterm');
      assert.equal(r.final, 'TERMINATED');
      assert.equal(r.failed_stage, 'synthesize');
      assert.ok(r.stages.plan && r.stages.research);
      await batch.terminate('test over');
    });
  });
});
