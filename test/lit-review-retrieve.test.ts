// The retrieve stage against recorded arXiv and Semantic Scholar responses served locally.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { litRetrieveActivities } from '../src/activities/lit-review/retrieve';
import { loadSettings } from '../src/config';
import type { CandidatePaper } from '../src/lit-review/types';
import { PaperSourceError } from '../src/papers';
import { tempDir } from './support/harness-env';
import { fixture, startRecordedServer, type RecordedServer } from './fixtures/papers/recorded-server';
import { reviewRel } from '../src/lit-review/paths';

const servers: RecordedServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const atom = {
  status: 200,
  headers: { 'content-type': 'application/atom+xml' },
  body: fixture('arxiv-query.xml'),
};
const s2 = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: fixture('semanticscholar-search.json'),
};
// A Retry-After beyond the client's longest wait fails at once, as retryable.
const rateLimited = {
  status: 429,
  headers: { 'retry-after': '3600' },
  body: '{"message":"Too Many Requests"}',
};

async function setup(s2Replies: Parameters<typeof startRecordedServer>[0]) {
  const arxiv = await startRecordedServer([atom]);
  const scholar = await startRecordedServer(s2Replies);
  servers.push(arxiv, scholar);
  const root = tempDir();
  const settings = loadSettings(
    {
      FLYWHEEL_DATA_DIR: path.join(root, 'data'),
      ARXIV_API_URL: arxiv.baseUrl,
      SEMANTIC_SCHOLAR_API_URL: scholar.baseUrl,
      LOG_LEVEL: 'warn',
    },
    root,
  );
  const { litRetrieve } = litRetrieveActivities({ settings });
  const args = {
    runId: '20250101T000000_00000001',
    stage: 'retrieve',
    queries: { arxiv: ['llm agents'], semanticscholar: ['llm agents'] },
    maxPapers: 50,
    corpusPath: null,
    maxAttempts: 3,
  };
  const review = path.join(settings.dataDir, reviewRel(args.runId));
  return { arxiv, scholar, litRetrieve, args, review };
}

describe('retrieve stage', () => {
  test('a rate-limited source fails the attempt without caching anything for it, and the retry reuses the rest', async () => {
    const { arxiv, scholar, litRetrieve, args, review } = await setup([rateLimited, s2]);
    await assert.rejects(
      litRetrieve(args),
      (e: unknown) => e instanceof PaperSourceError && e.retryable && /rate limited/.test(e.message),
    );
    assert.ok(fs.existsSync(path.join(review, 'retrieve', 'arxiv-0.json')), 'the arXiv answer is kept');
    assert.ok(
      !fs.existsSync(path.join(review, 'retrieve', 'semanticscholar-0.json')),
      'no empty result is cached',
    );

    const res = await litRetrieve(args);
    assert.equal(arxiv.requests.length, 1, 'arXiv is not asked again');
    assert.equal(scholar.requests.length, 2);
    assert.deepEqual(
      res.sources.map((s) => [s.source, s.failures.length]),
      [
        ['arxiv', 0],
        ['semanticscholar', 0],
      ],
    );
    const candidates = JSON.parse(
      fs.readFileSync(path.join(review, 'candidates.json'), 'utf8'),
    ) as CandidatePaper[];
    assert.equal(candidates.length, res.count);
    const keys = candidates.map((c) => c.key);
    assert.equal(new Set(keys).size, keys.length, 'one candidate per paper');
    const both = candidates.find((c) => c.arxivId === '2402.11651')!;
    assert.deepEqual(
      [...both.sources].sort(),
      ['arxiv', 'semanticscholar'],
      'the same paper from both is merged',
    );
    assert.equal(typeof both.citationCount, 'number', 'enriched with the citation count');
    assert.equal(new Set(candidates.map((c) => c.citeKey)).size, candidates.length, 'cite keys are unique');
    assert.equal(res.toolCalls.length, 2);
  });

  test('on the last attempt a malformed source is reported and the others still give candidates', async () => {
    const malformed = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"total": 3, "data": [',
    };
    const { litRetrieve, args, review } = await setup([malformed]);
    const res = await litRetrieve({ ...args, maxAttempts: 1 });
    const s2Report = res.sources.find((s) => s.source === 'semanticscholar')!;
    assert.equal(s2Report.failures.length, 1);
    assert.match(s2Report.failures[0], /not valid JSON/);
    assert.ok(res.count > 0);
    assert.ok(!fs.existsSync(path.join(review, 'retrieve', 'semanticscholar-0.json')));
  });
});
