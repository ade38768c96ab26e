import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import MiniSearch from 'minisearch';
import { makeSnippet } from './snippet';
import {
  DEFAULT_LIMIT,
  SearchError,
  type SearchOptions,
  type SearchProvider,
  type SearchResult,
} from './types';

interface Doc {
  n: number;
  id: string;
  url: string;
  title: string;
  text: string;
}

interface Built {
  index: MiniSearch<Doc>;
  docs: Doc[];
}

interface FileEntry {
  abs: string;
  rel: string;
  mtimeMs: number;
  size: number;
}

const EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.jsonl']);
const STOPWORDS = new Set(
  'a an and are as at be by for from has have how in into is it its of on or that the their this to was were what when which with'.split(
    ' ',
  ),
);

// One index per folder for the whole process, rebuilt when a file is added, removed or modified.
const cache = new Map<string, { signature: string; built: Promise<Built> }>();

/** Lower case, no stop words, plural `s` dropped, so that "agents" finds "agent". */
function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  if (t.length < 2 || STOPWORDS.has(t)) return null;
  if (t.length > 3 && t.endsWith('s') && !t.endsWith('ss') && !t.endsWith('us') && !t.endsWith('is')) {
    return t.endsWith('ies') ? `${t.slice(0, -3)}y` : t.slice(0, -1);
  }
  return t;
}

function howToFill(dir: string): string {
  return (
    `add .md, .txt or .jsonl documents to ${dir} (jsonl: one JSON object per line with "title" and ` +
    `"abstract" or "text"), or point FLYWHEEL_CORPUS_DIR at a folder that has them`
  );
}

async function listFiles(root: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const seenDirs = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await fs.promises.realpath(dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const abs = path.join(dir, e.name);
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(abs);
      } catch {
        continue; // dangling link, or removed meanwhile
      }
      if (st.isDirectory()) await walk(abs);
      else if (st.isFile() && EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
        out.push({ abs, rel: path.relative(root, abs), mtimeMs: st.mtimeMs, size: st.size });
      }
    }
  };
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(root);
  } catch {
    throw new SearchError(`search corpus folder ${root} does not exist: ${howToFill(root)}`, {
      retryable: false,
    });
  }
  if (!st.isDirectory()) {
    throw new SearchError(`search corpus ${root} is not a folder: ${howToFill(root)}`, { retryable: false });
  }
  await walk(root);
  return out;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const first = (o: Record<string, unknown>, keys: string[]) =>
  keys.map((k) => str(o[k]).trim()).find(Boolean) ?? '';

function docsFromJsonl(f: FileEntry, content: string, push: (d: Omit<Doc, 'n'>) => void): void {
  const lines = content.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      return; // a torn or invalid line is skipped, like everywhere else
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) return;
    const rec = o as Record<string, unknown>;
    const title = first(rec, ['title']);
    const text = first(rec, ['abstract', 'text', 'content', 'body']);
    if (!title && !text) return;
    const lineUrl = `${pathToFileURL(f.abs).href}#L${i + 1}`;
    push({
      id: first(rec, ['id', 'arxiv_id']) || `${f.rel}#L${i + 1}`,
      url: first(rec, ['url', 'abs_url']) || lineUrl,
      title: title || text.slice(0, 80),
      text,
    });
  });
}

function docFromText(f: FileEntry, content: string): Omit<Doc, 'n'> {
  const isMarkdown = f.abs.endsWith('.md') || f.abs.endsWith('.markdown');
  const heading = isMarkdown ? /^#\s+(.+)$/m.exec(content)?.[1] : undefined;
  const firstLine =
    content
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '';
  const title = (heading ?? (isMarkdown ? '' : firstLine.slice(0, 120))).trim() || path.basename(f.abs);
  return { id: f.rel.split(path.sep).join('/'), url: pathToFileURL(f.abs).href, title, text: content };
}

async function build(files: FileEntry[]): Promise<Built> {
  const docs: Doc[] = [];
  const push = (d: Omit<Doc, 'n'>) => docs.push({ ...d, n: docs.length });
  for (const f of files) {
    const content = await fs.promises.readFile(f.abs, 'utf8');
    if (f.abs.toLowerCase().endsWith('.jsonl')) docsFromJsonl(f, content, push);
    else if (content.trim()) push(docFromText(f, content));
  }
  const index = new MiniSearch<Doc>({
    idField: 'n',
    fields: ['title', 'text'],
    processTerm,
    searchOptions: { boost: { title: 2 }, combineWith: 'OR' },
  });
  index.addAll(docs);
  return { index, docs };
}

/** BM25 (MiniSearch's BM25+) over the .md/.txt/.jsonl documents of a folder, recursively. */
export class LocalSearchProvider implements SearchProvider {
  readonly name = 'local';
  readonly dir: string;

  constructor(corpusDir: string) {
    this.dir = path.resolve(corpusDir);
  }

  async search(query: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
    opts.signal?.throwIfAborted();
    const files = await listFiles(this.dir);
    if (files.length === 0) {
      throw new SearchError(`search corpus folder ${this.dir} has no documents: ${howToFill(this.dir)}`, {
        retryable: false,
      });
    }
    const signature = files.map((f) => `${f.rel}\0${f.mtimeMs}\0${f.size}`).join('\n');
    let entry = cache.get(this.dir);
    if (!entry || entry.signature !== signature) {
      entry = { signature, built: build(files) };
      cache.set(this.dir, entry);
      const mine = entry;
      mine.built.catch(() => {
        if (cache.get(this.dir) === mine) cache.delete(this.dir);
      });
    }
    const { index, docs } = await entry.built;
    opts.signal?.throwIfAborted();
    if (docs.length === 0) {
      throw new SearchError(
        `search corpus folder ${this.dir} has no readable documents: ${howToFill(this.dir)}`,
        {
          retryable: false,
        },
      );
    }
    const limit = Math.max(1, opts.limit ?? DEFAULT_LIMIT);
    const words = query.split(/[\s\p{P}]+/u);
    return index
      .search(query)
      .slice(0, limit)
      .map((hit) => {
        const doc = docs[hit.id as number];
        return {
          id: doc.id,
          url: doc.url,
          title: doc.title,
          snippet: makeSnippet(doc.text || doc.title, [...words, ...hit.terms]),
          text: doc.text,
          score: hit.score,
          source: this.name,
        };
      });
  }
}
