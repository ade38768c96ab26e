/** A paper as every source reports it; `published` is ISO 8601, full date when known ('2024-02-18'), else '2024-02' or '2024'. */
export interface Paper {
  key: string;
  arxivId?: string;
  doi?: string;
  title: string;
  authors: string[];
  published: string;
  abstract: string;
  url: string;
  venue?: string;
  citationCount?: number;
  references?: string[];
  sources: string[];
}

/** `from` / `to` are inclusive ISO dates (YYYY-MM-DD). */
export interface PaperQuery {
  query: string;
  from?: string;
  to?: string;
  limit?: number;
}

export type PaperSourceName = 'arxiv' | 'semanticscholar' | 'openalex' | 'local';

export interface PaperSource {
  readonly name: PaperSourceName;
  search(q: PaperQuery, opts?: { signal?: AbortSignal }): Promise<Paper[]>;
}

export interface PaperSourceConfig {
  baseUrl?: string;
  corpusPath?: string;
  apiKey?: string;
  mailto?: string;
  /** Minimum time between two requests to the same API (arXiv asks for 3 s). */
  minIntervalMs?: number;
  /** Retries after the first attempt on 429 / 5xx / network errors. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, with jitter. */
  retryBaseMs?: number;
  /** Longest single wait; a Retry-After beyond it fails at once (retryable) instead of sleeping. */
  maxRetryWaitMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/** A source failed. `retryable` tells the caller whether trying again later can help. */
export class PaperSourceError extends Error {
  readonly source: string;
  readonly retryable: boolean;
  readonly status?: number;

  constructor(
    source: string,
    message: string,
    opts: { retryable: boolean; status?: number; cause?: unknown },
  ) {
    super(`${source}: ${message}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PaperSourceError';
    this.source = source;
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
  }
}
