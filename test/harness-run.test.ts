import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../src/audit/jsonl';
import { checkTrace } from '../src/audit/trace';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { harnessEnv, MODELS, type HarnessEnv } from './support/harness-env';

const scores = (v: number) => ({
  relevance: v,
  completeness: v,
  depth: v,
  specificity: v,
  structure: v,
  groundedness: v,
});

async function records(env: HarnessEnv) {
  const out: any[] = [];
  for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl'))) out.push(r);
  return out;
}

describe('harness run', () => {
  let env: HarnessEnv;
  before(async () => {
    env = await harnessEnv();
  });
  after(async () => env.close());

  test('a run that scores above the threshold in round 1 passes with one record and a valid trace', async () => {
    env.ollama.rule({
      model: MODELS.planner,
      respond: { search_queries: ['tool use agents', 'agent memory'], synthesis_notes: 'be specific' },
    });
    env.ollama.rule({ model: MODELS.producer, respond: '# Agents\n\nA specific, grounded answer [1].' });
    env.ollama.rule({
      model: MODELS.evaluator,
      respond: { scores: scores(9), issues: [], feedback: 'good' },
    });
    const input = resolveHarnessInput('survey tool use in LLM agents', env.settings);
    const handle = await startHarnessRun(env.client, env.taskQueue, input);
    const result = await handle.result();
    assert.equal(result.final, 'PASS');
    const recs = await records(env);
    assert.equal(recs.length, 1);
    const r = recs[0];
    assert.equal(r.final, 'PASS');
    assert.deepEqual(r.wiggum_scores, [9]);
    assert.equal(r.wiggum_rounds, 1);
    assert.equal(r.tool_calls.length, 2);
    assert.ok(r.input_tokens > 0 && r.output_tokens > 0);
    assert.equal(
      fs.readFileSync(path.join(env.dataDir, r.output_path), 'utf8'),
      '# Agents\n\nA specific, grounded answer [1].',
    );
    const trace = JSON.parse(fs.readFileSync(path.join(env.dataDir, r.trace_path), 'utf8'));
    assert.deepEqual(checkTrace(trace), []);
  });
});
