// BERT's uncased WordPiece tokenizer (as Hugging Face's BertNormalizer + BertPreTokenizer + WordPiece do it), for the
// encoder layer (encoder.ts). Every token keeps the span of the input it came from, so a window that scores over the
// threshold can be removed from the text. Parity with the Python tokenizer: test/security-encoder.test.ts.

export interface Tokens {
  ids: number[];
  /** Input span [starts[k], ends[k]) of token k (a word's pieces share their word's span). */
  starts: number[];
  ends: number[];
}

const MAX_WORD_CHARS = 100;
const CONTROL = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]$/u;
const WHITESPACE = /^\s$/u;
const PUNCTUATION = /^[\p{P}!-/:-@[-`{-~]$/u;
const NONSPACING_MARK = /\p{Mn}/gu;

const isChinese = (cp: number) =>
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x20000 && cp <= 0x2a6df) ||
  (cp >= 0x2a700 && cp <= 0x2b73f) ||
  (cp >= 0x2b740 && cp <= 0x2b81f) ||
  (cp >= 0x2b920 && cp <= 0x2ceaf) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0x2f800 && cp <= 0x2fa1f);

export class WordPiece {
  private readonly vocab = new Map<string, number>();
  readonly unk: number;
  readonly cls: number;
  readonly sep: number;

  /** `vocab`: the lines of vocab.txt, a token per line, its id its line number. */
  constructor(vocab: string[]) {
    vocab.forEach((t, i) => {
      if (t && !this.vocab.has(t)) this.vocab.set(t, i);
    });
    const id = (t: string) => {
      const v = this.vocab.get(t);
      if (v === undefined) throw new Error(`vocabulary has no ${t}`);
      return v;
    };
    this.unk = id('[UNK]');
    this.cls = id('[CLS]');
    this.sep = id('[SEP]');
  }

  /** Token ids of `text` without [CLS]/[SEP]. */
  encode(text: string): Tokens {
    const out: Tokens = { ids: [], starts: [], ends: [] };
    let word = '';
    let wordStart = 0;
    let wordEnd = 0;
    const flush = () => {
      if (word) this.pieces(word, wordStart, wordEnd, out);
      word = '';
    };
    let i = 0;
    for (const ch of text) {
      const start = i;
      i += ch.length;
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || (CONTROL.test(ch) && ch !== '\t' && ch !== '\n' && ch !== '\r'))
        continue;
      if (WHITESPACE.test(ch)) {
        flush();
        continue;
      }
      // Accents stripped (NFD, nonspacing marks dropped), then lower-cased, as the uncased model was trained.
      const norm = ch.normalize('NFD').replace(NONSPACING_MARK, '').toLowerCase();
      for (const c of norm) {
        if (isChinese(c.codePointAt(0)!) || PUNCTUATION.test(c)) {
          flush();
          this.pieces(c, start, i, out);
        } else if (WHITESPACE.test(c)) {
          flush();
        } else {
          if (!word) wordStart = start;
          word += c;
          wordEnd = i;
        }
      }
    }
    flush();
    return out;
  }

  /** Greedy longest-match-first pieces of one word; a word with no split is one [UNK]. */
  private pieces(word: string, start: number, end: number, out: Tokens): void {
    const chars = [...word];
    const ids: number[] = [];
    if (chars.length <= MAX_WORD_CHARS) {
      for (let s = 0; s < chars.length;) {
        let found: number | undefined;
        let e = chars.length;
        for (; e > s; e--) {
          found = this.vocab.get((s > 0 ? '##' : '') + chars.slice(s, e).join(''));
          if (found !== undefined) break;
        }
        if (found === undefined) {
          ids.length = 0;
          break;
        }
        ids.push(found);
        s = e;
      }
    }
    if (ids.length === 0) ids.push(this.unk);
    for (const id of ids) {
      out.ids.push(id);
      out.starts.push(start);
      out.ends.push(end);
    }
  }
}
