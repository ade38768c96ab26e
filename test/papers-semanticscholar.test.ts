import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPaperSource, PaperSourceError } from '../src/papers';
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
const recorded = JSON.parse(fixture('semanticscholar-search.json')) as {
  data: { paperId: string; externalIds: { ArXiv: string }; citationCount: number }[];
};

const servers: RecordedServer[] = [];
async function serve(...replies: Reply[]) {
  const s = await startRecordedServer(replies);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

const ok: Reply = {
  headers: { 'content-type': 'application/json' },
  body: fixture('semanticscholar-search.json'),
};
const tooMany = (retryAfter?: string): Reply => ({
  status: 429,
  headers: { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
  body: '{"message": "Too Many Requests. Please wait and try again or apply for a key for higher rate limits."}',
});
const fast = { minIntervalMs: 0, retryBaseMs: 10 };

void describe('Semantic Scholar source', () => {
  void it('parses the recorded search into papers with ids, dates, abstracts and citation counts', async () => {
    const server = await serve(ok);
    const papers = await createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast }).search({
      query: 'llm agents',
      limit: 20,
    });
    assert.equal(papers.length, recorded.data.length);
    for (const [i, p] of papers.entries()) {
      const rec = recorded.data[i];
      const row = rows.get(rec.externalIds.ArXiv)!;
      assert.equal(p.arxivId, row.arxiv_id);
      assert.equal(p.title, row.title);
      assert.deepEqual(p.authors, row.authors);
      assert.equal(p.citationCount, rec.citationCount);
      assert.equal(p.url, `https://www.semanticscholar.org/paper/${rec.paperId}`);
      assert.deepEqual(p.sources, ['semanticscholar']);
      assert.ok(
        p.references && p.references.every((r) => /^s2:[0-9a-f]{40}$/.test(r)),
        'references are S2 ids',
      );
    }
    const failure = papers.find((p) => p.arxivId === '2402.11651')!;
    assert.equal(failure.published, '2024-02-18');
    assert.equal(failure.doi, '10.48550/arxiv.2402.11651');
    assert.equal(failure.abstract, rows.get('2402.11651')!.abstract.replace(/\s+/g, ' ').trim());
    assert.equal(failure.citationCount, 41);
    // one record has only a year, one has no abstract
    assert.equal(papers.find((p) => p.arxivId === 'cs/0205016')?.published, '2002');
    assert.equal(papers.find((p) => p.arxivId === '2306.05212')?.abstract, '');
    assert.equal(papers.find((p) => p.arxivId === '2212.04088')?.doi, '10.1109/iccv51070.2023.00280');
  });

  void it('asks for the fields, limit and date range and sends the API key', async () => {
    const server = await serve(ok);
    const source = createPaperSource('semanticscholar', {
      baseUrl: server.baseUrl,
      apiKey: 'k-123',
      ...fast,
    });
    const papers = await source.search({
      query: 'multi-agent planning',
      from: '2024-01-01',
      to: '2025-06-30',
      limit: 50,
    });
    const req = server.requests[0];
    assert.equal(req.path, '/graph/v1/paper/search');
    assert.equal(req.params.get('query'), 'multi agent planning');
    assert.equal(req.params.get('limit'), '50');
    assert.equal(req.params.get('publicationDateOrYear'), '2024-01-01:2025-06-30');
    assert.match(req.params.get('fields') ?? '', /abstract,externalIds,citationCount,references\.paperId/);
    assert.equal(req.headers['x-api-key'], 'k-123');
    // the recorded body ignores the range, so the client must filter
    const expected = recorded.data
      .map((r) => rows.get(r.externalIds.ArXiv)!)
      .filter((r) => r.published >= '2024-01-01' && r.published.slice(0, 10) <= '2025-06-30')
      .map((r) => r.arxiv_id);
    assert.ok(expected.length > 0 && expected.length < recorded.data.length);
    assert.deepEqual(
      papers.map((p) => p.arxivId),
      expected,
    );
  });

  void it('waits as long as Retry-After asks after a 429 and then returns the papers', async () => {
    const server = await serve(tooMany('1'), ok);
    const source = createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast });
    const papers = await source.search({ query: 'agents' });
    assert.equal(papers.length, recorded.data.length);
    assert.equal(server.requests.length, 2);
    const waited = server.requests[1].at - server.requests[0].at;
    assert.ok(waited >= 990, `retried after ${waited} ms, Retry-After asked for 1000`);
  });

  void it('backs off exponentially on a 429 without Retry-After', async () => {
    const server = await serve(tooMany(), tooMany(), ok);
    const source = createPaperSource('semanticscholar', {
      baseUrl: server.baseUrl,
      minIntervalMs: 0,
      retryBaseMs: 100,
    });
    await source.search({ query: 'agents' });
    assert.equal(server.requests.length, 3);
    const [a, b, c] = server.requests.map((r) => r.at);
    assert.ok(b - a >= 45, `first backoff ${b - a} ms`); // 100 ms halved at most by jitter
    assert.ok(c - b >= 95, `second backoff ${c - b} ms`); // 200 ms halved at most by jitter
  });

  void it('throws a retryable error, never an empty list, when the API keeps answering 429', async () => {
    const server = await serve(tooMany('0'));
    const source = createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast, maxRetries: 2 });
    await assert.rejects(source.search({ query: 'agents' }), (err: unknown) => {
      assert.ok(err instanceof PaperSourceError);
      assert.equal(err.retryable, true);
      assert.equal(err.status, 429);
      assert.match(err.message, /rate limited.*gave up after 3 attempt/);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  void it('gives up at once, retryable, when Retry-After is longer than it may wait', async () => {
    const server = await serve(tooMany('3600'), ok);
    const source = createPaperSource('semanticscholar', {
      baseUrl: server.baseUrl,
      ...fast,
      maxRetryWaitMs: 2000,
    });
    await assert.rejects(
      source.search({ query: 'agents' }),
      (err: unknown) =>
        err instanceof PaperSourceError && err.retryable && /asks to wait 3600 s/.test(err.message),
    );
    assert.equal(server.requests.length, 1);
  });

  void it('fails without retrying when the body is not JSON', async () => {
    const server = await serve({
      headers: { 'content-type': 'text/html' },
      body: '<html>Bad gateway page</html>',
    });
    const source = createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast });
    await assert.rejects(source.search({ query: 'agents' }), (err: unknown) => {
      assert.ok(err instanceof PaperSourceError);
      assert.equal(err.retryable, false);
      assert.match(err.message, /^semanticscholar: response is not valid JSON/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  void it('fails without retrying when the JSON lacks the expected fields', async () => {
    const server = await serve({
      body: JSON.stringify({ total: 3, offset: 0, data: [{ title: 'No id here' }] }),
    });
    const source = createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast });
    await assert.rejects(
      source.search({ query: 'agents' }),
      (err: unknown) =>
        err instanceof PaperSourceError &&
        !err.retryable &&
        /malformed response: data\.0\.paperId/.test(err.message),
    );
  });

  void it('returns an empty list for a real empty result (total 0, no data)', async () => {
    const server = await serve({ body: fixture('semanticscholar-empty.json') });
    const papers = await createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast }).search({
      query: 'zzzxqq',
    });
    assert.deepEqual(papers, []);
  });

  void it('treats a 400 as a non-retryable failure with its status', async () => {
    const server = await serve({
      status: 400,
      body: '{"error": "Unrecognized or unsupported fields: [bogus]"}',
    });
    const source = createPaperSource('semanticscholar', { baseUrl: server.baseUrl, ...fast });
    await assert.rejects(
      source.search({ query: 'agents' }),
      (err: unknown) =>
        err instanceof PaperSourceError &&
        !err.retryable &&
        err.status === 400 &&
        /unsupported fields/.test(err.message),
    );
    assert.equal(server.requests.length, 1);
  });
});
