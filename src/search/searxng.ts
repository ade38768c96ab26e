import { z } from 'zod';
import {
  DEFAULT_LIMIT,
  SearchError,
  type SearchOptions,
  type SearchProvider,
  type SearchResult,
} from './types';

// The part of SearXNG's JSON answer (`/search?format=json`) that we use; other fields are ignored.
const SearxngResponse = z.looseObject({
  results: z.array(
    z.looseObject({
      url: z.string().optional(),
      title: z.string().nullish(),
      content: z.string().nullish(),
      score: z.number().nullish(),
      engine: z.string().nullish(),
    }),
  ),
});

export interface SearxngOptions {
  /** Base URL of the instance, e.g. http://127.0.0.1:8888 (a path prefix is kept). */
  baseUrl: string;
  /** Whole-request timeout (default 15 s). */
  timeoutMs?: number;
}

/** Web search through a SearXNG instance's JSON API. The instance must allow `json` in `search.formats`. */
export class SearxngSearchProvider implements SearchProvider {
  readonly name = 'searxng';
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(opts: SearxngOptions) {
    this.base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
    opts.signal?.throwIfAborted();
    const url = new URL('search', this.base);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const where = `SearXNG at ${this.base}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;

    let body: string;
    let status: number;
    try {
      const res = await fetch(url, {
        signal,
        headers: { accept: 'application/json', 'user-agent': 'flywheel' },
      });
      status = res.status;
      body = await res.text();
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      if (timeout.aborted) {
        throw new SearchError(`${where} did not answer within ${this.timeoutMs} ms`, {
          retryable: true,
          cause: err,
        });
      }
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new SearchError(
        `cannot reach ${where}${code ? ` (${code})` : ''}: is it running? (SEARXNG_URL)`,
        {
          retryable: true,
          cause: err,
        },
      );
    }

    if (status === 429 || status >= 500) {
      throw new SearchError(`${where} answered HTTP ${status}; try again later`, { retryable: true });
    }
    if (status === 403) {
      throw new SearchError(
        `${where} answered HTTP 403: enable the json format (search.formats: [html, json] in settings.yml)`,
        { retryable: false },
      );
    }
    if (status < 200 || status >= 300) {
      throw new SearchError(`${where} answered HTTP ${status}`, { retryable: false });
    }

    let parsed: z.infer<typeof SearxngResponse>;
    try {
      parsed = SearxngResponse.parse(JSON.parse(body));
    } catch {
      throw new SearchError(`${where} returned a response that is not SearXNG JSON (${body.slice(0, 80)}…)`, {
        retryable: false,
      });
    }

    const limit = Math.max(1, opts.limit ?? DEFAULT_LIMIT);
    const seen = new Set<string>();
    const out: SearchResult[] = [];
    for (const [rank, r] of parsed.results.entries()) {
      if (!r.url || !/^https?:\/\//i.test(r.url) || seen.has(r.url)) continue;
      seen.add(r.url);
      const content = (r.content ?? '').trim();
      out.push({
        id: r.url,
        url: r.url,
        title: (r.title ?? '').trim() || r.url,
        snippet: content,
        text: content,
        score: r.score ?? 1 / (rank + 1),
        source: this.name,
      });
      if (out.length >= limit) break;
    }
    return out;
  }
}
