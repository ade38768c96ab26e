// Loose ends of the design: recalled memories reach the planner prompt, and each search tool call's novelty score
// is 10 × (1 − the highest cosine similarity between its new sources and the recalled memories).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MemoryStore } from '../src/memory/store';
import { onlyRecord, withHarnessEnv } from './support/harness-checks';
import { MODELS, stopOwnServer } from './support/harness-env';
import { scriptEvaluator, scriptPlanner, scriptProducer, startRun } from './support/harness-scenarios';
import { embedText } from './support/scripted-ollama';

after(() => stopOwnServer());

const nine = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const cos = (a: number[], b: number[]) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

void test('a recalled memory is in the planner prompt, and novelty scores follow the sources’ similarity to it', async () => {
  await withHarnessEnv({}, async (env) => {
    const memory = 'Tool use in LLM agents: agents call search tools and remember past tool calls.';
    const store = new MemoryStore(env.dataDir);
    store.add({ text: memory, task: 'tool use in LLM agents', embedding: embedText(memory) });
    store.close();
    scriptPlanner(env.ollama);
    scriptProducer(env.ollama, ['# Draft\n\nAgents use tools [1].']);
    scriptEvaluator(env.ollama, [{ scores: nine, issues: [], feedback: 'ok' }]);
    await (await startRun(env, { maxRounds: 1 }, 'tool use in LLM agents')).result();

    const plannerPrompt = env.ollama.requests
      .filter((q) => q.endpoint === 'chat' && q.model === MODELS.planner)
      .map((q) => q.lastMessage ?? '')[0];
    assert.ok(
      plannerPrompt.includes(`Memory:\n(1) ${memory}`),
      `planner prompt: ${plannerPrompt.slice(0, 300)}`,
    );

    const rec = await onlyRecord(env.dataDir);
    const sources = JSON.parse(
      fs.readFileSync(path.join(env.dataDir, 'work', rec.run_id, 'sources.json'), 'utf8'),
    ) as { url: string; text: string }[];
    const memVec = embedText(memory);
    const assigned = new Set<string>();
    const calls = rec.tool_calls.filter((c: { name: string }) => c.name === 'search');
    assert.ok(calls.length >= 1);
    let checked = 0;
    for (const call of calls as { urls: string[]; novelty_score: number | null }[]) {
      const mine = sources.filter((s) => call.urls.includes(s.url) && !assigned.has(s.url));
      mine.forEach((s) => assigned.add(s.url));
      if (!mine.length) {
        assert.equal(call.novelty_score, null);
        continue;
      }
      const maxSim = Math.max(...mine.map((s) => cos(embedText(s.text.slice(0, 1000)), memVec)));
      const expected = Math.round(Math.max(0, Math.min(10, 10 * (1 - maxSim))) * 10) / 10;
      assert.equal(call.novelty_score, expected);
      checked++;
    }
    assert.ok(checked >= 1, 'at least one call had new sources');
    // Not a constant: with the memory this close to the topic, some source is less than fully novel.
    assert.ok(
      calls.some((c: { novelty_score: number | null }) => c.novelty_score !== null && c.novelty_score < 10),
      JSON.stringify(calls.map((c: { novelty_score: number | null }) => c.novelty_score)),
    );
  });
});
