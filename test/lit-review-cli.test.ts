// `flywheel lit-review` as a subprocess: usage errors, and a whole review that ends with its output paths.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../src/temporal/dev-server';
import { harnessEnv, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { scriptLitReview, sharedPapers, writeCorpus } from './support/lit-review-script';
import { flywheel } from './support/cli';

after(() => stopOwnServer());

describe('flywheel lit-review', () => {
  let env: HarnessEnv;
  let vars: Record<string, string>;
  before(async () => {
    env = await harnessEnv();
    const s = env.settings;
    vars = {
      TEMPORAL_ADDRESS: s.TEMPORAL_ADDRESS,
      FLYWHEEL_TASK_QUEUE: env.taskQueue,
      FLYWHEEL_DATA_DIR: s.dataDir,
      OLLAMA_HOST: s.OLLAMA_HOST,
      FLYWHEEL_PRODUCER_MODEL: s.FLYWHEEL_PRODUCER_MODEL,
      FLYWHEEL_PLANNER_MODEL: s.plannerModel,
      FLYWHEEL_EVALUATOR_MODELS: s.evaluatorModels.join(','),
    };
  });
  after(async () => env.close());

  test('a bad date or source is a usage error that names the flag', async () => {
    const date = await flywheel(['lit-review', 'LLM agents', '--from', '2024-13-01'], vars);
    assert.equal(date.code, 2);
    assert.match(date.stderr, /--from: a date like 2024-01-31/);
    const source = await flywheel(['lit-review', 'LLM agents', '--source', 'local,scholar'], vars);
    assert.equal(source.code, 2);
    assert.match(source.stderr, /--source/);
    assert.doesNotMatch(source.stderr, /\n\s+at /, 'no stack trace');
  });

  test('with no server, --no-wait is refused with the remedy (an embedded server would stop with the command)', async () => {
    const port = await freePort();
    const r = await flywheel(['lit-review', 'LLM agents', '--no-wait'], {
      ...vars,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    });
    assert.equal(r.code, 5, r.stdout + r.stderr);
    assert.match(r.stderr, /--no-wait needs a server and worker that outlive this command.*flywheel dev/s);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('a review shows its progress and ends with the paths of its outputs', async () => {
    scriptLitReview(env.ollama, { score: () => 4 });
    const corpus = writeCorpus(path.join(tempDir(), 'c.jsonl'), sharedPapers().slice(0, 3));
    const r = await flywheel(
      ['lit-review', 'LLM agents', '--corpus', corpus, '--concurrency', '2', '--max-rounds', '1'],
      vars,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\] stage /);
    assert.match(r.stdout, /3\/3 curated \(3 in, 0 out\)/);
    assert.match(r.stdout, /Status: PASS/);
    for (const label of ['Output', 'BibTeX', 'Curation table', 'Curation log']) {
      const file = new RegExp(`^${label}: (.+)$`, 'm').exec(r.stdout)?.[1];
      assert.ok(file && fs.existsSync(file), `${label} path printed and present`);
    }
  });
});
