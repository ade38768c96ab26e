import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createPaperSource, dedupePapers, inDateRange, normalizeTitle, type Paper } from '../src/papers';
import { fixture, startRecordedServer, type RecordedServer } from './fixtures/papers/recorded-server';

const servers: RecordedServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function fetchAll(): Promise<Paper[]> {
  const found: Paper[] = [];
  for (const [name, file] of [
    ['arxiv', 'arxiv-query.xml'],
    ['semanticscholar', 'semanticscholar-search.json'],
    ['openalex', 'openalex-works.json'],
  ]) {
    const server = await startRecordedServer([{ body: fixture(file) }]);
    servers.push(server);
    const source = createPaperSource(name, { baseUrl: server.baseUrl, minIntervalMs: 0 });
    found.push(...(await source.search({ query: 'llm agents', limit: 50 })));
  }
  return found;
}

const paper = (p: Partial<Paper> & Pick<Paper, 'title'>): Paper => ({
  key: '',
  authors: [],
  published: '2024-01-01',
  abstract: '',
  url: '',
  sources: ['local'],
  ...p,
});

void describe('dedupePapers', () => {
  void it('merges the same arXiv paper from arXiv, Semantic Scholar and OpenAlex into one', async () => {
    const all = await fetchAll();
    const merged = dedupePapers(all);
    const ids = new Set(all.map((p) => p.arxivId));
    assert.equal(merged.length, ids.size, 'one paper per arXiv id');

    const failure = merged.filter((p) => p.arxivId === '2402.11651');
    assert.equal(failure.length, 1);
    assert.deepEqual(failure[0].sources, ['arxiv', 'semanticscholar', 'openalex']);
    assert.equal(failure[0].citationCount, 57, 'the highest count wins');
    assert.equal(failure[0].key, 'arxiv:2402.11651');
    const refs = failure[0].references ?? [];
    assert.ok(refs.some((r) => r.startsWith('s2:')) && refs.some((r) => r.startsWith('openalex:')));
    assert.equal(new Set(refs).size, refs.length);
  });

  void it('keeps the journal DOI and the first-submission date of a paper also on arXiv', async () => {
    const merged = dedupePapers(await fetchAll());
    const planner = merged.find((p) => p.arxivId === '2212.04088')!;
    assert.deepEqual(planner.sources, ['arxiv', 'semanticscholar', 'openalex']);
    assert.equal(planner.doi, '10.1109/iccv51070.2023.00280');
    assert.equal(planner.published, '2022-12-08');
  });

  void it('matches arXiv ids regardless of version and DOIs regardless of case', () => {
    const merged = dedupePapers([
      paper({ title: 'A', arxivId: '2402.11651v2', sources: ['arxiv'] }),
      paper({ title: 'A different rendering', arxivId: '2402.11651', sources: ['semanticscholar'] }),
      paper({ title: 'B', doi: '10.1145/ABC.123', sources: ['openalex'], citationCount: 3 }),
      paper({
        title: 'B again',
        doi: 'https://doi.org/10.1145/abc.123',
        sources: ['semanticscholar'],
        citationCount: 9,
      }),
    ]);
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0].sources, ['arxiv', 'semanticscholar']);
    assert.equal(merged[0].arxivId, '2402.11651');
    assert.equal(merged[1].key, 'doi:10.1145/abc.123');
    assert.equal(merged[1].citationCount, 9);
  });

  void it('treats an arXiv DOI as the arXiv id', () => {
    const merged = dedupePapers([
      paper({ title: 'X', arxivId: '2306.05212', sources: ['arxiv'] }),
      paper({ title: 'X', doi: '10.48550/arXiv.2306.05212', sources: ['openalex'] }),
    ]);
    assert.equal(merged.length, 1);
    assert.deepEqual(merged[0].sources, ['arxiv', 'openalex']);
  });

  void it('merges by normalised title when ids are missing, but never two different arXiv ids', () => {
    const merged = dedupePapers([
      paper({ title: 'ReAct: Synergizing Reasoning and Acting in Language Models', arxivId: '2210.03629' }),
      paper({ title: 'REACT — synergizing reasoning & acting in language models', sources: ['openalex'] }),
      paper({ title: 'ReAct: Synergizing Reasoning and Acting in Language Models', arxivId: '2999.00001' }),
    ]);
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0].sources, ['local', 'openalex']);
    assert.equal(merged[1].arxivId, '2999.00001');
  });

  void it('keeps the fullest abstract and author list', () => {
    const [m] = dedupePapers([
      paper({ title: 'T', arxivId: '2401.00001', abstract: 'Short.', authors: ['A'] }),
      paper({ title: 'T', arxivId: '2401.00001', abstract: 'A much longer abstract.', authors: ['A', 'B'] }),
    ]);
    assert.equal(m.abstract, 'A much longer abstract.');
    assert.deepEqual(m.authors, ['A', 'B']);
  });
});

void describe('normalizeTitle', () => {
  void it('ignores case, accents, punctuation and spacing', () => {
    assert.equal(normalizeTitle('  Café-Agents:  A  Survey! '), 'cafe agents a survey');
    assert.equal(normalizeTitle('LLM\nAgents'), normalizeTitle('llm agents'));
  });
});

void describe('inDateRange', () => {
  void it('includes both ends of the range', () => {
    assert.ok(inDateRange({ published: '2024-01-01' }, '2024-01-01', '2024-12-31'));
    assert.ok(inDateRange({ published: '2024-12-31T23:59:00Z' }, '2024-01-01', '2024-12-31'));
    assert.ok(!inDateRange({ published: '2023-12-31' }, '2024-01-01', '2024-12-31'));
    assert.ok(!inDateRange({ published: '2025-01-01' }, '2024-01-01'.slice(0, 10), '2024-12-31'));
  });

  void it('counts a year-only date when the year overlaps the range', () => {
    assert.ok(inDateRange({ published: '2024' }, '2024-06-01', '2025-06-30'));
    assert.ok(!inDateRange({ published: '2023' }, '2024-06-01'));
  });

  void it('accepts any date without a range and no undated paper with one', () => {
    assert.ok(inDateRange({ published: '' }));
    assert.ok(!inDateRange({ published: '' }, '2024-01-01'));
  });
});
