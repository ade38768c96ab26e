import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPaperSource, PaperSourceError } from '../src/papers';
import { arxivSearchQuery, parseArxivFeed } from '../src/papers/arxiv';
import { fixture, startRecordedServer, type RecordedServer } from './fixtures/papers/recorded-server';

interface Row {
  arxiv_id: string;
  title: string;
  authors: string[];
  published: string;
  abstract: string;
}
const rows: Row[] = fixture('corpus.jsonl')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);
const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

const servers: RecordedServer[] = [];
async function serve(...replies: Parameters<typeof startRecordedServer>[0]) {
  const s = await startRecordedServer(replies);
  servers.push(s);
  return s;
}
after(() => Promise.all(servers.map((s) => s.close())));

const atom = {
  status: 200,
  headers: { 'content-type': 'application/atom+xml' },
  body: fixture('arxiv-query.xml'),
};

void describe('arXiv source', () => {
  void it('parses every recorded entry into a paper with its title, authors, date, id and abstract', async () => {
    const server = await serve(atom);
    const papers = await createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 }).search({
      query: 'llm agents',
      limit: 10,
    });
    assert.equal(papers.length, rows.length);
    for (const row of rows) {
      const p = papers.find((x) => x.arxivId === row.arxiv_id);
      assert.ok(p, `paper ${row.arxiv_id} is missing`);
      assert.equal(p.title, clean(row.title));
      assert.deepEqual(p.authors, row.authors);
      assert.equal(p.published, row.published.slice(0, 10));
      assert.equal(p.abstract, clean(row.abstract));
      assert.equal(p.key, `arxiv:${row.arxiv_id}`);
      assert.deepEqual(p.sources, ['arxiv']);
      assert.match(p.url, /^https:\/\/arxiv\.org\/abs\//);
    }
  });

  void it('keeps old-style ids, strips versions and reads the DOI and journal reference', () => {
    const papers = parseArxivFeed(fixture('arxiv-query.xml'));
    assert.ok(papers.some((p) => p.arxivId === 'cs/0205016'));
    const planner = papers.find((p) => p.arxivId === '2212.04088');
    assert.equal(planner?.doi, '10.1109/iccv51070.2023.00280');
    assert.equal(planner?.venue, 'ICCV 2023');
    assert.equal(planner?.url, 'https://arxiv.org/abs/2212.04088v3');
  });

  void it('sends the date range in the query and drops entries outside it', async () => {
    const server = await serve(atom);
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 });
    const papers = await source.search({
      query: 'llm agents',
      from: '2024-01-01',
      to: '2025-06-30',
      limit: 10,
    });

    const req = server.requests[0];
    assert.equal(req.path, '/api/query');
    assert.equal(
      req.params.get('search_query'),
      '(all:llm AND all:agents) AND submittedDate:[202401010000 TO 202506302359]',
    );
    assert.equal(req.params.get('max_results'), '10');
    assert.equal(req.params.get('sortBy'), 'submittedDate');
    const expected = rows
      .filter((r) => r.published.slice(0, 10) >= '2024-01-01' && r.published.slice(0, 10) <= '2025-06-30')
      .map((r) => r.arxiv_id)
      .sort();
    assert.ok(expected.length > 0 && expected.length < rows.length);
    assert.deepEqual(papers.map((p) => p.arxivId).sort(), expected);
  });

  void it('passes a query already written in arXiv syntax through unchanged', () => {
    assert.equal(arxivSearchQuery({ query: 'ti:agent AND cat:cs.AI' }), 'ti:agent AND cat:cs.AI');
    assert.equal(arxivSearchQuery({ query: '"tool use" agents' }), '(all:"tool use" AND all:agents)');
  });

  void it('waits the minimum interval between two calls to the API', async () => {
    const server = await serve(atom);
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 400 });
    await source.search({ query: 'agents' });
    await source.search({ query: 'agents' });
    assert.equal(server.requests.length, 2);
    const gap = server.requests[1].at - server.requests[0].at;
    assert.ok(gap >= 390, `second call came ${gap} ms after the first`);
  });

  void it('returns an empty list only when the feed really has no entries', async () => {
    const server = await serve({ body: fixture('arxiv-empty.xml') });
    const papers = await createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 }).search({
      query: 'zzzxqq',
    });
    assert.deepEqual(papers, []);
  });

  void it('fails without retrying on a truncated XML body', async () => {
    const server = await serve({ body: fixture('arxiv-truncated.xml') });
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 });
    await assert.rejects(source.search({ query: 'agents' }), (err: unknown) => {
      assert.ok(err instanceof PaperSourceError);
      assert.equal(err.retryable, false);
      assert.equal(err.source, 'arxiv');
      assert.match(err.message, /not valid XML/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  void it('fails on a body that is XML but not an Atom feed', async () => {
    const server = await serve({ body: '<?xml version="1.0"?><html><body>Service moved</body></html>' });
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 });
    await assert.rejects(source.search({ query: 'agents' }), /arxiv: malformed response: no Atom <feed>/);
  });

  void it("reports the API's error entry as a non-retryable failure", async () => {
    const server = await serve({ body: fixture('arxiv-error.xml') });
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 });
    await assert.rejects(
      source.search({ query: 'agents' }),
      (err: unknown) =>
        err instanceof PaperSourceError &&
        !err.retryable &&
        /incorrect id format for 1234\.12345/.test(err.message),
    );
  });

  void it('retries a 503 and then succeeds', async () => {
    const server = await serve({ status: 503, body: 'busy' }, atom);
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0, retryBaseMs: 20 });
    const papers = await source.search({ query: 'agents' });
    assert.equal(papers.length, rows.length);
    assert.equal(server.requests.length, 2);
  });

  void it('rejects a malformed date before calling the API', async () => {
    const server = await serve(atom);
    const source = createPaperSource('arxiv', { baseUrl: server.baseUrl, minIntervalMs: 0 });
    await assert.rejects(
      source.search({ query: 'agents', from: '2024/01/01' }),
      /'from' must be a date like/,
    );
    assert.equal(server.requests.length, 0);
  });
});
