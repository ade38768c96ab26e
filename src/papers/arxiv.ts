import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { inDateRange } from './date-range';
import { getText, httpPolicy, type HttpPolicy } from './http';
import { cleanText, normalizeArxivId, normalizeDoi, paperKey } from './normalize';
import { checkQuery } from './query';
import {
  PaperSourceError,
  type Paper,
  type PaperQuery,
  type PaperSource,
  type PaperSourceConfig,
} from './types';

const SOURCE = 'arxiv';
const MAX_RESULTS = 2000; // the API's per-call maximum

const FIELD_PREFIX = /\b(ti|au|abs|co|jr|cat|rn|id|all|submittedDate):/;

/** Free text becomes `all:` terms joined by AND (quoted phrases kept); text in arXiv syntax is used as is. */
export function arxivSearchQuery(q: PaperQuery): string {
  let query = q.query.trim();
  if (!FIELD_PREFIX.test(query)) {
    const terms = query.match(/"[^"]+"|[^\s"()]+/g) ?? [];
    const words = terms.filter((t) => !/^(and|or|andnot)$/i.test(t)).map((t) => `all:${t}`);
    query = words.length > 1 ? `(${words.join(' AND ')})` : (words[0] ?? '');
  }
  if (q.from || q.to) {
    const from = (q.from ?? '1991-01-01').replace(/-/g, '');
    const to = (q.to ?? '2999-12-31').replace(/-/g, '');
    const range = `submittedDate:[${from}0000 TO ${to}2359]`;
    query = query ? `${query} AND ${range}` : range;
  }
  return query;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false, // ids like 2402.11650 must stay strings
  isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name),
});

type Node = Record<string, unknown>;

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && '#text' in v) return text((v as Node)['#text']);
  return '';
}

/** Parse an arXiv Atom feed into papers. Throws a non-retryable PaperSourceError when it is not one. */
export function parseArxivFeed(xml: string): Paper[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new PaperSourceError(
      SOURCE,
      `response is not valid XML (line ${valid.err.line}: ${valid.err.msg})`,
      {
        retryable: false,
      },
    );
  }
  const doc = parser.parse(xml) as Node;
  const feed = doc.feed as Node | undefined;
  if (!feed || typeof feed !== 'object') {
    throw new PaperSourceError(SOURCE, 'malformed response: no Atom <feed> element', { retryable: false });
  }
  const entries = (feed.entry ?? []) as Node[];
  return entries.map((entry, i) => {
    const id = text(entry.id);
    if (id.includes('/api/errors')) {
      throw new PaperSourceError(SOURCE, `query rejected: ${cleanText(text(entry.summary))}`, {
        retryable: false,
      });
    }
    const arxivId = normalizeArxivId(id);
    const title = cleanText(text(entry.title));
    const published = text(entry.published).slice(0, 10);
    const missing = [
      !arxivId && 'id',
      !title && 'title',
      !/^\d{4}-\d{2}-\d{2}$/.test(published) && 'published',
    ]
      .filter(Boolean)
      .join(', ');
    if (missing) {
      throw new PaperSourceError(SOURCE, `malformed response: entry ${i + 1} lacks a usable ${missing}`, {
        retryable: false,
      });
    }
    const links = (entry.link ?? []) as Node[];
    const abs = links.find((l) => l['@_rel'] === 'alternate' && typeof l['@_href'] === 'string');
    const paper: Paper = {
      key: '',
      arxivId,
      title,
      authors: ((entry.author ?? []) as Node[]).map((a) => cleanText(text(a.name))).filter(Boolean),
      published,
      abstract: cleanText(text(entry.summary)),
      url: (abs ? String(abs['@_href']) : id).replace(/^http:/, 'https:'),
      sources: [SOURCE],
    };
    const doi = normalizeDoi(text(entry.doi));
    if (doi) paper.doi = doi;
    const venue = cleanText(text(entry.journal_ref));
    if (venue) paper.venue = venue;
    paper.key = paperKey(paper);
    return paper;
  });
}

export class ArxivSource implements PaperSource {
  readonly name = SOURCE;
  private readonly baseUrl: string;
  private readonly policy: HttpPolicy;

  constructor(cfg: PaperSourceConfig = {}) {
    this.baseUrl = (cfg.baseUrl ?? 'https://export.arxiv.org').replace(/\/+$/, '');
    this.policy = httpPolicy(SOURCE, cfg, 3000);
  }

  async search(q: PaperQuery, opts: { signal?: AbortSignal } = {}): Promise<Paper[]> {
    const query = checkQuery(SOURCE, q, MAX_RESULTS);
    const searchQuery = arxivSearchQuery(query);
    if (!searchQuery) throw new PaperSourceError(SOURCE, 'query is empty', { retryable: false });
    const params = new URLSearchParams({
      search_query: searchQuery,
      start: '0',
      max_results: String(query.limit),
      sortBy: 'submittedDate',
      sortOrder: 'descending',
    });
    const xml = await getText(this.policy, `${this.baseUrl}/api/query?${params}`, { signal: opts.signal });
    return parseArxivFeed(xml)
      .filter((p) => inDateRange(p, query.from, query.to))
      .slice(0, query.limit);
  }
}
