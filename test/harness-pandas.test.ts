// The seed's pandas snippet (F2), unchanged, on a runs.jsonl written by real runs: PASS, FAIL and ERROR.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { stopOwnServer } from './support/harness-env';
import { readRecords, withHarnessEnv } from './support/harness-checks';
import {
  dims,
  draft,
  errorMissingProducer,
  evalReply,
  passAfterTwoRounds,
  scriptEvaluator,
  scriptPlanner,
  scriptProducer,
  startRun,
} from './support/harness-scenarios';
import { testPython } from './support/python';

after(() => stopOwnServer());

const SNIPPET = path.join(__dirname, 'python', 'seed_snippet.py');

describe('harness run: the seed’s pandas snippet', () => {
  test('runs unchanged on a log with PASS, FAIL and ERROR records', async () => {
    const pandas = spawnSync(testPython(), ['-c', 'import pandas'], { encoding: 'utf8' });
    assert.equal(
      pandas.status,
      0,
      `${testPython()} has no pandas (\`npx tsx test/setup.ts\` creates the test venv): ${pandas.stderr}`,
    );
    await withHarnessEnv({}, async (env) => {
      await passAfterTwoRounds(env); // PASS, specificity [5.5, 8.0]
      env.ollama.clearRules();
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)]);
      scriptEvaluator(env.ollama, ['not json']);
      await (await startRun(env)).result(); // FAIL with an evaluator error: specificity [null]
      env.ollama.clearRules();
      await errorMissingProducer(env); // ERROR: specificity [null]
      env.ollama.clearRules();
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)]);
      scriptEvaluator(env.ollama, [evalReply(dims(9), 'none')]);
      await (await startRun(env)).result(); // PASS, specificity [9]

      const recs = await readRecords(env.dataDir);
      assert.deepEqual(
        recs.map((r) => r.final),
        ['PASS', 'FAIL', 'ERROR', 'PASS'],
      );
      const out = spawnSync(testPython(), [SNIPPET], { cwd: path.dirname(env.dataDir), encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      // Failure rate by model, then the mean first-round specificity: (5.5 + 9) / 2, the unscored runs left out.
      assert.match(out.stdout, /producer:test\s+PASS\s+0\.666667/);
      assert.match(out.stdout, /\n\s+FAIL\s+0\.333333/);
      assert.match(out.stdout, /missing:model\s+ERROR\s+1\.0/);
      assert.match(out.stdout, /Name: proportion/);
      assert.match(out.stdout, /missing:model\s+NaN/);
      assert.match(out.stdout, /producer:test\s+7\.25/);
    });
  });
});
