import { arxivIdFromDoi, normalizeArxivId, normalizeDoi, normalizeTitle, paperKey } from './normalize';
import type { Paper } from './types';

interface Group {
  arxivIds: Set<string>;
  papers: Paper[];
}

/**
 * One paper per work, matched by version-less arXiv id, lowercased DOI (arXiv's 10.48550 DOIs count as
 * arXiv ids) or normalised title. A title match never joins papers with different arXiv ids. Keeps the
 * order of first appearance; merges sources, references, and takes the highest citation count.
 */
export function dedupePapers(papers: Paper[]): Paper[] {
  const groups: Group[] = [];
  const byArxiv = new Map<string, Group>();
  const byDoi = new Map<string, Group>();
  const byTitle = new Map<string, Group>();

  for (const p of papers) {
    const doi = normalizeDoi(p.doi);
    const arxivId = normalizeArxivId(p.arxivId) ?? arxivIdFromDoi(doi);
    const title = normalizeTitle(p.title);

    let group = (arxivId && byArxiv.get(arxivId)) || (doi && byDoi.get(doi)) || undefined;
    if (!group && title) {
      const g = byTitle.get(title);
      if (g && (!arxivId || g.arxivIds.size === 0)) group = g;
    }
    if (!group) {
      group = { arxivIds: new Set(), papers: [] };
      groups.push(group);
    }
    group.papers.push(withIds(p, arxivId, doi));
    if (arxivId) {
      group.arxivIds.add(arxivId);
      if (!byArxiv.has(arxivId)) byArxiv.set(arxivId, group);
    }
    if (doi && !byDoi.has(doi)) byDoi.set(doi, group);
    if (title && !byTitle.has(title)) byTitle.set(title, group);
  }
  return groups.map((g) => mergeGroup(g.papers));
}

function withIds(p: Paper, arxivId: string | undefined, doi: string | undefined): Paper {
  const { arxivId: _a, doi: _d, ...rest } = p;
  return { ...rest, ...(arxivId ? { arxivId } : {}), ...(doi ? { doi } : {}) };
}

function mergeGroup(ps: Paper[]): Paper {
  if (ps.length === 1) return { ...ps[0], key: paperKey(ps[0]) };
  const first = <T>(pick: (p: Paper) => T | undefined): T | undefined => {
    for (const p of ps) {
      const v = pick(p);
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  };
  const longest = <T extends { length: number }>(pick: (p: Paper) => T): T =>
    ps.map(pick).reduce((a, b) => (b.length > a.length ? b : a));

  const counts = ps.map((p) => p.citationCount).filter((c): c is number => typeof c === 'number');
  const refLists = ps.map((p) => p.references).filter((r): r is string[] => Array.isArray(r));
  const dois = ps.map((p) => p.doi).filter((d): d is string => !!d);

  const merged: Paper = {
    key: '',
    title: first((p) => p.title) ?? '',
    authors: longest((p) => p.authors),
    published: ps
      .map((p) => p.published)
      .filter((d) => !!d)
      .reduce((a, b) => (b.length > a.length || (b.length === a.length && b < a) ? b : a), ''),
    abstract: longest((p) => p.abstract),
    url: first((p) => p.url) ?? '',
    sources: [...new Set(ps.flatMap((p) => p.sources))],
  };
  const arxivId = first((p) => p.arxivId);
  if (arxivId) merged.arxivId = arxivId;
  const doi = dois.find((d) => !arxivIdFromDoi(d)) ?? dois[0];
  if (doi) merged.doi = doi;
  const venue = first((p) => p.venue);
  if (venue) merged.venue = venue;
  if (counts.length) merged.citationCount = Math.max(...counts);
  if (refLists.length) merged.references = [...new Set(refLists.flat())];
  merged.key = paperKey(merged);
  return merged;
}
