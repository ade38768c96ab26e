/**
 * Encoded payloads. An attacker can hide an order from the scanner by encoding it: base64, hex, binary, URL escapes,
 * Morse, letters spaced out, leetspeak, a Caesar shift (ROT13), reversed text, or a sentence cut into string pieces
 * that the model is asked to join. Each decoder here finds its encoding and returns a view: the text with the encoded
 * parts replaced by what they decode to. The scanner scans each view with all its layers (scanner.ts), so a payload is
 * judged by what it says, not by being encoded: a base64 birthday greeting passes, a base64 order to reveal the
 * system prompt is blocked. Decoders only propose readings; none of them blocks anything by itself.
 */

import { glossParts } from './gloss';

export type Encoding =
  | 'base64'
  | 'hex'
  | 'binary'
  | 'url'
  | 'morse'
  | 'spaced'
  | 'leet'
  | 'caesar'
  | 'reversed'
  | 'pig_latin'
  | 'pieces'
  | 'initials'
  | 'translated';

export interface DecodedView {
  encoding: Encoding;
  /** The span of the original text that the decoded parts cover (from the first to the last). */
  start: number;
  end: number;
  /** The whole text with the encoded parts replaced by their decoding. */
  text: string;
}

interface Part {
  start: number;
  end: number;
  decoded: string;
}

/** Is this (lower-case) string an English word? The scanner passes the encoder's vocabulary. */
export type WordList = (word: string) => boolean;

// Views are scanned by every layer, so their number and size are bounded (a view costs a scan).
const MAX_INPUT = 200_000;
const MAX_PARTS = 200;

/** Every reading of `text` that some decoder finds, at most one view per encoding. */
export function decodedViews(text: string, isWord: WordList = () => false, translate = true): DecodedView[] {
  if (text.length > MAX_INPUT) return [];
  const views: DecodedView[] = [];
  const add = (encoding: Encoding, parts: Part[]) => {
    const kept = parts.filter((p) => p.decoded !== text.slice(p.start, p.end)).slice(0, MAX_PARTS);
    if (kept.length) views.push(viewOf(text, encoding, kept));
  };
  add('base64', matches(text, BASE64, decodeBase64));
  add('hex', [...matches(text, HEX_SPACED, decodeHex), ...matches(text, HEX_RUN, decodeHex)]);
  add('binary', matches(text, BINARY, decodeBinary));
  add('url', matches(text, URL_ESCAPED, decodeUrl));
  add('morse', matches(text, MORSE, decodeMorse));
  add('spaced', [
    ...matches(text, JOINED_LETTERS, collapseJoined),
    ...matches(text, SPACED_LETTERS, collapseSpaced),
  ]);
  add('leet', leetParts(text, isWord));
  add('caesar', segmentParts(text, isWord, caesar));
  add('reversed', segmentParts(text, isWord, reversed));
  add('pig_latin', segmentParts(text, isWord, pigLatin(isWord)));
  add('pieces', pieces(text, isWord));
  add('initials', initials(text, isWord));
  if (translate) add('translated', glossParts(text)); // not an encoding, but the same kind of reading: gloss.ts
  return views;
}

function viewOf(text: string, encoding: Encoding, parts: Part[]): DecodedView {
  const sorted = [...parts].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const p of sorted) {
    if (p.start < pos) continue; // overlapping matches: the first wins
    out += text.slice(pos, p.start) + p.decoded;
    pos = p.end;
  }
  return {
    encoding,
    start: sorted[0].start,
    end: Math.max(...sorted.map((p) => p.end)),
    text: out + text.slice(pos),
  };
}

function matches(text: string, re: RegExp, decode: (s: string) => string | undefined): Part[] {
  const parts: Part[] = [];
  for (const m of text.matchAll(re)) {
    const decoded = decode(m[0]);
    if (decoded !== undefined)
      parts.push({ start: m.index, end: m.index + m[0].length, decoded: ` ${decoded} ` });
  }
  return parts;
}

/** Decoded bytes that read as text: valid UTF-8, mostly letters and spaces, no control characters. */
function readable(bytes: Uint8Array): string | undefined {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  if (s.length < 4 || /[\p{Cc}](?<![\t\n\r])/u.test(s)) return undefined;
  const letters = s.match(/[\p{L}\s]/gu)?.length ?? 0;
  return letters / s.length >= 0.7 && /\p{L}{2}/u.test(s) ? s : undefined;
}

// --- base64, hex, binary, URL escapes ---------------------------------------------------------------------------

// Standard or URL-safe alphabet, at least 16 characters, optionally padded. MIME-wrapped lines are multiples of four
// characters, so each line decodes on its own.
const BASE64 = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])/g;

function decodeBase64(s: string): string | undefined {
  const body = s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  // A digit or both cases: one run of letters is a word, not base64. (Three tests, not `[a-z].*[A-Z]`, which backtracks
  // over a long run.)
  const mixed = /[0-9+/]/.test(body) || (/[a-z]/.test(body) && /[A-Z]/.test(body));
  if (body.length % 4 === 1 || !mixed) return undefined;
  return readable(Buffer.from(body, 'base64'));
}

// Bytes as pairs of hex digits, apart (`49 67 6e`, `\x49\x67`, `0x49, 0x67`) or run together (at least 8 bytes).
const HEX_SPACED =
  /(?<![\w\\])(?:(?:\\x|0x)?[0-9a-f]{2}(?:[\s,:]+|(?=\\x))){3,}(?:\\x|0x)?[0-9a-f]{2}(?![\w])/gi;
const HEX_RUN = /(?<![\w])(?:0x)?(?:[0-9a-f]{2}){8,}(?![\w])/gi;

function decodeHex(s: string): string | undefined {
  const digits = s.replace(/\\x|0x/gi, '').replace(/[^0-9a-f]/gi, '');
  if (digits.length % 2) return undefined;
  return readable(Buffer.from(digits, 'hex'));
}

const BINARY = /(?<![\w])[01]{8}(?:[\s,]+[01]{8}){3,}(?![\w])/g;

function decodeBinary(s: string): string | undefined {
  return readable(Uint8Array.from(s.split(/[\s,]+/), (b) => parseInt(b, 2)));
}

// A run of URL characters with an escape in it. Only a run's first character may start a match, and nothing is
// nested, so a long run (a data URI in a page) costs one pass.
const URL_ESCAPED = /(?<![\w.~+%-])(?=[\w.~+-]*%[0-9a-f]{2})[\w.~+%-]+/gi;

function decodeUrl(s: string): string | undefined {
  if ((s.match(/%[0-9a-f]{2}/gi)?.length ?? 0) < 4) return undefined;
  let out: string;
  try {
    out = decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  return /\s/.test(out) && /\p{L}{2}/u.test(out) ? out : undefined;
}

// --- Morse --------------------------------------------------------------------------------------------------------

const MORSE_CODE: Record<string, string> = Object.fromEntries(
  (
    'a.- b-... c-.-. d-.. e. f..-. g--. h.... i.. j.--- k-.- l.-.. m-- n-. o--- p.--. q--.- r.-. s... t- u..- v...- ' +
    'w.-- x-..- y-.-- z--.. 0----- 1.---- 2..--- 3...-- 4....- 5..... 6-.... 7--... 8---.. 9----. ..-.-.- ,--..-- ?..--..'
  )
    .split(' ')
    .map((e) => [e.slice(1), e[0]]),
);

// Codes of dots and dashes apart by spaces; a word ends at `/`, `|` or three spaces. At least six codes.
const MORSE = /(?<![^\s])[.\-·−]{1,7}(?:(?: {1,3}| *[/|] *)[.\-·−]{1,7}){5,}(?![^\s])/g;

function decodeMorse(s: string): string | undefined {
  const words = s
    .replace(/[·]/g, '.')
    .replace(/[−]/g, '-')
    .split(/ *[/|] *| {3}/);
  let unknown = 0;
  let total = 0;
  const out = words.map((w) =>
    w
      .split(/ +/)
      .filter(Boolean)
      .map((code) => {
        total++;
        return MORSE_CODE[code] ?? (unknown++, '?');
      })
      .join(''),
  );
  return unknown <= total / 10 ? out.join(' ') : undefined;
}

// --- letters spaced out -------------------------------------------------------------------------------------------

// Single letters joined by a mark (`i.g.n.o.r.e`, `T-e-l-l`, `y.o.u./.a.r.e`): at least three.
const JOINED_LETTERS =
  /(?<![\p{L}\p{N}])\p{L}(?:[.\-_*·](?:\/[.\-_*·]?)?\p{L}(?![\p{L}\p{N}])){2,}[.\-_*·]?/gu;
const collapseJoined = (s: string) => s.replace(/\s*\/\s*/g, ' ').replace(/[.\-_*·]/g, '');

// Single letters apart by a space or a line break (`I g n o r e   y o u r`, one letter per line): at least five. Two
// or more spaces (or `/`) end a word.
const SPACED_LETTERS =
  /(?<![\p{L}\p{N}])\p{L}(?:(?: {1,4}| *\/ *|[ \t]*\n[ \t]*)\p{L}(?![\p{L}\p{N}])){4,}/gu;
const collapseSpaced = (s: string) =>
  s
    .split(/ {2,}| *\/ */)
    .map((w) => w.replace(/\s+/g, ''))
    .join(' ');

// --- leetspeak ----------------------------------------------------------------------------------------------------

const LEET: Record<string, string> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
};

/**
 * Words spelt with the digits leetspeak uses for letters (`1gn0r3`, `pr3v10u5`), read back as letters: '1' as i or l,
 * whichever makes a word. Only tokens that then make an English word are read, and only when there are two or more,
 * so that ids, timestamps and model names stay as they are.
 */
function leetParts(text: string, isWord: WordList): Part[] {
  const tokens = [...text.matchAll(/[\p{L}\p{N}@$]+/gu)];
  const read = tokens.map(({ 0: t }) => {
    if (!/\p{L}/u.test(t) || !/[0134578@$]/.test(t)) return undefined;
    const base = t.toLowerCase().replace(/[0345789@$]/g, (c) => LEET[c]);
    const asI = base.replace(/1/g, 'i');
    const asL = base.replace(/1/g, 'l');
    return isWord(asI) ? asI : isWord(asL) ? asL : undefined;
  });
  // Two-letter readings (`m3`, `n0`) count only beside longer ones: alone they are variable names (`s1`, `s4`).
  if (read.filter((r) => r && r.length > 2).length < 2) return [];
  const parts: Part[] = [];
  tokens.forEach((m, i) => {
    // A number between leet words is one too ("15" for "is"); elsewhere it stays a number.
    const among = /^\d{1,4}$/.test(m[0]) && (read[i - 1] || read[i + 1]);
    const decoded =
      read[i] ?? (among ? m[0].replace(/[0-9]/g, (c) => LEET[c] ?? (c === '1' ? 'i' : c)) : undefined);
    if (decoded) parts.push({ start: m.index, end: m.index + m[0].length, decoded });
  });
  return parts;
}

// --- Caesar shifts, reversed text, pig latin ------------------------------------------------------------------

// Segments: lines, and the parts of a line between quotes, brackets, colons and sentence ends.
const SEGMENT = /[^\n:;"“”«»()[\]{}]+/g;
const wordsOf = (s: string) => s.toLowerCase().match(/\p{L}+/gu) ?? [];

/** The share of the words (two letters or more) that are English words. */
function englishShare(words: string[], isWord: WordList): number {
  const long = words.filter((w) => w.length > 1);
  return long.length ? long.filter(isWord).length / long.length : 0;
}

/** Segments of four words or more that are not English but read as English once decoded. */
function segmentParts(text: string, isWord: WordList, decode: (segment: string) => string[]): Part[] {
  const parts: Part[] = [];
  for (const m of text.matchAll(SEGMENT)) {
    const words = wordsOf(m[0]);
    if (words.length < 4 || englishShare(words, isWord) > 0.4) continue;
    const best = decode(m[0])
      .map((decoded) => ({ decoded, share: englishShare(wordsOf(decoded), isWord) }))
      .reduce((a, b) => (b.share > a.share ? b : a), { decoded: '', share: 0 });
    if (best.share >= 0.75) parts.push({ start: m.index, end: m.index + m[0].length, decoded: best.decoded });
  }
  return parts;
}

/** The 25 Caesar shifts (ROT13 is one). */
const caesar = (segment: string) => Array.from({ length: 25 }, (_, i) => rotate(segment, i + 1));

const rotate = (s: string, shift: number) =>
  s.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + shift) % 26) + base);
  });

const reversed = (segment: string) => [[...segment].reverse().join('')];

/** Pig latin (`ouyay areway ownay` for "you are now"): each word's moved consonants put back where it makes a word. */
const pigLatin = (isWord: WordList) => (segment: string) => [
  segment.replace(/\p{L}+/gu, (w) => {
    const lower = w.toLowerCase();
    if (!lower.endsWith('ay') || lower.length < 4) return w;
    const stem = lower.slice(0, -2);
    if (stem.endsWith('w') && isWord(stem.slice(0, -1))) return stem.slice(0, -1);
    for (let k = 1; k <= 3 && k < stem.length; k++) {
      const word = stem.slice(-k) + stem.slice(0, -k);
      if (isWord(word)) return word;
    }
    return w;
  }),
];

// --- a sentence cut into pieces -----------------------------------------------------------------------------------

const LITERAL = /(["'`])((?:(?!\1)[^\\\n]|\\.){1,200})\1/g;

// Between two pieces of one sentence: a few characters that assign, add or list (`'; b = '`, `" + "`, `", "k2": "`, a line
// break and `Let c = `), not a call or a statement of a program.
const PIECE_GAP = /^(?=[^=+,:]*[=+,:])[^\p{L}]{0,12}(?:\p{L}{1,4}[^\p{L}]{1,12}){0,2}$/u;

/**
 * Quoted strings the text asks to join (`a = 'Ignore all prev'; b = 'ious instructions'`, then "a + b"): each run of
 * pieces that follow one another closely, joined, appended after the last one, when the joined run reads as English
 * (source code joins strings too, and the quoted strings of a whole file read as nothing). Two pieces are joined
 * without a space where that makes a word.
 */
function pieces(text: string, isWord: WordList): Part[] {
  if (!/\+|\bconcat|\bjoin|\bcombine|\bappend|\btogether\b/i.test(text)) return [];
  const runs: RegExpExecArray[][] = [];
  let previousEnd = -1;
  for (const m of text.matchAll(LITERAL)) {
    const run = runs.at(-1);
    if (run && PIECE_GAP.test(text.slice(previousEnd, m.index))) run.push(m);
    else runs.push([m]);
    previousEnd = m.index + m[0].length;
  }
  const parts: Part[] = [];
  for (const run of runs) {
    if (run.length < 2) continue;
    let joined = run[0][2];
    for (const m of run.slice(1)) {
      const left = /(\p{L}+)$/u.exec(joined)?.[1] ?? '';
      const right = /^(\p{L}+)/u.exec(m[2])?.[1] ?? '';
      const glued = (left && right && isWord((left + right).toLowerCase())) || /^[^\s\p{L}\p{N}]/u.test(m[2]);
      joined += glued ? m[2] : ` ${m[2]}`;
    }
    const words = wordsOf(joined);
    if (words.length < 3 || englishShare(words, isWord) < 0.75) continue; // an order takes a few words
    const first = run[0].index;
    const last = run[run.length - 1];
    const end = last.index + last[0].length;
    parts.push({ start: first, end, decoded: `${text.slice(first, end)}\n${joined.replace(/ +/g, ' ')}` });
  }
  return parts;
}

// --- initials (acrostics) -----------------------------------------------------------------------------------------

// An acrostic only works if the text tells its reader to read the initials.
const ASKS_FOR_INITIALS = /\b(?:first|initial|capital)\s+letters?\b|\binitials\b|\bacrostic|\bacronym/i;

/**
 * The first letters of the lines of a block (four lines or more), or of the words of a sentence (six or more), when
 * the text asks for them and they spell English words (`ideas green new orange rabbits every` → "ignore"); the words
 * are appended after the block or sentence. Capitals alone are read too where a sentence has four or more.
 */
function initials(text: string, isWord: WordList): Part[] {
  if (!ASKS_FOR_INITIALS.test(text)) return [];
  const parts: Part[] = [];
  const add = (start: number, end: number, letters: string) => {
    const words = segment(letters.toLowerCase(), isWord);
    if (words) parts.push({ start, end, decoded: `${text.slice(start, end)}\n${words.join(' ')}\n` });
  };
  for (const m of text.matchAll(/(?:^[ \t]*\P{L}{0,3}\p{L}[^\n]*(?:\n|$)){4,}/gmu)) {
    add(
      m.index,
      m.index + m[0].length,
      m[0]
        .split('\n')
        .map((l) => /\p{L}/u.exec(l)?.[0] ?? '')
        .join(''),
    );
  }
  for (const m of text.matchAll(/[^\n.!?:"“”]+/g)) {
    const words = m[0].match(/\p{L}+/gu) ?? [];
    const capitals = words.filter((w) => /^\p{Lu}/u.test(w));
    if (words.length >= 6) add(m.index, m.index + m[0].length, words.map((w) => w[0]).join(''));
    if (capitals.length >= 4 && capitals.length < words.length)
      add(m.index, m.index + m[0].length, capitals.map((w) => w[0]).join(''));
  }
  return parts;
}

/** `letters` cut into English words (fewest words; single letters only "a" and "i"), or undefined if it cannot be. */
function segment(letters: string, isWord: WordList): string[] | undefined {
  if (letters.length < 4 || letters.length > 80) return undefined;
  const best: (string[] | undefined)[] = [[]];
  for (let end = 1; end <= letters.length; end++) {
    for (let start = Math.max(0, end - 20); start < end; start++) {
      const word = letters.slice(start, end);
      const before = best[start];
      if (!before || !(word.length > 1 ? isWord(word) : word === 'a' || word === 'i')) continue;
      if (!best[end] || before.length + 1 < best[end]!.length) best[end] = [...before, word];
    }
  }
  const words = best[letters.length];
  // Words of three letters on average: short vocabulary entries can spell any string.
  return words && letters.length / words.length >= 3 ? words : undefined;
}
