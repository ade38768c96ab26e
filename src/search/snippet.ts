/** The window of `text` (about `width` characters) that contains the most distinct query terms. */
export function makeSnippet(text: string, terms: string[], width = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return flat;
  const lower = flat.toLowerCase();
  const wanted = [...new Set(terms.map((t) => t.toLowerCase()).filter((t) => t.length > 2))];
  let best = 0;
  let bestScore = -1;
  const step = Math.max(20, Math.floor(width / 4));
  for (let start = 0; start < flat.length; start += step) {
    const window = lower.slice(start, start + width);
    const score = wanted.filter((t) => window.includes(t)).length;
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
    if (start + width >= flat.length) break;
  }
  // Start at a word boundary.
  if (best > 0) {
    const space = flat.indexOf(' ', best);
    if (space !== -1 && space - best < 30) best = space + 1;
  }
  const end = Math.min(flat.length, best + width);
  return `${best > 0 ? '…' : ''}${flat.slice(best, end).trim()}${end < flat.length ? '…' : ''}`;
}
