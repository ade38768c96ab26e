// Reads a `/lit-review` harness task into review options. Pure (runs inside the harness workflow).

export interface LitReviewTaskOptions {
  topic: string;
  from?: string;
  to?: string;
  maxPapers?: number;
  sources?: ('arxiv' | 'semanticscholar' | 'openalex' | 'local')[];
  corpus?: string;
  template?: 'survey' | 'gaps';
}

/** A task that cannot be read; the message says what to fix. */
export class LitReviewTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LitReviewTaskError';
  }
}

const SOURCES = ['arxiv', 'semanticscholar', 'openalex', 'local'] as const;
const USAGE =
  'usage: /lit-review "<topic>" [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--max-papers N] [--source local,arxiv,...] [--corpus file] [--template survey|gaps]';

function tokens(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * `/lit-review "agent memory" --from 2024-01-01 --max-papers 30` → options. A task without the command
 * (one the auto-hook picked up) is all topic. A corpus must be a name inside the corpus folder.
 */
export function parseLitReviewTask(task: string): LitReviewTaskOptions {
  const text = task.trim();
  const command = /^\/lit-review(?:\s+|$)/i.exec(text);
  if (!command) return { topic: text.replace(/\s+/g, ' ').slice(0, 500) };
  const args = tokens(text.slice(command[0].length));
  const topicWords: string[] = [];
  let i = 0;
  while (i < args.length && !args[i].startsWith('--')) topicWords.push(args[i++]);
  const opts: LitReviewTaskOptions = { topic: topicWords.join(' ').trim() };
  while (i < args.length) {
    const raw = args[i++];
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = eq > 0 ? raw.slice(eq + 1) : args[i++];
    if (value === undefined || value.startsWith('--'))
      throw new LitReviewTaskError(`${flag} needs a value; ${USAGE}`);
    switch (flag) {
      case '--from':
      case '--to':
        if (!isDate(value))
          throw new LitReviewTaskError(`${flag} must be a date like 2024-01-31, got "${value}"`);
        opts[flag === '--from' ? 'from' : 'to'] = value;
        break;
      case '--max-papers': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 1000)
          throw new LitReviewTaskError(`--max-papers must be a whole number from 1 to 1000, got "${value}"`);
        opts.maxPapers = n;
        break;
      }
      case '--source': {
        const names = value
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const bad = names.filter((n) => !(SOURCES as readonly string[]).includes(n));
        if (!names.length || bad.length)
          throw new LitReviewTaskError(`--source takes ${SOURCES.join(', ')}; got "${value}"`);
        opts.sources = names as LitReviewTaskOptions['sources'];
        break;
      }
      case '--corpus':
        if (value.startsWith('/') || value.startsWith('~') || value.split(/[\\/]/).includes('..'))
          throw new LitReviewTaskError(`--corpus must name a file inside the corpus folder, got "${value}"`);
        opts.corpus = value;
        break;
      case '--template':
        if (value !== 'survey' && value !== 'gaps')
          throw new LitReviewTaskError(`--template is survey or gaps, got "${value}"`);
        opts.template = value;
        break;
      default:
        throw new LitReviewTaskError(`unknown option ${flag}; ${USAGE}`);
    }
  }
  if (opts.topic.length < 3) throw new LitReviewTaskError(`the topic is missing or too short; ${USAGE}`);
  if (opts.from && opts.to && opts.from > opts.to)
    throw new LitReviewTaskError(`--from ${opts.from} is after --to ${opts.to}`);
  opts.topic = opts.topic.slice(0, 500);
  return opts;
}
