// Qualifying a real evaluator: SmolLM2-135M on a real Ollama (CPU) judges 20 LLMBar pairs through the same
// workflow, rubric prompt and client as `flywheel judge qualify`. The figures are the model's own; the test
// records them and checks the record, not the numbers (a 135M model is not expected to qualify).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { DEFAULT_DEMO_MODEL } from '../src/ollama';
import { qualificationFile, readQualifications, statusOf } from '../src/judge/qualification';
import { buildQualifyInput, startQualification } from '../src/judge/start';
import { harnessEnv, stopOwnServer, type HarnessEnv } from './support/harness-env';
import { realModelEnv, realOllama, type RealOllama } from './support/real-ollama';

void describe('qualifying SmolLM2-135M on real pairs', { timeout: 30 * 60_000 }, () => {
  let ollama: RealOllama;
  let env: HarnessEnv;
  before(async () => {
    ollama = await realOllama();
    env = await harnessEnv({ env: realModelEnv(ollama.host) });
  });
  after(async () => {
    await env?.close();
    await ollama?.stop();
    await stopOwnServer();
  });

  test('20 pairs are judged, and the record carries the server digest, the figures and a status', async (t) => {
    const input = buildQualifyInput(env.settings, { sample: 20, concurrency: 2 });
    const res = await (await startQualification(env.client, env.taskQueue, input, 'real-smollm2')).result();
    assert.equal(res.results?.length, 1);
    const r = res.results![0];
    assert.equal(r.status === 'error' ? r.reason : null, null);
    const rec = r.record!;
    const tags = (await (await fetch(`${ollama.host}/api/tags`)).json()) as {
      models: { name: string; digest: string }[];
    };
    const served = tags.models.find((m) => m.name === DEFAULT_DEMO_MODEL);
    assert.ok(served, 'the server lists the demo model');
    assert.equal(rec.digest, served.digest, 'keyed by the digest the model server reports');
    assert.equal(rec.model, DEFAULT_DEMO_MODEL);
    assert.equal(rec.metrics.n_pairs, 20);
    assert.equal(rec.pair_set.name, 'llmbar-natural.json');
    const m = rec.metrics;
    const [lo, hi] = m.accuracy_ci95;
    assert.ok(0 <= lo && lo <= m.accuracy && m.accuracy <= hi && hi <= 1);
    t.diagnostic(`SmolLM2-135M on 20 LLMBar pairs: ${rec.status}${rec.reason ? ` (${rec.reason})` : ''}`);
    t.diagnostic(JSON.stringify(m));
    // What a 135M model measures on these pairs is not good enough to trust its scores as labels.
    assert.equal(rec.status, 'unqualified', `figures: ${JSON.stringify(m)}`);
    assert.ok(rec.reason);
    const file = qualificationFile(env.dataDir, rec.digest);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), rec);
    const status = statusOf(await readQualifications(env.dataDir), DEFAULT_DEMO_MODEL, {
      digest: served.digest,
    });
    assert.equal(status.status, 'unqualified');
  });
});
