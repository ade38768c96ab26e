import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPaperSource, PaperSourceError } from '../src/papers';
import { rebuildAbstract } from '../src/papers/openalex';
import {
  fixture,
  startRecordedServer,
  type RecordedServer,
  type Reply,
} from './fixtures/papers/recorded-server';

interface Row {
  arxiv_id: string;
  title: string;
  authors: string[];
  published: string;
  abstract: string;
}
const rows = new Map(
  fixture('corpus.jsonl')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
    .map((r) => [r.arxiv_id, r]),
);
const recorded = JSON.parse(fixture('openalex-works.json')) as {
  results: {
    id: string;
    title: string | null;
    publication_date: string;
    cited_by_count: number;
    referenced_works: string[];
  }[];
};
const titled = recorded.results.filter((w) => w.title);

const servers: RecordedServer[] = [];
async function serve(...replies: Reply[]) {
  const s = await startRecordedServer(replies);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

const ok: Reply = { headers: { 'content-type': 'application/json' }, body: fixture('openalex-works.json') };
const fast = { minIntervalMs: 0, retryBaseMs: 10 };

void describe('OpenAlex source', () => {
  void it('parses recorded works, rebuilding each abstract from its inverted index', async () => {
    const server = await serve(ok);
    const papers = await createPaperSource('openalex', { baseUrl: server.baseUrl, ...fast }).search({
      query: 'llm agents',
      limit: 25,
    });
    assert.equal(papers.length, titled.length, 'the untitled work is skipped');
    for (const [i, p] of papers.entries()) {
      const row = rows.get(p.arxivId ?? '');
      assert.ok(row, `no arXiv id found for ${p.title}`);
      assert.equal(p.title, row.title);
      assert.deepEqual(p.authors, row.authors);
      assert.equal(p.abstract, row.abstract.replace(/\s+/g, ' ').trim());
      assert.equal(p.citationCount, titled[i].cited_by_count);
      assert.deepEqual(
        p.references,
        titled[i].referenced_works.map((w) => `openalex:${w.replace('https://openalex.org/', '')}`),
      );
      assert.deepEqual(p.sources, ['openalex']);
    }
    const failure = papers.find((p) => p.arxivId === '2402.11651')!;
    assert.equal(failure.doi, '10.48550/arxiv.2402.11651');
    assert.equal(failure.published, '2024-02-18');
    assert.equal(failure.citationCount, 57);
    assert.equal(failure.venue, 'arXiv (Cornell University)');
    assert.equal(failure.url, 'https://arxiv.org/abs/2402.11651');
  });

  void it('finds the arXiv id in the locations of a work published under a journal DOI', async () => {
    const server = await serve(ok);
    const papers = await createPaperSource('openalex', { baseUrl: server.baseUrl, ...fast }).search({
      query: 'x',
    });
    const planner = papers.find((p) => p.doi === '10.1109/iccv51070.2023.00280');
    assert.equal(planner?.arxivId, '2212.04088');
    assert.equal(planner?.published, '2023-10-01');
    assert.equal(planner?.key, 'arxiv:2212.04088');
  });

  void it('sends the search, date filter, page size and mailto', async () => {
    const server = await serve(ok);
    const source = createPaperSource('openalex', {
      baseUrl: server.baseUrl,
      mailto: 'me@example.org',
      ...fast,
    });
    const papers = await source.search({
      query: 'tool use agents',
      from: '2024-01-01',
      to: '2025-06-30',
      limit: 20,
    });
    const req = server.requests[0];
    assert.equal(req.path, '/works');
    assert.equal(req.params.get('search'), 'tool use agents');
    assert.equal(req.params.get('filter'), 'from_publication_date:2024-01-01,to_publication_date:2025-06-30');
    assert.equal(req.params.get('per-page'), '20');
    assert.equal(req.params.get('mailto'), 'me@example.org');
    // the recorded body ignores the filter, so the client must apply it
    const expected = titled
      .filter((w) => w.publication_date >= '2024-01-01' && w.publication_date <= '2025-06-30')
      .map((w) => w.title);
    assert.ok(expected.length > 0 && expected.length < titled.length);
    assert.deepEqual(
      papers.map((p) => p.title),
      expected,
    );
  });

  void it('puts words back in position order, repeated words included', () => {
    assert.equal(
      rebuildAbstract({ agents: [1, 4], LLM: [0], plan: [2], and: [3], 'act.': [5] }),
      'LLM agents plan and agents act.',
    );
    assert.equal(rebuildAbstract(null), '');
  });

  void it('retries after a dropped connection and a 503, then succeeds', async () => {
    const server = await serve({ hangUp: true }, { status: 503, body: 'Service Unavailable' }, ok);
    const papers = await createPaperSource('openalex', { baseUrl: server.baseUrl, ...fast }).search({
      query: 'x',
    });
    assert.equal(papers.length, titled.length);
    assert.equal(server.requests.length, 3);
  });

  void it('throws a retryable error after the last retry of a failing server', async () => {
    const server = await serve({ status: 502, body: 'Bad Gateway' });
    const source = createPaperSource('openalex', { baseUrl: server.baseUrl, ...fast, maxRetries: 1 });
    await assert.rejects(
      source.search({ query: 'x' }),
      (err: unknown) => err instanceof PaperSourceError && err.retryable && err.status === 502,
    );
    assert.equal(server.requests.length, 2);
  });

  void it('fails without retrying on a response with no results array', async () => {
    const server = await serve({
      body: JSON.stringify({ meta: { count: 0 }, error: 'Invalid query parameters' }),
    });
    const source = createPaperSource('openalex', { baseUrl: server.baseUrl, ...fast });
    await assert.rejects(source.search({ query: 'x' }), (err: unknown) => {
      assert.ok(err instanceof PaperSourceError);
      assert.equal(err.retryable, false);
      assert.match(err.message, /^openalex: malformed response: results:/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  void it('fails on a truncated JSON body', async () => {
    const body = fixture('openalex-works.json');
    const server = await serve({ body: body.slice(0, body.length / 3) });
    const source = createPaperSource('openalex', { baseUrl: server.baseUrl, ...fast });
    await assert.rejects(source.search({ query: 'x' }), /openalex: response is not valid JSON/);
  });

  void it('stops waiting when the caller aborts', async () => {
    const server = await serve({ status: 503, headers: { 'retry-after': '30' } });
    const source = createPaperSource('openalex', {
      baseUrl: server.baseUrl,
      ...fast,
      maxRetryWaitMs: 60_000,
    });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(source.search({ query: 'x' }, { signal: controller.signal }), {
      name: 'AbortError',
    });
    assert.ok(Date.now() - started < 5000);
  });
});
