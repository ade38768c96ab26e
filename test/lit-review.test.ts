import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../src/audit/jsonl';
import { RunRecord } from '../src/audit/records';
import { checkTrace } from '../src/audit/trace';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { citedKeys } from '../src/lit-review/citations';
import { resolveLitReviewInput } from '../src/lit-review/input';
import { startLitReview } from '../src/lit-review/start';
import { parseCsv } from '../src/papers/csv';
import { litReviewProgressQuery } from '../src/workflows/lit-review';
import { harnessEnv, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { personaCalls, scriptLitReview, sharedPapers, writeCorpus } from './support/lit-review-script';
import { curationLogRel } from '../src/lit-review/paths';

async function records(env: HarnessEnv): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl'))) out.push(r as RunRecord);
  return out;
}

const read = (env: HarnessEnv, rel: string) => fs.readFileSync(path.join(env.dataDir, rel), 'utf8');

after(() => stopOwnServer());

describe('literature review', () => {
  let env: HarnessEnv;
  before(async () => {
    env = await harnessEnv();
  });
  after(async () => env.close());

  test('curation excludes by both rules and the outputs cite, list and export only the included papers', async () => {
    const inRange = sharedPapers().filter(
      (p) => p.published >= '2024-01-01' && p.published < '2025-07-01' && /\bagents?\b/i.test(p.title),
    );
    const chosen = inRange.slice(0, 6);
    const old = sharedPapers().find((p) => p.published < '2024-01-01' && /\bagents?\b/i.test(p.title))!;
    // The same paper again as another version: de-duplicated by arXiv id.
    const dup = { ...chosen[0], version: '1', abs_url: `https://arxiv.org/abs/${chosen[0].arxiv_id}v1` };
    const corpus = writeCorpus(path.join(tempDir(), 'corpus.jsonl'), [...chosen, old, dup]);

    // Scores per paper, in persona order Pragmatist, Rigorist, Synthesizer, Contrarian, Newcomer.
    const table = new Map<string, number[]>([
      [chosen[0].title, [4, 4, 4, 4, 4]], // mean 4: included
      [chosen[1].title, [3, 3, 3, 4, 3]], // mean 3.2: excluded by the mean
      [chosen[2].title, [5, 5, 5, 1, 5]], // mean 4.2 but Contrarian 1: vetoed
      [chosen[3].title, [2, 5, 4, 4, 4]], // a 2 is no veto, mean 3.8: included
      [chosen[4].title, [4, 4, 3, 3, 3]], // mean 3.4: excluded by the mean
      [chosen[5].title, [4, 4, 4, 3, 3]], // mean 3.6: included
    ]);
    const personas = ['Pragmatist', 'Rigorist', 'Synthesizer', 'Contrarian', 'Newcomer'];
    scriptLitReview(env.ollama, {
      score: (persona, title) => table.get(title)![personas.indexOf(persona)],
      reviews: [6, 9],
    });

    const input = resolveLitReviewInput('LLM agents', env.settings, {
      from: '2024-01-01',
      to: '2025-06-30',
      corpus,
      concurrency: 3,
      batchSize: 4,
      maxRounds: 3,
      threshold: 8,
    });
    const handle = await startLitReview(env.client, env.taskQueue, input);
    const result = await handle.result();
    const id = handle.workflowId.replace(/^litreview-/, '');
    assert.equal(result.final, 'PASS');
    assert.equal(result.candidates, 6, 'the old paper is outside the date range and the duplicate merged');

    // The decisions: the two rules, nothing else.
    const csv = parseCsv(read(env, `outputs/${id}.curation.csv`));
    const header = csv[0];
    const col = (name: string) => header.indexOf(name);
    const rows = csv.slice(1);
    assert.equal(rows.length, 6);
    const decisionOf = new Map(rows.map((r) => [r[col('title')], r[col('decision')]]));
    assert.deepEqual(
      chosen.map((p) => decisionOf.get(p.title)),
      ['included', 'excluded', 'excluded', 'included', 'excluded', 'included'],
    );
    for (const r of rows)
      assert.deepEqual(
        personas.map((p) => Number(r[col(p)])),
        table.get(r[col('title')]),
        `the CSV carries the five scores of ${r[col('title')]}`,
      );
    const reasonOf = (t: string) => rows.find((r) => r[col('title')] === t)![col('reason')];
    assert.match(reasonOf(chosen[1].title), /mean 3.2 is below 3.5/);
    assert.match(reasonOf(chosen[2].title), /vetoed: Contrarian scored 1/);

    // The curation log: one decision per candidate.
    const log: any[] = [];
    for await (const l of readJsonl(path.join(env.dataDir, curationLogRel(id)))) log.push(l);
    assert.equal(log.length, 6);
    assert.equal(new Set(log.map((l) => l.paper_key)).size, 6);
    const includedKeys = log.filter((l) => l.included).map((l) => l.cite_key as string);
    assert.equal(includedKeys.length, 3);

    // The BibTeX holds exactly the included papers.
    const bibKeys = [...read(env, `outputs/${id}.bib`).matchAll(/^@\w+\{([^,]+),/gm)].map((m) => m[1]);
    assert.deepEqual([...bibKeys].sort(), [...includedKeys].sort());

    // The review cites only included papers (the invented keys were refused), and each included paper is
    // cited in the text or listed as not cited.
    const md = read(env, result.outputPath);
    const cited = citedKeys(md);
    assert.ok(cited.length > 0);
    for (const k of cited) assert.ok(includedKeys.includes(k), `${k} is an included paper`);
    assert.doesNotMatch(md, /fake2099x|ghost2020x|invented1999x|ghost1999x/);
    const notCited = md.split('## Included papers not cited above')[1]?.split('\n## ')[0] ?? '';
    for (const k of includedKeys)
      assert.ok(cited.includes(k) || notCited.includes(`- ${k}:`), `${k} cited or listed`);
    assert.match(md, /## Appendix: curation/);
    for (const p of chosen) assert.ok(md.includes(p.title.replace(/\|/g, '\\|')), 'every decision is shown');

    // Each (paper, persona) was asked exactly once.
    const calls = personaCalls(env.ollama);
    assert.equal(calls.size, 30);
    assert.deepEqual([...new Set(calls.values())], [1]);

    // Its own record and trace, with the review rounds.
    const rec = (await records(env)).find((r) => r.run_id === id)!;
    assert.ok(RunRecord.safeParse(rec).success);
    assert.equal(rec.kind, 'lit_review');
    assert.equal(rec.workflow_id, `litreview-${id}`);
    assert.equal(rec.final, 'PASS');
    assert.deepEqual(rec.wiggum_scores, [6, 9]);
    assert.equal(rec.rubric_version, 'litreview-v1');
    assert.equal(rec.output_path, `outputs/${id}.md`);
    assert.ok(rec.stages.curate.attempts >= 30, 'curation attempts are in the record');
    assert.deepEqual(checkTrace(JSON.parse(read(env, rec.trace_path!))), []);

    // Curation and extraction ran as child workflows of at most four papers each.
    for (const child of ['curate-1', 'curate-2', 'extract-1'])
      assert.equal(
        (await env.client.workflow.getHandle(`litreview-${id}-${child}`).describe()).status.name,
        'COMPLETED',
      );

    const p = await handle.query(litReviewProgressQuery);
    assert.deepEqual(
      [p.fetched, p.curated, p.included, p.excluded, p.annotated, p.status],
      [6, 6, 3, 3, 3, 'PASS'],
    );
  });

  test('a harness task starting with /lit-review runs the review as its child, each with its own record', async () => {
    env.ollama.clearRules();
    scriptLitReview(env.ollama, { score: () => 4 });
    const task =
      '/lit-review "LLM agents" --from 2024-01-01 --to 2025-12-31 --max-papers 2 --corpus papers.jsonl';
    const handle = await startHarnessRun(env.client, env.taskQueue, resolveHarnessInput(task, env.settings));
    const result = await handle.result();
    assert.equal(result.final, 'PASS');
    const recs = await records(env);
    const run = recs.find((r) => r.run_id === result.runId)!;
    const review = recs.find((r) => r.kind === 'lit_review' && r.parent_id === handle.workflowId)!;
    assert.equal(run.kind, 'run');
    assert.equal(run.final, 'PASS');
    assert.equal(run.output_path, review.output_path);
    assert.equal(review.task, 'LLM agents');
    assert.match(review.workflow_id, /^litreview-/);
    assert.equal(fs.existsSync(path.join(env.dataDir, 'outputs', `${review.run_id}.bib`)), true);
  });
});
