// Stage 2, retrieve: run the planned queries on every source, de-duplicate, apply the date range, keep the best.
import { Context } from '@temporalio/activity';
import { assignCiteKeys } from '../../lit-review/bibtex';
import { candidatesRel, paperRel, retrieveCacheRel, retrieveRel } from '../../lit-review/paths';
import { readJsonIfExists, writeJson } from '../../lit-review/store';
import type { CandidatePaper } from '../../lit-review/types';
import {
  createPaperSource,
  dedupePapers,
  inDateRange,
  PaperSourceError,
  type Paper,
  type PaperSourceConfig,
} from '../../papers';
import { scanAndRecord } from '../../security/events';
import type { Settings } from '../../config';
import { cancelSignal, type ActivityDeps } from '../deps';
import type { ToolCall } from '../types';
import { fatal, type LitStageArgs } from './common';

export interface SourceReport {
  source: string;
  queries: number;
  papers: number;
  failures: string[];
}

export interface RetrieveResult {
  count: number;
  sources: SourceReport[];
  toolCalls: ToolCall[];
}

interface CachedResult {
  source: string;
  query: string;
  papers: Paper[];
}

const URLS_PER_TOOL_CALL = 20;

function sourceConfig(settings: Settings, name: string, corpusPath: string | null): PaperSourceConfig {
  switch (name) {
    case 'arxiv':
      return { baseUrl: settings.ARXIV_API_URL };
    case 'semanticscholar':
      return { baseUrl: settings.SEMANTIC_SCHOLAR_API_URL, apiKey: settings.S2_API_KEY };
    case 'openalex':
      return { baseUrl: settings.OPENALEX_API_URL, mailto: settings.OPENALEX_MAILTO };
    default:
      return { corpusPath: corpusPath ?? undefined };
  }
}

/** Rank-interleaved: every list's first paper, then every list's second …; de-duplication keeps the first. */
function interleave(lists: Paper[][]): Paper[] {
  const out: Paper[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let r = 0; r < longest; r++) for (const l of lists) if (r < l.length) out.push(l[r]);
  return out;
}

export function litRetrieveActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    async litRetrieve(
      a: LitStageArgs & {
        queries: Record<string, string[]>;
        from?: string;
        to?: string;
        maxPapers: number;
        corpusPath: string | null;
        /** The workflow's retry limit: on the last attempt a still-failing source is reported, not retried. */
        maxAttempts: number;
      },
    ): Promise<RetrieveResult> {
      const done = readJsonIfExists<RetrieveResult>(dataDir, retrieveRel(a.runId));
      if (done) return done;
      let attempt = 1;
      try {
        attempt = Context.current().info.attempt;
      } catch {
        /* called outside an activity (tests, bench) */
      }
      const lastAttempt = attempt >= a.maxAttempts;
      const signal = cancelSignal();
      const results: CachedResult[] = [];
      const reports: SourceReport[] = [];

      await Promise.all(
        Object.entries(a.queries).map(async ([name, queries]) => {
          const report: SourceReport = { source: name, queries: queries.length, papers: 0, failures: [] };
          reports.push(report);
          const source = createPaperSource(name, sourceConfig(settings, name, a.corpusPath));
          for (const [n, query] of queries.entries()) {
            const cacheRel = retrieveCacheRel(a.runId, name, n);
            // Only successes are cached: a failed query is asked again on the next attempt.
            let cached = readJsonIfExists<CachedResult>(dataDir, cacheRel);
            if (!cached || cached.query !== query) {
              try {
                const papers = await source.search(
                  { query, from: a.from, to: a.to, limit: a.maxPapers },
                  { signal },
                );
                cached = { source: name, query, papers };
                writeJson(dataDir, cacheRel, cached);
              } catch (e) {
                signal?.throwIfAborted();
                const retryable = !(e instanceof PaperSourceError) || e.retryable;
                if (retryable && !lastAttempt) throw e;
                report.failures.push(`${query}: ${(e as Error).message}`.slice(0, 300));
                continue;
              }
            }
            results.push(cached);
            report.papers += cached.papers.length;
          }
        }),
      );
      reports.sort((x, y) => x.source.localeCompare(y.source));
      const failures = reports.flatMap((r) => r.failures.map((f) => `${r.source}: ${f}`));
      if (results.length === 0 && failures.length)
        throw fatal(`no paper source answered: ${failures.join('; ')}`);

      // Source order then query order, so a retry that reuses caches builds the same candidate list.
      results.sort(
        (x, y) =>
          x.source.localeCompare(y.source) ||
          a.queries[x.source].indexOf(x.query) - a.queries[y.source].indexOf(y.query),
      );
      const papers = dedupePapers(interleave(results.map((r) => r.papers)))
        .filter((p) => inDateRange(p, a.from, a.to))
        .slice(0, a.maxPapers);
      const keys = assignCiteKeys(papers);
      const candidates: CandidatePaper[] = [];
      for (const [index, p] of papers.entries()) {
        // Abstracts come from outside: scanned like any fetched content; blocked spans are removed.
        const clean = async (text: string) => {
          const scan = await scanAndRecord(dataDir, text, { runId: a.runId, layer: 'fetch' });
          return scan.verdict === 'block' ? scan.sanitized : text;
        };
        const c: CandidatePaper = {
          ...p,
          title: await clean(p.title),
          abstract: await clean(p.abstract),
          index,
          citeKey: keys[index],
        };
        writeJson(dataDir, paperRel(a.runId, index), c);
        candidates.push(c);
      }
      writeJson(dataDir, candidatesRel(a.runId), candidates);
      const result: RetrieveResult = {
        count: candidates.length,
        sources: reports,
        toolCalls: results.map((r) => ({
          name: `papers.${r.source}`,
          query: r.query,
          urls: r.papers.slice(0, URLS_PER_TOOL_CALL).map((p) => p.url),
          novelty_score: null,
        })),
      };
      writeJson(dataDir, retrieveRel(a.runId), result);
      return result;
    },
  };
}
