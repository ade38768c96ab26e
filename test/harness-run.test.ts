// The Wiggum loop end to end: real dev server, real worker, scripted Ollama; one task queue per test.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DIMENSIONS } from '../src/harness/rubric';
import { FlywheelScore } from '../src/temporal/search-attributes';
import { MODELS, stopOwnServer } from './support/harness-env';
import { onlyRecord, readData, readTrace, withHarnessEnv } from './support/harness-checks';
import {
  dims,
  draft,
  evalReply,
  failAfterMaxRounds,
  FAIL_SCORES,
  passAfterTwoRounds,
  scriptEvaluator,
  scriptPlanner,
  scriptProducer,
  SEED_ROUND_1,
  SEED_ROUND_2,
  startRun,
} from './support/harness-scenarios';

after(() => stopOwnServer());

describe('harness run: the Wiggum loop', () => {
  test('a run that scores above the threshold in round 1 passes with one record and a valid trace', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)]);
      scriptEvaluator(env.ollama, [evalReply(dims(9), 'none')]);
      const result = await (await startRun(env)).result();
      assert.equal(result.final, 'PASS');
      assert.deepEqual(result.scores, [9]);
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'PASS');
      assert.deepEqual(r.wiggum_scores, [9]);
      assert.equal(r.wiggum_rounds, 1);
      assert.equal(r.error, null);
      assert.equal(r.tool_calls.length, 2);
      assert.ok(r.tool_calls.every((c: any) => c.name === 'search' && c.urls.length > 0));
      assert.equal(readData(env.dataDir, r.output_path), draft(1));
      assert.equal(r.output_path, `outputs/${r.run_id}.md`);
      assert.equal(r.draft_path, `work/${r.run_id}/draft.r1.md`);
      // Only one evaluation and no revision happened.
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.evaluator }), 1);
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.producer }), 1);
    });
  });

  test('a run that passes in round 2 records the seed scores [6.87, 8.31] and the revised draft', async () => {
    await withHarnessEnv({}, async (env) => {
      const { result } = await passAfterTwoRounds(env);
      assert.equal(result.final, 'PASS');
      assert.deepEqual(result.scores, [6.87, 8.31]);
      const r = await onlyRecord(env.dataDir);
      assert.deepEqual(r.wiggum_scores, [6.87, 8.31]);
      assert.equal(r.wiggum_rounds, 2);
      for (const d of DIMENSIONS)
        assert.deepEqual(r.wiggum_dimensions[d], [SEED_ROUND_1[d], SEED_ROUND_2[d]]);
      assert.equal(readData(env.dataDir, r.output_path), draft(2));
      assert.equal(readData(env.dataDir, r.draft_path), draft(1));
      assert.equal(r.rubric_version, 'wiggum-v1');
      // The revision saw the evaluator's issues.
      const revise = env.ollama.requests.find(
        (q) => q.model === MODELS.producer && /Draft to revise/.test(q.lastMessage ?? ''),
      );
      assert.ok(revise?.lastMessage?.includes('be more specific'));
    });
  });

  test('a run that never reaches the threshold fails after max rounds and keeps the best draft, not the last', async () => {
    await withHarnessEnv({}, async (env) => {
      const { result } = await failAfterMaxRounds(env);
      assert.equal(result.final, 'FAIL');
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'FAIL');
      assert.equal(r.wiggum_rounds, 3);
      assert.deepEqual(r.wiggum_scores, FAIL_SCORES);
      // Round 2 scored best (7): its draft is the output; the last round's (3) is not.
      assert.equal(readData(env.dataDir, r.output_path), draft(2));
      assert.equal(readData(env.dataDir, `work/${r.run_id}/draft.r3.md`), draft(3));
      const described = await env.client.workflow.getHandle(r.workflow_id).describe();
      const score = described.typedSearchAttributes.get(FlywheelScore);
      assert.equal(score, 7, "the run's score is its best round");
    });
  });

  test('an evaluator that returns garbage is an evaluator error: the output stays the draft, never empty', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)]);
      scriptEvaluator(env.ollama, ['I liked it a lot!! no json here']);
      const result = await (await startRun(env)).result();
      assert.equal(result.final, 'FAIL');
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'FAIL');
      assert.equal(r.wiggum_rounds, 1);
      assert.deepEqual(r.wiggum_scores, []);
      for (const d of DIMENSIONS) assert.deepEqual(r.wiggum_dimensions[d], [null]);
      assert.match(r.error, /round 1: evaluator error: judge:test: .*did not return valid structured output/);
      assert.equal(r.evaluator_scores.length, 1);
      assert.equal(r.evaluator_scores[0].composite, null);
      assert.equal(readData(env.dataDir, r.output_path), draft(1));
      // The reply was repaired once, then given up on: two calls, no revision.
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.evaluator }), 2);
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.producer }), 1);
    });
  });

  test('an evaluator error in round 2 keeps round 1 as the best round and its draft as the output', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1), draft(2)]);
      scriptEvaluator(env.ollama, [evalReply(dims(6)), 'garbage', 'still garbage']);
      const result = await (await startRun(env, { maxRounds: 3 })).result();
      assert.equal(result.final, 'FAIL');
      const r = await onlyRecord(env.dataDir);
      // The loop goes on after an unscored round (revising with round 1's feedback) up to max rounds.
      assert.equal(r.wiggum_rounds, 3);
      assert.deepEqual(r.wiggum_scores, [6]);
      assert.match(r.error, /^round 2: evaluator error.*; round 3: evaluator error/);
      assert.equal(readData(env.dataDir, r.output_path), draft(1));
    });
  });

  test('an empty revision ends the loop and never replaces the scored draft', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1), '   \n']);
      scriptEvaluator(env.ollama, [evalReply(dims(6))]);
      const result = await (await startRun(env)).result();
      assert.equal(result.final, 'FAIL');
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.wiggum_rounds, 1);
      assert.equal(readData(env.dataDir, r.output_path), draft(1));
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.evaluator }), 1);
    });
  });

  test('with an evaluator pool each evaluator scores every round, the composite is their median and the trace stays valid', async () => {
    const models = ['judge-a:test', 'judge-b:test'];
    await withHarnessEnv(
      {
        env: { FLYWHEEL_EVALUATOR_MODELS: models.join(',') },
        ollama: { models: [...Object.values(MODELS), ...models] },
      },
      async (env) => {
        scriptPlanner(env.ollama);
        scriptProducer(env.ollama, [draft(1), draft(2)]);
        // Slow enough that the two evaluators' calls overlap in time.
        scriptEvaluator(env.ollama, [evalReply(dims(6)), evalReply(dims(8.5))], {
          model: models[0],
          latencyMs: 400,
        });
        scriptEvaluator(env.ollama, [evalReply(dims(7)), evalReply(dims(9))], {
          model: models[1],
          latencyMs: 400,
        });
        const result = await (await startRun(env)).result();
        assert.equal(result.final, 'PASS');
        const r = await onlyRecord(env.dataDir);
        assert.deepEqual(r.evaluator_models, models);
        assert.equal(r.evaluator_model, models[0]);
        assert.deepEqual(r.wiggum_scores, [6.5, 8.75]);
        assert.deepEqual(r.score_spread, [1, 0.5]);
        assert.deepEqual(r.wiggum_dimensions.depth, [6.5, 8.75]);
        assert.deepEqual(
          r.evaluator_scores.map((e: any) => [e.model, e.round, e.composite]),
          [
            [models[0], 1, 6],
            [models[1], 1, 7],
            [models[0], 2, 8.5],
            [models[1], 2, 9],
          ],
        );
        // The overlapping calls are on threads of their own, and each nests strictly (checked by withHarnessEnv).
        const trace = readTrace(env.dataDir, r);
        const threads = trace.traceEvents.filter((e: any) => e.ph === 'M' && e.name === 'thread_name');
        const evalCalls = trace.traceEvents.filter(
          (e: any) => e.ph === 'B' && e.cat === 'llm' && models.some((m) => e.name === `chat ${m}`),
        );
        assert.equal(evalCalls.length, 4);
        const tidsRound1 = new Set(evalCalls.slice(0, 2).map((e: any) => e.tid));
        assert.equal(tidsRound1.size, 2, 'two overlapping calls share no thread');
        assert.ok(threads.length >= 4);
      },
    );
  });
});
