import { LocalSearchProvider } from './local';
import { SearxngSearchProvider } from './searxng';
import { SearchError, type SearchProvider } from './types';

export { LocalSearchProvider } from './local';
export { SearxngSearchProvider } from './searxng';
export { SearchError, type SearchOptions, type SearchProvider, type SearchResult } from './types';

export interface SearchConfig {
  provider: 'local' | 'searxng';
  corpusDir: string;
  searxngUrl?: string;
  /** SearXNG request timeout. */
  timeoutMs?: number;
}

export function createSearchProvider(cfg: SearchConfig): SearchProvider {
  if (cfg.provider === 'local') return new LocalSearchProvider(cfg.corpusDir);
  if (cfg.provider === 'searxng') {
    if (!cfg.searxngUrl) {
      throw new SearchError('the searxng search provider needs SEARXNG_URL (e.g. http://127.0.0.1:8888)', {
        retryable: false,
      });
    }
    return new SearxngSearchProvider({ baseUrl: cfg.searxngUrl, timeoutMs: cfg.timeoutMs });
  }
  throw new SearchError(`unknown search provider ${JSON.stringify(cfg.provider)} (local or searxng)`, {
    retryable: false,
  });
}
