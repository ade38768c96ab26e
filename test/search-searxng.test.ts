import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createSearchProvider, SearchError, SearxngSearchProvider } from '../src/search';

const FIXTURE = fs.readFileSync(path.join(__dirname, 'fixtures', 'search', 'searxng-response.json'), 'utf8');

// A stand-in SearXNG: the path prefix picks the behaviour, every request is remembered.
const requests: URL[] = [];
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  requests.push(url);
  const mode = url.pathname.split('/')[1];
  const send = (status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  if (mode === 'ok') return send(200, FIXTURE);
  if (mode === 'busy') return send(429, 'Too Many Requests', 'text/plain');
  if (mode === 'down') return send(502, '<html>Bad Gateway</html>', 'text/html');
  if (mode === 'nojson') return send(403, 'Forbidden', 'text/plain');
  if (mode === 'gone') return send(404, 'Not Found', 'text/plain');
  if (mode === 'garbage') return send(200, '{"results": [ {"url": "https://a.example", "title": "cut off');
  if (mode === 'html') return send(200, '<!DOCTYPE html><html><body>results</body></html>', 'text/html');
  if (mode === 'slow') return setTimeout(() => send(200, FIXTURE), 3000).unref();
  send(500, 'unknown mode');
});
let base = '';

void before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
void after(() => {
  server.closeAllConnections();
  server.close();
});

const provider = (mode: string, timeoutMs?: number) =>
  new SearxngSearchProvider({ baseUrl: `${base}/${mode}`, timeoutMs });

async function expectSearchError(p: Promise<unknown>, retryable: boolean, message: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof SearchError, String(err));
    assert.equal(err.retryable, retryable, err.message);
    assert.match(err.message, message);
    return true;
  });
}

void test('maps SearXNG JSON results, dropping duplicates and entries without a URL', async () => {
  const results = await createSearchProvider({
    provider: 'searxng',
    corpusDir: '/unused',
    searxngUrl: `${base}/ok`,
  }).search('durable execution llm agents');
  assert.deepEqual(
    results.map((r) => r.url),
    [
      'https://temporal.io/blog/durable-execution-meets-ai',
      'https://arxiv.org/abs/2308.11432',
      'https://github.com/temporalio/samples-typescript',
    ],
  );
  const [first, , third] = results;
  assert.equal(first.id, first.url);
  assert.equal(
    first.title,
    'Durable Execution meets AI: why Temporal is the perfect foundation for AI agents',
  );
  assert.match(first.snippet, /^Agents run for minutes or hours/);
  assert.equal(first.text, first.snippet);
  assert.equal(first.score, 7.5);
  assert.equal(first.source, 'searxng');
  assert.equal(third.snippet, '');
});

void test('sends q and format=json to <base>/search, keeping a path prefix', async () => {
  requests.length = 0;
  await provider('ok').search('agents & tools', { limit: 1 });
  assert.equal(requests.length, 1);
  assert.equal(requests[0].pathname, '/ok/search');
  assert.equal(requests[0].searchParams.get('q'), 'agents & tools');
  assert.equal(requests[0].searchParams.get('format'), 'json');
});

void test('honours the limit', async () => {
  assert.equal((await provider('ok').search('x', { limit: 2 })).length, 2);
});

void test('HTTP 429 and 5xx are retryable errors', async () => {
  await expectSearchError(provider('busy').search('x'), true, /HTTP 429/);
  await expectSearchError(provider('down').search('x'), true, /HTTP 502/);
});

void test('HTTP 403 is not retryable and says how to enable the json format', async () => {
  await expectSearchError(provider('nojson').search('x'), false, /HTTP 403.*json/);
});

void test('other 4xx answers are not retryable', async () => {
  await expectSearchError(provider('gone').search('x'), false, /HTTP 404/);
});

void test('malformed JSON and an HTML page are non-retryable errors', async () => {
  await expectSearchError(provider('garbage').search('x'), false, /not SearXNG JSON/);
  await expectSearchError(provider('html').search('x'), false, /not SearXNG JSON/);
});

void test('a server that does not answer in time is a retryable timeout', async () => {
  const t0 = Date.now();
  await expectSearchError(provider('slow', 300).search('x'), true, /did not answer within 300 ms/);
  assert.ok(Date.now() - t0 < 2500);
});

void test('aborting the caller signal rejects with the abort reason, not a SearchError', async () => {
  const ac = new AbortController();
  const pending = provider('slow').search('x', { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(
    pending,
    (err: unknown) => !(err instanceof SearchError) && (err as Error).name === 'AbortError',
  );
});

void test('an unreachable instance is a retryable error naming it', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const p = new SearxngSearchProvider({ baseUrl: `http://127.0.0.1:${port}` }).search('x');
  await expectSearchError(
    p,
    true,
    new RegExp(`cannot reach SearXNG at http://127.0.0.1:${port}/ \\(ECONNREFUSED\\)`),
  );
});

void test('the searxng provider without a URL is a non-retryable configuration error', () => {
  assert.throws(
    () => createSearchProvider({ provider: 'searxng', corpusDir: '/unused' }),
    (err: unknown) => err instanceof SearchError && !err.retryable && /SEARXNG_URL/.test(err.message),
  );
});
