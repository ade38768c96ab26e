import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../src/memory/store';
import { withHarnessEnv } from './support/harness-checks';
import { stopOwnServer } from './support/harness-env';
import { scriptEvaluator, scriptPlanner, scriptProducer, startRun } from './support/harness-scenarios';
import { embedText } from './support/scripted-ollama';

// Stops the dev server this file started when run alone (under `npm test` the shared one is left alone).
after(() => stopOwnServer());

const nine = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };

void test('a memory saved without an embedding (model server down, or edited) is embedded at the next recall and can be recalled', async () => {
  await withHarnessEnv({}, async (env) => {
    const store = new MemoryStore(env.dataDir);
    const text = 'Agents that use tools need a memory of past tool calls.';
    const id = store.add({ text, task: 'tool use', embedding: null }).id;
    store.close();
    scriptPlanner(env.ollama);
    scriptProducer(env.ollama, ['# Draft\n\nAgents remember [1].']);
    scriptEvaluator(env.ollama, [{ scores: nine, issues: [], feedback: 'ok' }]);
    const result = await (await startRun(env, { maxRounds: 1 }, text)).result();
    assert.equal(result.final, 'PASS');
    const after = new MemoryStore(env.dataDir);
    try {
      const m = after.get(id)!;
      assert.deepEqual(m.embedding, embedText(text), 'embedded with the run’s embedding model');
      // The task is the memory's own text, so the freshly embedded memory is the one recalled.
      assert.equal(m.retrieved_count, 1);
    } finally {
      after.close();
    }
  });
});
