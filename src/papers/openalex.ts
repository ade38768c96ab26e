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

const SOURCE = 'openalex';
const MAX_PER_PAGE = 200;
const SELECT = [
  'id',
  'doi',
  'title',
  'display_name',
  'publication_date',
  'publication_year',
  'authorships',
  'abstract_inverted_index',
  'cited_by_count',
  'referenced_works',
  'ids',
  'primary_location',
  'locations',
].join(',');

const Location = z.object({
  landing_page_url: z.string().nullish(),
  pdf_url: z.string().nullish(),
  source: z.object({ display_name: z.string().nullish() }).nullish(),
});

const Work = z.object({
  id: z.string().min(1),
  doi: z.string().nullish(),
  title: z.string().nullish(),
  display_name: z.string().nullish(),
  publication_date: z.string().nullish(),
  publication_year: z.number().int().nullish(),
  authorships: z
    .array(
      z.object({
        author: z.object({ display_name: z.string().nullish() }).nullish(),
        raw_author_name: z.string().nullish(),
      }),
    )
    .nullish(),
  abstract_inverted_index: z.record(z.string(), z.array(z.number().int().nonnegative())).nullish(),
  cited_by_count: z.number().int().nonnegative().nullish(),
  referenced_works: z.array(z.string()).nullish(),
  ids: z.record(z.string(), z.union([z.string(), z.number()]).nullable()).nullish(),
  primary_location: Location.nullish(),
  locations: z.array(Location).nullish(),
});

const WorksPage = z.object({ results: z.array(Work) });

/** OpenAlex ships abstracts as word → positions; put the words back in order. */
export function rebuildAbstract(index: Record<string, number[]> | null | undefined): string {
  if (!index) return '';
  const words: string[] = [];
  for (const [word, positions] of Object.entries(index)) for (const at of positions) words[at] = word;
  return cleanText(words.filter((w) => w !== undefined).join(' '));
}

const shortId = (url: string) => url.replace(/^https?:\/\/openalex\.org\//, '');

function toPaper(w: z.output<typeof Work>, title: string): Paper {
  const doi = normalizeDoi(w.doi ?? (typeof w.ids?.doi === 'string' ? w.ids.doi : undefined));
  const locations = [w.primary_location, ...(w.locations ?? [])].filter((l) => !!l);
  const arxivId =
    arxivIdFromDoi(doi) ??
    locations
      .flatMap((l) => [l.landing_page_url, l.pdf_url])
      .map((u) => (u && /arxiv\.org\/(abs|pdf)\//i.test(u) ? normalizeArxivId(u) : undefined))
      .find((id) => !!id);
  const published = /^\d{4}-\d{2}-\d{2}/.test(w.publication_date ?? '')
    ? w.publication_date!.slice(0, 10)
    : w.publication_year
      ? String(w.publication_year)
      : '';
  const paper: Paper = {
    key: '',
    title,
    authors: (w.authorships ?? [])
      .map((a) => cleanText(a.author?.display_name ?? a.raw_author_name ?? ''))
      .filter(Boolean),
    published,
    abstract: rebuildAbstract(w.abstract_inverted_index),
    url: w.primary_location?.landing_page_url || (doi ? `https://doi.org/${doi}` : w.id),
    sources: [SOURCE],
  };
  if (arxivId) paper.arxivId = arxivId;
  if (doi) paper.doi = doi;
  const venue = w.primary_location?.source?.display_name;
  if (venue) paper.venue = cleanText(venue);
  if (typeof w.cited_by_count === 'number') paper.citationCount = w.cited_by_count;
  if (w.referenced_works) paper.references = w.referenced_works.map((r) => `openalex:${shortId(r)}`);
  paper.key = paperKey(paper);
  return paper;
}

/** Parse a /works page. Works without a title are skipped; a body of another shape is malformed. */
export function parseOpenAlexWorks(body: string): Paper[] {
  const page = checkShape(SOURCE, WorksPage, parseJson(SOURCE, body));
  return page.results.flatMap((w) => {
    const title = cleanText(w.title ?? w.display_name ?? '');
    return title ? [toPaper(w, title)] : [];
  });
}

export class OpenAlexSource implements PaperSource {
  readonly name = SOURCE;
  private readonly baseUrl: string;
  private readonly policy: HttpPolicy;
  private readonly mailto?: string;
  private readonly apiKey?: string;

  constructor(cfg: PaperSourceConfig = {}) {
    this.baseUrl = (cfg.baseUrl ?? 'https://api.openalex.org').replace(/\/+$/, '');
    this.policy = httpPolicy(SOURCE, cfg, 100);
    if (cfg.mailto) this.mailto = cfg.mailto;
    if (cfg.apiKey) this.apiKey = cfg.apiKey;
  }

  async search(q: PaperQuery, opts: { signal?: AbortSignal } = {}): Promise<Paper[]> {
    const query = checkQuery(SOURCE, q, MAX_PER_PAGE);
    if (!query.query) throw new PaperSourceError(SOURCE, 'query is empty', { retryable: false });
    const params = new URLSearchParams({ search: query.query });
    const filter = [
      query.from && `from_publication_date:${query.from}`,
      query.to && `to_publication_date:${query.to}`,
    ].filter(Boolean);
    if (filter.length) params.set('filter', filter.join(','));
    params.set('per-page', String(query.limit));
    params.set('select', SELECT);
    if (this.mailto) params.set('mailto', this.mailto);
    if (this.apiKey) params.set('api_key', this.apiKey);
    const body = await getText(this.policy, `${this.baseUrl}/works?${params}`, { signal: opts.signal });
    return parseOpenAlexWorks(body)
      .filter((p) => inDateRange(p, query.from, query.to))
      .slice(0, query.limit);
  }
}
