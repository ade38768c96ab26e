import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLitReviewInput } from '../src/lit-review/input';
import { startLitReview } from '../src/lit-review/start';
import { harnessEnv, stopOwnServer, type HarnessEnv } from './support/harness-env';
import { scriptLitReview } from './support/lit-review-script';

after(() => stopOwnServer());

/** Temporal warns at 10,240 events in one history and fails a workflow at 51,200. */
const HISTORY_WARN = 10_240;

describe('literature review at 300 candidates', () => {
  let env: HarnessEnv;
  before(async () => {
    env = await harnessEnv({ ollama: { loadDurationMs: 0 } });
  });
  after(async () => env.close());

  test('every history stays far below Temporal limits for 300 papers', { timeout: 600_000 }, async (t) => {
    // Only the surveys pass curation: all 300 are curated, a few are extracted and written about.
    scriptLitReview(env.ollama, {
      score: (_p, title) => (/survey/i.test(title) ? 4 : 1),
      localQueries: ['the'],
    });
    // The bundled corpus holds 300 papers; the planner's stopword-only query returns every one of them.
    const input = resolveLitReviewInput('LLM agents', env.settings, {
      maxPapers: 300,
      concurrency: 16,
      maxRounds: 1,
    });
    const handle = await startLitReview(env.client, env.taskQueue, input);
    const result = await handle.result();
    assert.equal(result.candidates, 300);
    assert.ok(result.included > 0 && result.included < 125);

    const lengths = new Map<string, number>();
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = '${env.taskQueue}'` })) {
      const history = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      lengths.set(wf.workflowId, history.events?.length ?? 0);
    }
    const parent = lengths.get(handle.workflowId)!;
    const children = [...lengths].filter(([id]) => id !== handle.workflowId);
    // 300 papers in batches of 25 for curation (12 children), the included ones in one extraction batch.
    assert.equal(children.length, 13);
    const largest = Math.max(...children.map(([, n]) => n));
    t.diagnostic(`history events: review ${parent}, largest batch ${largest}`);
    assert.ok(parent < HISTORY_WARN / 2, `review history has ${parent} events`);
    assert.ok(largest < HISTORY_WARN / 2, `a batch history has ${largest} events`);
  });
});
