import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseCsv } from './csv';
import { inDateRange } from './date-range';
import { arxivIdFromDoi, cleanText, normalizeArxivId, normalizeDoi, paperKey } from './normalize';
import { checkQuery } from './query';
import {
  PaperSourceError,
  type Paper,
  type PaperQuery,
  type PaperSource,
  type PaperSourceConfig,
} from './types';

const SOURCE = 'local';
const TITLE_WEIGHT = 3;

const STOPWORDS = new Set(
  'a an and are as at be by for from how in into is it of on or over the their this to under using via what when with without'.split(
    ' ',
  ),
);

/** Lowercased word stems (a trailing plural 's' dropped) without stopwords. */
export function terms(text: string): string[] {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w))
    .map((w) => (w.length > 3 && /[^su]s$/.test(w) ? w.slice(0, -1) : w));
}

// One corpus row: the shared JSONL format, or the same fields from a CSV header.
const Row = z.object({
  title: z.string().trim().min(1, 'title is empty'),
  authors: z.union([z.array(z.string()), z.string()]).nullish(),
  published: z
    .string()
    .trim()
    .regex(/^(\d{4}(-\d{2}(-\d{2})?)?([T ].*)?)?$/, 'published must be an ISO date')
    .nullish(),
  abstract: z.string().nullish(),
  arxiv_id: z.string().nullish(),
  doi: z.string().nullish(),
  abs_url: z.string().nullish(),
  url: z.string().nullish(),
  venue: z.string().nullish(),
});

function rowToPaper(row: z.output<typeof Row>): Paper {
  const doi = normalizeDoi(row.doi);
  const arxivId = normalizeArxivId(row.arxiv_id) ?? arxivIdFromDoi(doi);
  const authors = Array.isArray(row.authors) ? row.authors : (row.authors ?? '').split(';');
  const published = (row.published ?? '').trim();
  const paper: Paper = {
    key: '',
    title: cleanText(row.title),
    authors: authors.map(cleanText).filter(Boolean),
    published: /^\d{4}-\d{2}-\d{2}/.test(published) ? published.slice(0, 10) : published.slice(0, 7),
    abstract: cleanText(row.abstract ?? ''),
    url:
      row.abs_url ||
      row.url ||
      (arxivId ? `https://arxiv.org/abs/${arxivId}` : doi ? `https://doi.org/${doi}` : ''),
    sources: [SOURCE],
  };
  if (arxivId) paper.arxivId = arxivId;
  if (doi) paper.doi = doi;
  if (row.venue) paper.venue = cleanText(row.venue);
  paper.key = paperKey(paper);
  return paper;
}

function toPaper(file: string, where: string, data: unknown): Paper {
  const r = Row.safeParse(data);
  if (r.success) return rowToPaper(r.data);
  const issue = r.error.issues[0];
  const field = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw new PaperSourceError(SOURCE, `${file} ${where}: ${field}${issue.message}`, { retryable: false });
}

function readJsonl(file: string, text: string): Paper[] {
  const papers: Paper[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      throw new PaperSourceError(SOURCE, `${file} line ${i + 1}: not valid JSON`, { retryable: false });
    }
    papers.push(toPaper(file, `line ${i + 1}`, data));
  });
  return papers;
}

function readCsv(file: string, text: string): Paper[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (err) {
    throw new PaperSourceError(SOURCE, `${file}: not valid CSV (${(err as Error).message})`, {
      retryable: false,
    });
  }
  if (!rows.length) return [];
  const header = rows[0].map((h) => h.trim().toLowerCase());
  if (!header.includes('title')) {
    throw new PaperSourceError(SOURCE, `${file}: the header has no 'title' column`, { retryable: false });
  }
  return rows.slice(1).map((fields, i) => {
    if (fields.length !== header.length) {
      throw new PaperSourceError(
        SOURCE,
        `${file} row ${i + 2}: ${fields.length} fields where the header has ${header.length}`,
        { retryable: false },
      );
    }
    const record: Record<string, string> = {};
    header.forEach((h, j) => (record[h] = fields[j]));
    return toPaper(file, `row ${i + 2}`, record);
  });
}

interface Indexed {
  paper: Paper;
  title: Set<string>;
  abstract: Set<string>;
}

/**
 * Searches a JSONL or CSV corpus file (the offline default). Ranking is term overlap weighted by rarity,
 * a title match counting three times an abstract match; a query of stopwords only returns every paper in
 * the range, newest first. The file is re-read when it changes.
 */
export class LocalSource implements PaperSource {
  readonly name = SOURCE;
  private readonly corpusPath: string;
  private cache?: { stamp: string; docs: Indexed[]; df: Map<string, number> };

  constructor(cfg: PaperSourceConfig = {}) {
    if (!cfg.corpusPath) {
      throw new PaperSourceError(SOURCE, 'no corpus file given (corpusPath)', { retryable: false });
    }
    this.corpusPath = cfg.corpusPath;
  }

  private async load(): Promise<NonNullable<LocalSource['cache']>> {
    const file = this.corpusPath;
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      throw new PaperSourceError(SOURCE, `corpus file not found: ${file}`, { retryable: false });
    }
    const stamp = `${stat.mtimeMs}:${stat.size}`;
    if (this.cache?.stamp === stamp) return this.cache;

    const text = await fs.readFile(file, 'utf8');
    const name = path.basename(file);
    const isCsv =
      /\.csv$/i.test(file) || (!/\.(jsonl|ndjson|json)$/i.test(file) && !text.trimStart().startsWith('{'));
    const papers = isCsv ? readCsv(name, text) : readJsonl(name, text);
    const docs = papers.map((paper) => ({
      paper,
      title: new Set(terms(paper.title)),
      abstract: new Set(terms(paper.abstract)),
    }));
    const df = new Map<string, number>();
    for (const d of docs)
      for (const t of new Set([...d.title, ...d.abstract])) df.set(t, (df.get(t) ?? 0) + 1);
    this.cache = { stamp, docs, df };
    return this.cache;
  }

  async search(q: PaperQuery, opts: { signal?: AbortSignal } = {}): Promise<Paper[]> {
    const query = checkQuery(SOURCE, q, Number.MAX_SAFE_INTEGER);
    const { docs, df } = await this.load();
    opts.signal?.throwIfAborted();
    const wanted = [...new Set(terms(query.query))];
    const weight = new Map(wanted.map((t) => [t, Math.log(1 + docs.length / (df.get(t) ?? 1))]));

    const scored = docs
      .filter((d) => inDateRange(d.paper, query.from, query.to))
      .map((d) => {
        let score = 0;
        for (const t of wanted) {
          if (d.title.has(t)) score += TITLE_WEIGHT * weight.get(t)!;
          if (d.abstract.has(t)) score += weight.get(t)!;
        }
        return { paper: d.paper, score };
      })
      .filter((s) => wanted.length === 0 || s.score > 0);
    scored.sort(
      (a, b) =>
        b.score - a.score ||
        b.paper.published.localeCompare(a.paper.published) ||
        a.paper.key.localeCompare(b.paper.key),
    );
    return scored.slice(0, query.limit).map((s) => structuredClone(s.paper));
  }
}
