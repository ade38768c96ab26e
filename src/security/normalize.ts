/**
 * Text normalization for the injection scanner. Produces the scan form of a text (NFKC, case-folded,
 * invisible/tag/private-use characters removed, look-alike letters mapped to ASCII, whitespace collapsed)
 * together with a map from every scan-form character back to its span in the original text, so that a
 * match found on the scan form can be removed from the original.
 */

export interface NormalizedText {
  text: string;
  /** For scan-form index i, the original text span [starts[i], ends[i]). */
  starts: Int32Array;
  ends: Int32Array;
  tagCount: number;
  /** Invisible characters that are not ordinary (soft hyphens, emoji joiners and a leading BOM excluded). */
  invisibleCount: number;
}

const isTag = (cp: number) => cp >= 0xe0000 && cp <= 0xe007f;
const isPrivateUse = (cp: number) =>
  (cp >= 0xe000 && cp <= 0xf8ff) || (cp >= 0xf0000 && cp <= 0xffffd) || (cp >= 0x100000 && cp <= 0x10fffd);
const isVariationSelector = (cp: number) =>
  (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
// Format characters (zero-width, bidi controls, soft hyphen, word joiner, BOM…) and other blank fillers.
const FORMAT = /^[\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\uffa0\u2800]$/u;
const CONTROL = /^(?![\t\n\v\f\r\u0085])\p{Cc}$/u;
const COMBINING = /^\p{M}$/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const WHITESPACE = /^[\s\u0085]$/u;
const NEWLINE = /^[\n\r\v\f\u0085\u2028\u2029]$/u;

// Cyrillic and Greek letters that look like Latin ones (after lower-casing), and typographic quotes.
const LOOKALIKES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  ı: 'i',
  ȷ: 'j',
  α: 'a',
  β: 'b',
  ε: 'e',
  ζ: 'z',
  η: 'h',
  ι: 'i',
  κ: 'k',
  μ: 'm',
  ν: 'n',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ß: 'ss',
  '\u2018': "'",
  '\u2019': "'",
  '\u02bc': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
};

const foldCache = new Map<string, string>();

function foldCluster(cluster: string): string {
  const cached = foldCache.get(cluster);
  if (cached !== undefined) return cached;
  const folded = foldUncached(cluster);
  if (foldCache.size < 8192) foldCache.set(cluster, folded);
  return folded;
}

function foldUncached(cluster: string): string {
  let s = cluster.normalize('NFKC').toLowerCase();
  // Strip Latin diacritics (also the dot that 'İ'.toLowerCase() leaves behind).
  s = s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  let out = '';
  for (const ch of s) out += LOOKALIKES[ch] ?? ch;
  return out;
}

export function normalizeWithMap(input: string): NormalizedText {
  let out = '';
  let starts = new Int32Array(input.length + 16);
  let ends = new Int32Array(input.length + 16);
  let len = 0;
  let tagCount = 0;
  let invisibleCount = 0;
  // Pending whitespace run: 0 none, 1 spaces only, 2 contains a line break.
  let ws = 0;
  let wsStart = 0;
  let wsEnd = 0;

  // One map entry per UTF-16 unit of `out`, since regex match indices count UTF-16 units.
  const put = (start: number, end: number) => {
    if (len === starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      starts = grow(starts);
      ends = grow(ends);
    }
    starts[len] = start;
    ends[len] = end;
    len++;
  };
  const flushWhitespace = () => {
    if (ws === 0) return;
    out += ws === 2 ? '\n' : ' ';
    put(wsStart, wsEnd);
    ws = 0;
  };
  const emitWhitespace = (newline: boolean, start: number, end: number) => {
    if (ws === 0) {
      ws = newline ? 2 : 1;
      wsStart = start;
    } else if (newline) ws = 2;
    wsEnd = end;
  };
  const emit = (str: string, start: number, end: number) => {
    for (const ch of str) {
      if (WHITESPACE.test(ch)) emitWhitespace(NEWLINE.test(ch), start, end);
      else {
        flushWhitespace();
        out += ch;
        for (let k = 0; k < ch.length; k++) put(start, end);
      }
    }
  };

  let i = 0;
  while (i < input.length) {
    const cu = input.charCodeAt(i);
    // Fast path: ASCII not followed by a combining mark.
    if (cu < 0x80 && !(input.charCodeAt(i + 1) >= 0x300)) {
      if (cu === 0x20 || cu === 0x09) emitWhitespace(false, i, i + 1);
      else if (cu >= 0x0a && cu <= 0x0d) emitWhitespace(true, i, i + 1);
      else if (cu < 0x20 || cu === 0x7f) invisibleCount++;
      else {
        flushWhitespace();
        out += cu >= 0x41 && cu <= 0x5a ? String.fromCharCode(cu + 32) : input[i];
        put(i, i + 1);
      }
      i++;
      continue;
    }
    const cp = input.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const next = i + ch.length;
    if (isTag(cp)) {
      tagCount++;
      i = next;
      continue;
    }
    if (isVariationSelector(cp) || FORMAT.test(ch) || CONTROL.test(ch)) {
      if (!isOrdinaryInvisible(input, i, cp)) invisibleCount++;
      i = next;
      continue;
    }
    if (isPrivateUse(cp)) {
      i = next;
      continue;
    }
    if (WHITESPACE.test(ch)) {
      emitWhitespace(NEWLINE.test(ch), i, next);
      i = next;
      continue;
    }
    // A base character with its combining marks; variation selectors inside are dropped.
    let end = next;
    let cluster = ch;
    while (end < input.length) {
      const c2 = input.codePointAt(end)!;
      const s2 = String.fromCodePoint(c2);
      if (isVariationSelector(c2)) {
        end += s2.length;
        continue;
      }
      if (!COMBINING.test(s2)) break;
      cluster += s2;
      end += s2.length;
    }
    emit(foldCluster(cluster), i, end);
    i = end;
  }
  flushWhitespace();
  return {
    text: out,
    starts: starts.subarray(0, len),
    ends: ends.subarray(0, len),
    tagCount,
    invisibleCount,
  };
}

/** Soft hyphens, a leading BOM, and joiners/selectors inside emoji sequences are normal in real text. */
function isOrdinaryInvisible(input: string, i: number, cp: number): boolean {
  if (cp === 0x00ad || (cp === 0xfeff && i === 0)) return true;
  if (cp === 0x200d || isVariationSelector(cp)) {
    const before = input.slice(Math.max(0, i - 2), i);
    const after = input.slice(i + 1, i + 3);
    return PICTOGRAPHIC.test(before) || PICTOGRAPHIC.test(after);
  }
  return false;
}

/** The scan form only (see normalizeWithMap). */
export function normalizeForScan(text: string): string {
  return normalizeWithMap(text).text;
}
