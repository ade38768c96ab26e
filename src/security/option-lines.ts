/**
 * The entries of a command's option list, which the encoder does not score. "-h, --help  show this help message and
 * exit" or "-n, --dry-run  print the actions that would be taken" are terse imperatives about a program, and the
 * encoder (trained on no technical text) reads them as orders to a model: alone, that help line scores 0.995, and even
 * "-A, --show-all" alone scores 0.986. The rules and the n-gram classifier still read every entry. What an attacker can
 * hide from the encoder this way is bounded: only lines that start with a flag, and at most MAX_CONTINUATION
 * deeper-indented lines after one, each at most MAX_LINE characters. docs/security.md, "Option lists".
 */

export interface Span {
  start: number;
  end: number;
}

// A flag (not -5: a number) with an optional argument (-o FILE, --output=FILE, --mode <m>, -k[=N], {a,b}; a capital
// letter alone only if it cannot be a word: "-U, --users A list of…"; any script: --user=ANVÄNDARE), then more flags after commas.
const FLAG = String.raw`(?:-[A-Za-z?]|--[\p{L}\p{N}][\p{L}\p{N}_.-]*)(?:[= ]?(?:<[^>\n]*>|\[[^\]\n]*\]|\{[^}\n]*\}|\p{Lu}[\p{Lu}\p{N}_-]+|[B-HJ-Z])(?![\p{L}\p{N}]))?`;
const ENTRY = new RegExp(String.raw`^([ \t]*)${FLAG}(?:,[ \t]*${FLAG})*(?=[ \t]|$)`, 'u');
const MAX_LINE = 200;
const MAX_CONTINUATION = 3;

/** Where the option entries are in `text`: a line that starts with flags (from its first flag), and the next lines
 * indented deeper than it (a description wrapped or written below its flags). */
export function optionEntries(text: string): Span[] {
  const spans: Span[] = [];
  let indent = -1;
  let continued = 0;
  for (const m of text.matchAll(/[^\n]*/g)) {
    const line = m[0].replace(/\r$/, '');
    const lead = line.length - line.trimStart().length;
    const entry = line.length <= MAX_LINE ? ENTRY.exec(line) : null;
    if (entry) {
      [indent, continued] = [entry[1].length, 0];
      spans.push({ start: m.index + entry[1].length, end: m.index + line.length });
    } else if (
      indent >= 0 &&
      line.trim() &&
      lead > indent &&
      line.length <= MAX_LINE &&
      continued < MAX_CONTINUATION
    ) {
      continued++;
      spans.push({ start: m.index + lead, end: m.index + line.length });
    } else if (line.trim()) indent = -1;
  }
  return spans;
}

/** `text` with its option entries blanked (same length, so positions still map to the text). */
export function withoutOptionEntries(text: string): string {
  let out = '';
  let pos = 0;
  for (const s of optionEntries(text)) {
    out += text.slice(pos, s.start) + ' '.repeat(s.end - s.start);
    pos = s.end;
  }
  return out + text.slice(pos);
}
