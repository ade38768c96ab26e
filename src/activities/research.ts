import { Context } from '@temporalio/activity';
import { cosine } from '../llm/client';
import { createSearchProvider } from '../search';
import { scanAndRecord } from '../security/events';
import { activityLlm, cancelSignal, readDataFile, workRel, writeDataFile, type ActivityDeps } from './deps';
import type { StageArgs, ToolCall } from './types';

export interface Source {
  n: number;
  title: string;
  url: string;
  text: string;
}

/** research: every query is a recorded tool call with its result URLs and a novelty score against memory. */
export function researchActivities({ settings }: ActivityDeps) {
  const llm = activityLlm(settings);
  return {
    async research(
      a: StageArgs & { queries: string[]; embedModel: string; resultsPerQuery: number; memoryPath: string },
    ) {
      const provider = createSearchProvider({
        provider: settings.FLYWHEEL_SEARCH_PROVIDER,
        corpusDir: settings.corpusDir,
        searxngUrl: settings.SEARXNG_URL,
      });
      const memories = JSON.parse(readDataFile(settings.dataDir, a.memoryPath)) as { text: string }[];
      const memVecs = memories.length
        ? await llm.embed({
            model: a.embedModel,
            input: memories.map((m) => m.text),
          })
        : [];
      const sources: Source[] = [];
      const toolCalls: ToolCall[] = [];
      const seen = new Set<string>();
      for (const query of a.queries) {
        Context.current().heartbeat({ query });
        const results = await provider.search(query, { limit: a.resultsPerQuery, signal: cancelSignal() });
        const kept: Source[] = [];
        for (const r of results) {
          if (seen.has(r.url || r.id)) continue;
          seen.add(r.url || r.id);
          // Fetched text is scanned before it can reach a prompt; blocked spans are removed.
          const heading = r.title.replace(/\s+/g, ' ').trim();
          const scan = await scanAndRecord(settings.dataDir, `${heading}\n${r.text || r.snippet}`, {
            runId: a.runId,
            layer: 'fetch',
          });
          const [title, ...body] = scan.sanitized.split('\n');
          kept.push({
            n: sources.length + kept.length + 1,
            title,
            url: r.url,
            text: body.join('\n').slice(0, 1500),
          });
        }
        let novelty: number | null = null;
        if (kept.length) {
          if (memVecs.length) {
            const vecs = await llm.embed({
              model: a.embedModel,
              input: kept.map((s) => s.text.slice(0, 1000)),
            });
            const maxSim = Math.max(...vecs.map((v) => Math.max(...memVecs.map((m) => cosine(v, m)))));
            novelty = Math.round(Math.max(0, Math.min(10, 10 * (1 - maxSim))) * 10) / 10;
          } else novelty = 10;
        }
        sources.push(...kept);
        toolCalls.push({
          name: 'search',
          query,
          urls: results.map((r) => r.url || r.id),
          novelty_score: novelty,
        });
      }
      const sourcesPath = writeDataFile(
        settings.dataDir,
        workRel(a.runId, 'sources.json'),
        JSON.stringify(sources, null, 1),
      );
      return { sourcesPath, toolCalls, sourceCount: sources.length };
    },
  };
}
