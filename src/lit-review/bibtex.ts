// Citation keys and BibTeX for included papers. Pure: no I/O.
import type { Paper } from '../papers/types';

const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

const SKIP = new Set(['a', 'an', 'the', 'on', 'of', 'in', 'for', 'to', 'and', 'towards', 'toward', 'with']);

/** `<first author surname><year><first title word>`, e.g. `wang2024learning`; repeats get a, b, c … */
export function assignCiteKeys(papers: Pick<Paper, 'title' | 'authors' | 'published'>[]): string[] {
  const seen = new Map<string, number>();
  return papers.map((p) => {
    const surname = ascii((p.authors[0] ?? '').trim().split(/\s+/).pop() ?? '') || 'anon';
    const year = /^\d{4}/.exec(p.published)?.[0] ?? 'nd';
    const word =
      p.title
        .split(/\s+/)
        .map(ascii)
        .find((w) => w.length > 1 && !SKIP.has(w)) ?? 'paper';
    const base = `${surname}${year}${word}`.slice(0, 48);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}${suffix(n)}`;
  });
}

function suffix(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(97 + ((i - 1) % 26)) + s;
  return s;
}

/** Escapes BibTeX's special characters so a title or name can never break the entry. */
export function bibEscape(s: string): string {
  const special: Record<string, string> = {
    '\\': '\\textbackslash{}',
    '~': '\\textasciitilde{}',
    '^': '\\textasciicircum{}',
  };
  return s
    .replace(/[\\~^{}&%$#_]/g, (c) => special[c] ?? `\\${c}`)
    .replace(/\s+/g, ' ')
    .trim();
}

export type CitedPaper = Paper & { citeKey: string };

/** One entry: @article when the paper has a venue, else @misc (arXiv preprints carry eprint fields). */
export function bibEntry(p: CitedPaper): string {
  const fields: [string, string][] = [
    ['title', `{${bibEscape(p.title)}}`],
    ['author', p.authors.map(bibEscape).join(' and ') || 'Anonymous'],
    ['year', /^\d{4}/.exec(p.published)?.[0] ?? ''],
  ];
  if (/^\d{4}-\d{2}/.test(p.published)) fields.push(['month', String(Number(p.published.slice(5, 7)))]);
  if (p.venue) fields.push(['journal', bibEscape(p.venue)]);
  if (p.arxivId) {
    fields.push(['eprint', p.arxivId], ['archivePrefix', 'arXiv']);
  }
  if (p.doi) fields.push(['doi', bibEscape(p.doi)]);
  if (p.url) fields.push(['url', p.url.replace(/[{}\s]/g, encodeURIComponent)]);
  const body = fields
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `  ${k} = {${v}}`)
    .join(',\n');
  return `@${p.venue ? 'article' : 'misc'}{${p.citeKey},\n${body}\n}\n`;
}

export function toBibtex(papers: CitedPaper[]): string {
  return papers.map(bibEntry).join('\n');
}
