import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createSearchProvider, LocalSearchProvider, SearchError } from '../src/search';

interface Paper {
  arxiv_id: string;
  title: string;
  abstract: string;
  abs_url: string;
}

// The arXiv sample: the repo's copy when there is one, else shared/ beside the repo.
const PAPERS = [
  path.resolve(__dirname, '..', 'corpus', 'arxiv-agentic-papers.jsonl'),
  path.resolve(__dirname, '..', '..', 'shared', 'data', 'arxiv-agentic-papers.jsonl'),
].find((p) => fs.existsSync(p)) as string;
const lines = fs
  .readFileSync(PAPERS, 'utf8')
  .split('\n')
  .filter((l) => l.trim());
const sample = lines.slice(0, 50);
const papers = sample.map((l) => JSON.parse(l) as Paper);

/** A corpus folder: 50 papers in a jsonl (with a torn last line), two markdown notes and a text file. */
function makeCorpus(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-'));
  fs.mkdirSync(path.join(dir, 'papers'));
  fs.mkdirSync(path.join(dir, 'notes', 'deep'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'papers', 'arxiv.jsonl'),
    `${sample.join('\n')}\nnot json\n{"title": "torn`,
  );
  fs.writeFileSync(
    path.join(dir, 'notes', 'temporal.md'),
    '# Durable workflows with Temporal\n\nTemporal replays workflow history so that a crashed worker resumes ' +
      'exactly where it stopped. Activities are retried with backoff.\n',
  );
  fs.writeFileSync(
    path.join(dir, 'notes', 'deep', 'pandas.md'),
    '# Reading JSONL with pandas\n\nUse pandas.read_json(path, lines=True) to load runs.jsonl into a DataFrame.\n',
  );
  fs.writeFileSync(
    path.join(dir, 'notes', 'sourdough.txt'),
    'Sourdough baking notes\nFeed the starter twice a day.\n',
  );
  fs.writeFileSync(path.join(dir, 'notes', 'ignored.pdf'), 'not indexed');
  return dir;
}

void test('ranks the paper whose title is the query first, for several papers of the corpus', async () => {
  const provider = new LocalSearchProvider(makeCorpus());
  for (const idx of [0, 7, 19, 33, 49]) {
    const p = papers[idx];
    const results = await provider.search(p.title, { limit: 5 });
    assert.ok(results.length > 0);
    assert.equal(results[0].id, p.arxiv_id, `query ${JSON.stringify(p.title)} → ${results[0].title}`);
    assert.equal(results[0].url, p.abs_url);
    assert.equal(results[0].title, p.title);
    assert.equal(results[0].text, p.abstract);
    assert.equal(results[0].source, 'local');
    assert.ok(results[0].score > 0);
    assert.ok(results[0].snippet.length > 0 && results[0].snippet.length <= 245);
    for (let i = 1; i < results.length; i++) assert.ok(results[i - 1].score >= results[i].score);
  }
});

void test('finds markdown and text documents in subfolders, titled by their first heading or line', async () => {
  const dir = makeCorpus();
  const provider = new LocalSearchProvider(dir);
  const [top] = await provider.search('crashed worker resumes workflow history');
  assert.equal(top.title, 'Durable workflows with Temporal');
  assert.equal(top.id, 'notes/temporal.md');
  assert.ok(top.url.startsWith('file://') && top.url.endsWith('/notes/temporal.md'));
  assert.match(top.snippet, /crashed worker/);

  const [deep] = await provider.search('pandas read_json DataFrame');
  assert.equal(deep.id, 'notes/deep/pandas.md');

  const [txt] = await provider.search('sourdough starter');
  assert.equal(txt.title, 'Sourdough baking notes');
  assert.equal((await provider.search('indexed')).length, 0, 'a .pdf file is not a document');
});

void test('respects the limit and returns nothing for a query without known terms', async () => {
  const provider = new LocalSearchProvider(makeCorpus());
  assert.equal((await provider.search('language model agents', { limit: 3 })).length, 3);
  assert.deepEqual(await provider.search('zzqxv qqqzx'), []);
});

void test('rebuilds the index when a file is added or changed', async () => {
  const dir = makeCorpus();
  const provider = new LocalSearchProvider(dir);
  assert.deepEqual(await provider.search('xylophone'), []);
  fs.writeFileSync(
    path.join(dir, 'notes', 'music.md'),
    '# Instruments\n\nThe xylophone is a percussion instrument.\n',
  );
  const [hit] = await provider.search('xylophone');
  assert.equal(hit?.id, 'notes/music.md');

  const file = path.join(dir, 'notes', 'music.md');
  fs.writeFileSync(file, '# Instruments\n\nThe marimbaphone is a percussion instrument.\n');
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
  assert.deepEqual(await provider.search('xylophone'), []);
  assert.equal((await provider.search('marimbaphone'))[0]?.id, 'notes/music.md');
});

void test('a missing folder is a non-retryable SearchError that names the folder and how to fill it', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-')), 'corpus');
  const provider = createSearchProvider({ provider: 'local', corpusDir: dir });
  await assert.rejects(provider.search('agents'), (err: unknown) => {
    assert.ok(err instanceof SearchError);
    assert.equal(err.retryable, false);
    assert.ok(err.message.includes(dir), err.message);
    assert.match(err.message, /does not exist/);
    assert.match(err.message, /\.jsonl/);
    return true;
  });
});

void test('a folder with no documents is a non-retryable SearchError', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-'));
  fs.writeFileSync(path.join(dir, 'image.png'), 'x');
  await assert.rejects(new LocalSearchProvider(dir).search('agents'), (err: unknown) => {
    assert.ok(err instanceof SearchError && !err.retryable);
    assert.match(err.message, /has no documents/);
    return true;
  });
});

void test('an aborted signal stops the search before it starts', async () => {
  const provider = new LocalSearchProvider(makeCorpus());
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(provider.search('agents', { signal: ac.signal }), { name: 'AbortError' });
});

void test('jsonl lines use id, url, text and content as fallbacks, and a line without them gets a file URL', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-'));
  fs.writeFileSync(
    path.join(dir, 'docs.jsonl'),
    [
      JSON.stringify({
        id: 'doc-1',
        title: 'Gradient checkpointing',
        text: 'Trade compute for memory.',
        url: 'https://e.org/1',
      }),
      JSON.stringify({ title: 'Quantization notes', content: 'Int4 weights shrink models.' }),
      JSON.stringify([1, 2, 3]),
    ].join('\n'),
  );
  const provider = createSearchProvider({ provider: 'local', corpusDir: dir });
  const [a] = await provider.search('gradient checkpointing');
  assert.deepEqual([a.id, a.url, a.text], ['doc-1', 'https://e.org/1', 'Trade compute for memory.']);
  const [b] = await provider.search('quantization int4');
  assert.equal(b.id, 'docs.jsonl#L2');
  assert.match(b.url, /^file:\/\/.*docs\.jsonl#L2$/);
  assert.equal(b.text, 'Int4 weights shrink models.');
});
