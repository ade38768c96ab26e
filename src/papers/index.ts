import { ArxivSource } from './arxiv';
import { LocalSource } from './local';
import { OpenAlexSource } from './openalex';
import { SemanticScholarSource } from './semanticscholar';
import { PaperSourceError, type PaperSource, type PaperSourceConfig } from './types';

export { dedupePapers } from './dedupe';
export { inDateRange } from './date-range';
export { normalizeTitle, paperKey } from './normalize';
export { PaperSourceError } from './types';
export type { Paper, PaperQuery, PaperSource, PaperSourceConfig, PaperSourceName } from './types';

export const PAPER_SOURCE_NAMES = ['arxiv', 'semanticscholar', 'openalex', 'local'] as const;

/** A paper source by name; base URLs default to the public APIs, `local` needs `corpusPath`. */
export function createPaperSource(name: string, cfg: PaperSourceConfig = {}): PaperSource {
  switch (name) {
    case 'arxiv':
      return new ArxivSource(cfg);
    case 'semanticscholar':
      return new SemanticScholarSource(cfg);
    case 'openalex':
      return new OpenAlexSource(cfg);
    case 'local':
      return new LocalSource(cfg);
    default:
      throw new PaperSourceError(
        name,
        `unknown paper source; expected one of ${PAPER_SOURCE_NAMES.join(', ')}`,
        {
          retryable: false,
        },
      );
  }
}
