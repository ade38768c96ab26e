import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonl } from '../src/audit/jsonl';
import { resolveLitReviewInput } from '../src/lit-review/input';
import { startLitReview } from '../src/lit-review/start';
import { harnessEnv, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { personaCalls, scriptLitReview, sharedPapers, writeCorpus } from './support/lit-review-script';
import { spawnWorker } from './support/spawn-worker';
import { reviewRel } from '../src/lit-review/paths';

/** `<title>|<persona>` of every persona score on disk. */
function persistedScores(reviewDir: string): Set<string> {
  const out = new Set<string>();
  const scores = path.join(reviewDir, 'scores');
  if (!fs.existsSync(scores)) return out;
  for (const paper of fs.readdirSync(scores)) {
    const title = JSON.parse(fs.readFileSync(path.join(reviewDir, 'papers', `${paper}.json`), 'utf8')).title;
    for (const f of fs.readdirSync(path.join(scores, paper)))
      if (f.endsWith('.json')) out.add(`${title}|${f.replace(/\.json$/, '')}`);
  }
  return out;
}

after(() => stopOwnServer());

describe('literature review with a worker killed mid-curation', () => {
  let env: HarnessEnv;
  let child: ChildProcess | undefined;
  before(async () => {
    env = await harnessEnv({ startWorker: false });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await env.close();
  });

  test('the review resumes on another worker and no finished persona score is asked again', async () => {
    const papers = sharedPapers()
      .filter((p) => p.published >= '2024-01-01' && /\bagents?\b/i.test(p.title))
      .slice(0, 10);
    const corpus = writeCorpus(path.join(tempDir(), 'corpus.jsonl'), papers);
    scriptLitReview(env.ollama, { score: () => 4, paperLatencyMs: 300 });
    const concurrency = 3;
    const input = resolveLitReviewInput('LLM agents', env.settings, { corpus, concurrency, batchSize: 4 });

    child = await spawnWorker(env.settings);
    const handle = await startLitReview(env.client, env.taskQueue, input);
    const id = handle.workflowId.replace(/^litreview-/, '');
    const reviewDir = path.join(env.dataDir, reviewRel(id));

    // Kill the worker once a good part of the 50 persona scores are in, with calls in flight.
    const deadline = Date.now() + 120_000;
    while (persistedScores(reviewDir).size < 15) {
      assert.ok(Date.now() < deadline, 'curation did not start in time');
      await sleep(50);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const finishedBeforeKill = persistedScores(reviewDir);
    assert.ok(finishedBeforeKill.size < 50, 'the kill landed before curation finished');
    // Asked of the model but never answered to a living worker: the calls in flight when it died.
    const inFlightAtKill = [...personaCalls(env.ollama).keys()].filter((k) => !finishedBeforeKill.has(k));

    await env.startWorker();
    const result = await handle.result();
    assert.equal(result.final, 'PASS');

    const calls = personaCalls(env.ollama);
    assert.equal(calls.size, 50, 'every (paper, persona) pair was asked');
    for (const k of finishedBeforeKill) assert.equal(calls.get(k), 1, `${k} was scored before the kill`);
    // The only calls asked twice are those in flight when the worker died (their answers were lost), once more each.
    const repeated = [...calls].filter(([, n]) => n > 1).map(([k]) => k);
    assert.deepEqual(repeated.sort(), [...inFlightAtKill].sort());
    for (const k of repeated) assert.equal(calls.get(k), 2, `${k} is asked once more`);
    assert.ok(repeated.length <= concurrency, `at most ${concurrency} calls were in flight`);

    const log: any[] = [];
    for await (const l of readJsonl(path.join(reviewDir, 'curation.jsonl'))) log.push(l);
    assert.equal(log.length, 10, 'one decision per paper, none written twice');
    const recs: any[] = [];
    for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl'))) recs.push(r);
    assert.equal(recs.filter((r) => r.run_id === id).length, 1);
  });
});
