// Degenerate scoring is an evaluator error, not a score: real dev server, real worker, scripted Ollama.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { degenerateReason } from '../src/activities/evaluate';
import { DIMENSIONS, type DimensionScores } from '../src/harness/rubric';
import { createHash } from 'node:crypto';
import { saveQualification } from '../src/judge/qualification';
import { qualification } from './support/qualifications';
import { MODELS, stopOwnServer } from './support/harness-env';
import { onlyRecord, readData, withHarnessEnv } from './support/harness-checks';
import {
  dims,
  draft,
  evalReply,
  scriptEvaluator,
  scriptPlanner,
  scriptProducer,
  startRun,
} from './support/harness-scenarios';

after(() => stopOwnServer());

/** Six dimension values whose weighted composite is 7.65 (the round 1). */
const ROUND_1: DimensionScores = dims({
  relevance: 8,
  completeness: 8,
  depth: 7,
  groundedness: 8,
  specificity: 7,
  structure: 8,
});

describe('harness run: degenerate scoring is an evaluator error', () => {
  test('the rule: all dimensions 0 or all 10, or any value clamped, is no score; all-equal mid-scale is one', () => {
    assert.equal(
      degenerateReason([10, 10, 10, 10, 10, 10], false),
      'degenerate scores: all six dimensions are 10',
    );
    assert.equal(degenerateReason([0, 0, 0, 0, 0], false), 'degenerate scores: all 5 dimensions are 0');
    assert.match(degenerateReason([9, 9, 9, 9, 9, 10], true) ?? '', /^out-of-range scores/);
    assert.equal(degenerateReason([9, 9, 9, 9, 9, 9], false), null);
    assert.equal(degenerateReason([10, 10, 10, 10, 10, 9.5], false), null);
    assert.equal(degenerateReason([0, 0, 0, 0, 0, 0.5], false), null);
  });

  test('scores [7.65, 0, 10]: rounds 2 and 3 are evaluator errors, round 1 stays best and the run does not PASS', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1), draft(2), draft(3)]);
      scriptEvaluator(env.ollama, [evalReply(ROUND_1), evalReply(dims(0)), evalReply(dims(10), 'none')]);
      const result = await (await startRun(env, { maxRounds: 3 })).result();
      assert.equal(result.final, 'FAIL');
      assert.deepEqual(result.scores, [7.65]);
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'FAIL');
      assert.equal(r.wiggum_rounds, 3, 'the loop went on after the unscored round 2');
      assert.deepEqual(r.wiggum_scores, [7.65]);
      for (const d of DIMENSIONS) assert.deepEqual(r.wiggum_dimensions[d], [ROUND_1[d]]);
      assert.deepEqual(
        r.evaluator_scores.map((e: any) => [e.round, e.composite, e.dimensions === null, e.error ?? null]),
        [
          [1, 7.65, false, null],
          [2, null, true, 'degenerate scores: all six dimensions are 0'],
          [3, null, true, 'degenerate scores: all six dimensions are 10'],
        ],
      );
      assert.match(
        r.error,
        /round 2: evaluator error: judge:test: degenerate scores: all six dimensions are 0/,
      );
      assert.match(
        r.error,
        /round 3: evaluator error: judge:test: degenerate scores: all six dimensions are 10/,
      );
      // The best (and only scored) draft is round 1's: never replaced by an unscored one.
      assert.equal(readData(env.dataDir, r.output_path), draft(1));
      // Round 3's revision saw round 1's feedback (the latest scored round), not an empty one.
      const revisions = env.ollama.requests.filter(
        (q) => q.model === MODELS.producer && /Draft to revise/.test(q.lastMessage ?? ''),
      );
      assert.equal(revisions.length, 2);
      assert.ok(revisions[1].lastMessage?.includes('composite 7.65'));
      assert.ok(revisions[1].lastMessage?.includes(draft(2)));
      // No qualification in this data folder: each evaluator is unknown as of the run.
      assert.equal(r.evaluator_qualifications['judge:test'].status, 'unknown');
      assert.equal(r.evaluator_qualifications['judge:test'].reason, 'never qualified');
    });
  });

  test('scores outside 0-10 are an evaluator error, not a clamped score: an 11 never passes the run', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)]);
      scriptEvaluator(env.ollama, [evalReply({ ...dims(9), depth: 11 }, 'none')]);
      const result = await (await startRun(env, { maxRounds: 2 })).result();
      assert.equal(result.final, 'FAIL');
      const r = await onlyRecord(env.dataDir);
      assert.deepEqual(r.wiggum_scores, []);
      assert.equal(r.wiggum_rounds, 1, 'with no scored round yet there is no feedback to revise with');
      assert.match(r.error, /round 1: evaluator error: judge:test: out-of-range scores: values outside 0-10/);
      assert.equal(readData(env.dataDir, r.output_path), draft(1));
    });
  });

  test('in a pool, a degenerate evaluator is left out of the median and the others score the round', async () => {
    const models = ['judge-a:test', 'judge-b:test'];
    await withHarnessEnv(
      {
        env: { FLYWHEEL_EVALUATOR_MODELS: models.join(',') },
        ollama: { models: [...Object.values(MODELS), ...models] },
      },
      async (env) => {
        await saveQualification(env.dataDir, qualification(models[0], 'qualified'));
        await saveQualification(env.dataDir, qualification(models[1], 'unqualified'));
        scriptPlanner(env.ollama);
        scriptProducer(env.ollama, [draft(1)]);
        scriptEvaluator(env.ollama, [evalReply(dims(10), 'none')], { model: models[0] });
        scriptEvaluator(env.ollama, [evalReply(ROUND_1)], { model: models[1] });
        const result = await (await startRun(env, { maxRounds: 1 })).result();
        assert.equal(result.final, 'FAIL');
        const r = await onlyRecord(env.dataDir);
        assert.deepEqual(r.wiggum_scores, [7.65], 'the median of the one usable score');
        assert.deepEqual(r.score_spread, [0]);
        assert.match(
          r.error,
          /round 1: evaluator error: judge-a:test: degenerate scores: all six dimensions are 10/,
        );
        // Each evaluator's qualification as of the run, matched on the digest the server lists now.
        const q = r.evaluator_qualifications;
        assert.deepEqual(Object.keys(q).sort(), models);
        assert.equal(q[models[0]].status, 'qualified');
        assert.equal(q[models[0]].accuracy, 0.85);
        assert.deepEqual(q[models[0]].accuracy_ci95, [0.71, 0.93]);
        assert.equal(q[models[0]].digest, createHash('sha256').update(models[0]).digest('hex'));
        assert.equal(q[models[1]].status, 'unqualified');
        assert.match(q[models[1]].reason, /lower bound/);
      },
    );
  });

  test('a qualification measured after the run started does not count for that run', async () => {
    await withHarnessEnv({}, async (env) => {
      await saveQualification(
        env.dataDir,
        qualification(MODELS.evaluator, 'qualified', '2999-01-01T00:00:00.000Z'),
      );
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)]);
      scriptEvaluator(env.ollama, [evalReply(ROUND_1)]);
      await (await startRun(env, { maxRounds: 1 })).result();
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.evaluator_qualifications[MODELS.evaluator].status, 'unknown');
    });
  });
});
