import { z } from 'zod';
import { inDateRange } from './date-range';
import { getText, httpPolicy, type HttpPolicy } from './http';
import { arxivIdFromDoi, cleanText, normalizeArxivId, normalizeDoi, paperKey } from './normalize';
import { checkQuery } from './query';
import { checkShape, parseJson } from './response';
import {
  PaperSourceError,
  type Paper,
  type PaperQuery,
  type PaperSource,
  type PaperSourceConfig,
} from './types';

const SOURCE = 'semanticscholar';
const MAX_LIMIT = 100; // relevance search serves at most 100 per call
const FIELDS =
  'title,authors,year,publicationDate,abstract,externalIds,citationCount,references.paperId,url,venue';

const S2Paper = z.object({
  paperId: z.string().min(1),
  title: z.string().nullish(),
  authors: z.array(z.object({ name: z.string().nullish() })).nullish(),
  year: z.number().int().nullish(),
  publicationDate: z.string().nullish(),
  abstract: z.string().nullish(),
  externalIds: z.record(z.string(), z.union([z.string(), z.number()]).nullable()).nullish(),
  citationCount: z.number().int().nonnegative().nullish(),
  references: z.array(z.object({ paperId: z.string().nullish() })).nullish(),
  url: z.string().nullish(),
  venue: z.string().nullish(),
});

// With no match the API answers {"total": 0, "offset": 0} and no `data`.
const S2Search = z.object({ total: z.number(), data: z.array(S2Paper).optional() });

function toPaper(r: z.output<typeof S2Paper>, title: string): Paper {
  const ext = r.externalIds ?? {};
  const doi = normalizeDoi(typeof ext.DOI === 'string' ? ext.DOI : undefined);
  const arxivId =
    normalizeArxivId(typeof ext.ArXiv === 'string' ? ext.ArXiv : undefined) ?? arxivIdFromDoi(doi);
  const published = /^\d{4}-\d{2}-\d{2}/.test(r.publicationDate ?? '')
    ? r.publicationDate!.slice(0, 10)
    : r.year
      ? String(r.year)
      : '';
  const paper: Paper = {
    key: '',
    title,
    authors: (r.authors ?? []).map((a) => cleanText(a.name ?? '')).filter(Boolean),
    published,
    abstract: cleanText(r.abstract ?? ''),
    url: r.url || `https://www.semanticscholar.org/paper/${r.paperId}`,
    sources: [SOURCE],
  };
  if (arxivId) paper.arxivId = arxivId;
  if (doi) paper.doi = doi;
  if (r.venue) paper.venue = cleanText(r.venue);
  if (typeof r.citationCount === 'number') paper.citationCount = r.citationCount;
  if (r.references) {
    paper.references = r.references.flatMap((ref) => (ref.paperId ? [`s2:${ref.paperId}`] : []));
  }
  paper.key = paperKey(paper);
  return paper;
}

/** Parse a Graph API /paper/search body; records without a title are skipped. Throws a non-retryable PaperSourceError when it is not one. */
export function parseS2Search(body: string): Paper[] {
  const parsed = checkShape(SOURCE, S2Search, parseJson(SOURCE, body));
  if (!parsed.data && parsed.total > 0) {
    throw new PaperSourceError(SOURCE, `malformed response: total is ${parsed.total} but there is no data`, {
      retryable: false,
    });
  }
  return (parsed.data ?? []).flatMap((r) => {
    const title = cleanText(r.title ?? '');
    return title ? [toPaper(r, title)] : [];
  });
}

export class SemanticScholarSource implements PaperSource {
  readonly name = SOURCE;
  private readonly baseUrl: string;
  private readonly policy: HttpPolicy;
  private readonly apiKey?: string;

  constructor(cfg: PaperSourceConfig = {}) {
    this.baseUrl = (cfg.baseUrl ?? 'https://api.semanticscholar.org').replace(/\/+$/, '');
    this.policy = httpPolicy(SOURCE, cfg, 1000);
    if (cfg.apiKey) this.apiKey = cfg.apiKey;
  }

  async search(q: PaperQuery, opts: { signal?: AbortSignal } = {}): Promise<Paper[]> {
    const query = checkQuery(SOURCE, q, MAX_LIMIT);
    // The search matches plain words; hyphenated terms find nothing.
    const text = query.query.replace(/-/g, ' ').replace(/\s+/g, ' ').trim();
    if (!text) throw new PaperSourceError(SOURCE, 'query is empty', { retryable: false });
    const params = new URLSearchParams({ query: text, fields: FIELDS, limit: String(query.limit) });
    if (query.from || query.to) params.set('publicationDateOrYear', `${query.from ?? ''}:${query.to ?? ''}`);
    const headers: Record<string, string> = this.apiKey ? { 'x-api-key': this.apiKey } : {};
    const body = await getText(this.policy, `${this.baseUrl}/graph/v1/paper/search?${params}`, {
      headers,
      signal: opts.signal,
    });
    return parseS2Search(body)
      .filter((p) => inDateRange(p, query.from, query.to))
      .slice(0, query.limit);
  }
}
