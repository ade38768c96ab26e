// Citation markers are Pandoc-style: [@key] or [@key1; @key2]. The checker only accepts keys of included papers.

const MARKER = /\[(\s*@[^\]\n]*)\]/g;
const KEY = /@([A-Za-z0-9_][A-Za-z0-9_:.\-/]*)/g;

/** Every key cited in `text`, in order of first appearance. */
export function citedKeys(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(MARKER)) for (const k of m[1].matchAll(KEY)) out.add(trimKey(k[1]));
  return [...out];
}

// A key never ends in punctuation: '@smith2024.' is 'smith2024'.
const trimKey = (k: string) => k.replace(/[.:\-/]+$/, '');

export interface CitationCheck {
  /** Cited keys that resolve to an included paper. */
  cited: string[];
  /** Cited keys that do not: refused. */
  unknown: string[];
  /** Included papers not cited. */
  uncited: string[];
}

export function checkCitations(text: string, included: readonly string[]): CitationCheck {
  const allowed = new Set(included);
  const keys = citedKeys(text);
  return {
    cited: keys.filter((k) => allowed.has(k)),
    unknown: keys.filter((k) => !allowed.has(k)),
    uncited: included.filter((k) => !keys.includes(k)),
  };
}

/** Removes every citation of a key outside `included`; a marker left with no key disappears. */
export function removeUnknownCitations(text: string, included: readonly string[]): string {
  const allowed = new Set(included);
  return text
    .replace(MARKER, (_whole, inner: string) => {
      const keep = [...inner.matchAll(KEY)].map((k) => trimKey(k[1])).filter((k) => allowed.has(k));
      return keep.length ? `[${keep.map((k) => `@${k}`).join('; ')}]` : '';
    })
    .replace(/[ \t]+([.,;:])/g, '$1');
}
