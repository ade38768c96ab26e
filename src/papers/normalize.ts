import type { Paper } from './types';

/** Lowercase, accents stripped, '&' read as 'and', punctuation to spaces, whitespace collapsed: the title key. */
export function normalizeTitle(t: string): string {
  return t
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Collapse runs of whitespace (arXiv titles and abstracts carry hard line breaks). */
export function cleanText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** '10.1145/ABC' from 'https://doi.org/10.1145/abc', 'doi:10.1145/abc' …; undefined when not a DOI. */
export function normalizeDoi(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const doi = raw
    .trim()
    .replace(/^https?:\/\/(dx\.)?doi\.org\//i, '')
    .replace(/^doi:\s*/i, '')
    .toLowerCase();
  return /^10\.\d{4,9}\/\S+$/.test(doi) ? doi : undefined;
}

const NEW_ID = /^(\d{4}\.\d{4,5})(v\d+)?$/;
const OLD_ID = /^([a-z-]+(\.[a-z]{2})?\/\d{7})(v\d+)?$/i;

/** Version-less arXiv id from '2402.11651v2', 'arXiv:2402.11651', 'https://arxiv.org/abs/…', 'math/0211159v1'. */
export function normalizeArxivId(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const s = raw
    .trim()
    .replace(/^https?:\/\/(export\.)?arxiv\.org\/(abs|pdf)\//i, '')
    .replace(/\.pdf$/i, '')
    .replace(/^arxiv:\s*/i, '');
  const m = NEW_ID.exec(s) ?? OLD_ID.exec(s);
  return m ? m[1] : undefined;
}

/** arXiv registers DOIs of the form 10.48550/arXiv.<id>; those identify the arXiv paper. */
export function arxivIdFromDoi(doi: string | undefined): string | undefined {
  const m = doi ? /^10\.48550\/arxiv\.(.+)$/i.exec(doi) : null;
  return m ? normalizeArxivId(m[1]) : undefined;
}

/** Stable key: arXiv id, else DOI, else normalised title. */
export function paperKey(p: Pick<Paper, 'arxivId' | 'doi' | 'title'>): string {
  if (p.arxivId) return `arxiv:${p.arxivId}`;
  if (p.doi) return `doi:${p.doi}`;
  return `title:${normalizeTitle(p.title).replace(/ /g, '-')}`;
}
