import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { createPaperSource, PaperSourceError } from '../src/papers';

const fixtures = path.join(__dirname, 'fixtures/papers');
const sharedData = path.resolve(__dirname, '..', 'corpus', 'arxiv-agentic-papers.jsonl');
const tempDir = () => fs.mkdtempSync(os.tmpdir() + '/fw-');

const nonRetryable = (pattern: RegExp) => (err: unknown) =>
  err instanceof PaperSourceError && err.source === 'local' && !err.retryable && pattern.test(err.message);

void describe('local corpus source (JSONL)', () => {
  const source = createPaperSource('local', { corpusPath: path.join(fixtures, 'corpus.jsonl') });

  void it('ranks the paper whose title matches the query first', async () => {
    const papers = await source.search({ query: 'negative examples for fine-tuning agents' });
    assert.equal(papers[0].arxivId, '2402.11651');
    assert.equal(
      papers[0].title,
      'Learning From Failure: Integrating Negative Examples when Fine-tuning Large Language Models as Agents',
    );
    assert.deepEqual(papers[0].authors, [
      'Renxi Wang',
      'Haonan Li',
      'Xudong Han',
      'Yixuan Zhang',
      'Timothy Baldwin',
    ]);
    assert.equal(papers[0].published, '2024-02-18');
    assert.equal(papers[0].url, 'https://arxiv.org/abs/2402.11651v2');
    assert.deepEqual(papers[0].sources, ['local']);
    assert.match(papers[0].abstract, /^Large language models \(LLMs\) have achieved success/);
  });

  void it('ranks a title match above an abstract match', async () => {
    const file = path.join(tempDir(), 'corpus.jsonl');
    const rows = [
      {
        title: 'Planning with language models',
        abstract: 'We add episodic memory to a planner.',
        published: '2025-01-01',
      },
      { title: 'Episodic memory for agents', abstract: 'A study of recall.', published: '2024-01-01' },
      { title: 'Unrelated work', abstract: 'Nothing in common.', published: '2024-06-01' },
    ];
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    const papers = await createPaperSource('local', { corpusPath: file }).search({
      query: 'episodic memory',
    });
    assert.deepEqual(
      papers.map((p) => p.title),
      ['Episodic memory for agents', 'Planning with language models'],
    );
  });

  void it('returns only papers that share a term with the query', async () => {
    const papers = await source.search({ query: 'queens' });
    assert.deepEqual(
      papers.map((p) => p.arxivId),
      ['cs/0205016'],
    );
  });

  void it('applies the date range and the limit', async () => {
    const all = await source.search({ query: 'agents', limit: 100 });
    const ranged = await source.search({ query: 'agents', from: '2024-01-01', to: '2025-06-30', limit: 100 });
    assert.ok(ranged.length > 0 && ranged.length < all.length);
    assert.ok(ranged.every((p) => p.published >= '2024-01-01' && p.published <= '2025-06-30'));
    assert.equal((await source.search({ query: 'agents', limit: 2 })).length, 2);
  });

  void it('fails clearly on a missing corpus file', async () => {
    const missing = createPaperSource('local', { corpusPath: path.join(tempDir(), 'nope.jsonl') });
    await assert.rejects(
      missing.search({ query: 'agents' }),
      nonRetryable(/corpus file not found: .*nope\.jsonl/),
    );
  });

  void it('names the line of a corpus record that is not JSON or has no title', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"title": "Fine", "authors": []}\n{"title": "Broken",\n');
    await assert.rejects(
      createPaperSource('local', { corpusPath: bad }).search({ query: 'x' }),
      nonRetryable(/bad\.jsonl line 2: not valid JSON/),
    );
    fs.writeFileSync(bad, '{"title": "Fine"}\n\n{"authors": ["A"]}\n');
    await assert.rejects(
      createPaperSource('local', { corpusPath: bad }).search({ query: 'x' }),
      nonRetryable(/bad\.jsonl line 3: title:/),
    );
  });

  void it('reads the file again after it changes', async () => {
    const file = path.join(tempDir(), 'corpus.jsonl');
    fs.writeFileSync(file, JSON.stringify({ title: 'Planning agents', published: '2024-01-01' }) + '\n');
    const local = createPaperSource('local', { corpusPath: file });
    assert.equal((await local.search({ query: 'memory' })).length, 0);
    fs.appendFileSync(file, JSON.stringify({ title: 'Memory for agents', published: '2024-02-01' }) + '\n');
    assert.deepEqual(
      (await local.search({ query: 'memory' })).map((p) => p.title),
      ['Memory for agents'],
    );
  });

  void it('finds the communication survey in the 300-paper shared data set', async () => {
    const shared = createPaperSource('local', { corpusPath: sharedData });
    const papers = await shared.search({
      query: 'multi-agent deep reinforcement learning with communication',
      limit: 3,
    });
    assert.equal(papers[0].arxivId, '2203.08975');
    assert.equal(papers.length, 3);
  });
});

void describe('local corpus source (CSV)', () => {
  const source = createPaperSource('local', { corpusPath: path.join(fixtures, 'corpus.csv') });

  void it('reads semicolon-separated authors and quoted fields with commas, quotes and line breaks', async () => {
    const [p] = await source.search({ query: 'reflection in small agents' });
    assert.equal(p.title, 'Tool Use, Memory, and "Reflection" in Small Agents');
    assert.deepEqual(p.authors, ['Ada Example', 'Bo Sample']);
    assert.equal(p.published, '2025-03-14');
    assert.equal(p.doi, '10.1234/example.2025.001');
    assert.equal(p.key, 'doi:10.1234/example.2025.001');
    assert.equal(
      p.abstract,
      'We study how small language-model agents use tools and memory. A second line of the abstract, with a comma.',
    );
    assert.equal(p.url, 'https://doi.org/10.1234/example.2025.001');
  });

  void it('reads arXiv ids and non-ASCII author names', async () => {
    const papers = await source.search({ query: 'agent communication protocols' });
    assert.equal(papers[0].arxivId, '2401.16216');
    assert.equal(papers[0].key, 'arxiv:2401.16216');
    assert.deepEqual(papers[0].authors, [
      'Idoia Berges',
      'Jesús Bermúdez',
      'Alfredo Goñi',
      'Arantza Illarramendi',
    ]);
  });

  void it('refuses a CSV without a title column', async () => {
    const file = path.join(tempDir(), 'papers.csv');
    fs.writeFileSync(file, 'name,authors\nX,Y\n');
    await assert.rejects(
      createPaperSource('local', { corpusPath: file }).search({ query: 'x' }),
      nonRetryable(/papers\.csv: the header has no 'title' column/),
    );
  });

  void it('names a CSV row with the wrong number of fields', async () => {
    const file = path.join(tempDir(), 'papers.csv');
    fs.writeFileSync(file, 'title,authors,published\nGood,A,2024-01-01\nBad,B\n');
    await assert.rejects(
      createPaperSource('local', { corpusPath: file }).search({ query: 'x' }),
      nonRetryable(/papers\.csv row 3: 2 fields where the header has 3/),
    );
  });
});

void describe('createPaperSource', () => {
  void it('refuses an unknown source name and a local source without a corpus', () => {
    assert.throws(
      () => createPaperSource('scholar', {}),
      /unknown paper source; expected one of arxiv, semanticscholar/,
    );
    assert.throws(() => createPaperSource('local', {}), nonRetryable(/no corpus file given/));
  });
});
