export interface SearchResult {
  /** Stable id within its source (arXiv id, file path, URL). */
  id: string;
  url: string;
  title: string;
  /** A short passage around the query terms. */
  snippet: string;
  /** The document text available to the run (whole document for local, the engine's excerpt for SearXNG). */
  text: string;
  score: number;
  /** The provider that produced the result: `local` or `searxng`. */
  source: string;
}

export interface SearchOptions {
  /** At most this many results (default 10). */
  limit?: number;
  signal?: AbortSignal;
}

export interface SearchProvider {
  readonly name: string;
  search(query: string, opts?: SearchOptions): Promise<SearchResult[]>;
}

/** A failed search. `retryable` is false when retrying cannot help (bad setup, bad request). */
export class SearchError extends Error {
  readonly retryable: boolean;
  constructor(message: string, opts: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'SearchError';
    this.retryable = opts.retryable;
  }
}

export const DEFAULT_LIMIT = 10;
