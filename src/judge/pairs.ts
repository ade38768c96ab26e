/**
 * Labelled pair files for evaluator qualification: read in the common shapes, checked row by row, and stored
 * once in the data folder in one canonical shape (JSONL, content-addressed) that the workflow passes by path.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readDataFile, writeDataFile } from '../activities/deps';

/** The default pair set: 100 LLMBar "Natural" pairs (MIT), see datasets/judge/README. */
export const DEFAULT_PAIRS_FILE = path.resolve(
  __dirname,
  '..',
  '..',
  'datasets',
  'judge',
  'llmbar-natural.json',
);

/** One pair: an instruction, two answers in the order the file gives them, and which one is better. */
export interface JudgePair {
  instruction: string;
  output_1: string;
  output_2: string;
  /** 1 when output_1 is the better answer, 2 when output_2 is. */
  label: 1 | 2;
}

/** A pair file that cannot be used; `message` names the row and the reason. */
export class PairFileError extends Error {}

const SHAPES =
  'expected {input, output_1, output_2, label: 1|2}, {prompt, chosen, rejected} or ' +
  '{question, response_A, response_B, label: "A>B"|"B>A"}';

const text = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** One row in any of the accepted shapes, or why not. */
export function toPair(row: unknown): JudgePair | string {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return `not a JSON object (${SHAPES})`;
  const r = row as Record<string, unknown>;
  const need = (keys: string[]) => {
    const bad = keys.filter((k) => !text(r[k]));
    return bad.length ? `${bad.map((k) => `"${k}"`).join(', ')} missing or empty` : null;
  };
  if ('output_1' in r || 'output_2' in r) {
    const miss = need(['input', 'output_1', 'output_2']);
    if (miss) return miss;
    const label = Number(r.label);
    if (label !== 1 && label !== 2) return `"label" must be 1 or 2 (got ${JSON.stringify(r.label)})`;
    return {
      instruction: r.input as string,
      output_1: r.output_1 as string,
      output_2: r.output_2 as string,
      label,
    };
  }
  if ('chosen' in r || 'rejected' in r) return preferencePair(r);
  if ('response_A' in r || 'response_B' in r) {
    const miss = need(['question', 'response_A', 'response_B']);
    if (miss) return miss;
    const label = typeof r.label === 'string' ? r.label.replace(/\s+/g, '') : r.label;
    if (label !== 'A>B' && label !== 'B>A')
      return `"label" must be "A>B" or "B>A" (got ${JSON.stringify(r.label)})`;
    return {
      instruction: r.question as string,
      output_1: r.response_A as string,
      output_2: r.response_B as string,
      label: label === 'A>B' ? 1 : 2,
    };
  }
  return `unknown row shape with keys ${Object.keys(r).slice(0, 8).join(', ') || '(none)'} (${SHAPES})`;
}

type Message = { role: string; content: string };
const isMessages = (v: unknown): v is Message[] =>
  Array.isArray(v) &&
  v.length > 0 &&
  v.every((m) => m && typeof m === 'object' && typeof m.role === 'string' && typeof m.content === 'string');
const contents = (ms: Message[]) => ms.map((m) => m.content).join('\n\n');

/**
 * TRL's preference rows: `prompt`/`chosen`/`rejected` as strings, or conversational (lists of {role, content}),
 * or with the prompt implicit in `chosen`/`rejected` (the shared leading non-assistant messages).
 */
function preferencePair(r: Record<string, unknown>): JudgePair | string {
  const answer = (k: 'chosen' | 'rejected'): string | null => {
    const v = r[k];
    if (text(v)) return v;
    if (!isMessages(v)) return null;
    const replies = v.filter((m) => m.role === 'assistant');
    return replies.length ? contents(replies) : null;
  };
  const chosen = answer('chosen');
  const rejected = answer('rejected');
  let prompt: string | null = text(r.prompt) ? r.prompt : isMessages(r.prompt) ? contents(r.prompt) : null;
  if (prompt === null && r.prompt === undefined && isMessages(r.chosen)) {
    const lead = r.chosen.slice(
      0,
      r.chosen.findIndex((m) => m.role === 'assistant'),
    );
    prompt = lead.length ? contents(lead) : null;
  }
  const bad = [
    prompt === null ? '"prompt"' : '',
    chosen === null ? '"chosen"' : '',
    rejected === null ? '"rejected"' : '',
  ].filter(Boolean);
  if (bad.length)
    return `${bad.join(', ')} missing or empty (a string, or a list of {role, content} messages)`;
  return { instruction: prompt!, output_1: chosen!, output_2: rejected!, label: 1 };
}

/** Reads a JSON array or JSONL pair file; any bad row fails the whole file with its row number. */
export function readPairFile(file: string): JudgePair[] {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PairFileError(`Cannot read the pair file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let rows: { n: number; value: unknown }[];
  const trimmed = raw.trimStart();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new PairFileError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    rows = (parsed as unknown[]).map((value, i) => ({ n: i + 1, value }));
  } else {
    rows = [];
    const lines = raw.split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      try {
        rows.push({ n: i + 1, value: JSON.parse(line) });
      } catch (e) {
        throw new PairFileError(`${file}, line ${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    }
  }
  if (!rows.length) throw new PairFileError(`${file} has no pairs.`);
  const where = trimmed.startsWith('[') ? 'row' : 'line';
  return rows.map(({ n, value }) => {
    const p = toPair(value);
    if (typeof p === 'string') throw new PairFileError(`${file}, ${where} ${n}: ${p}`);
    if (p.output_1 === p.output_2)
      throw new PairFileError(`${file}, ${where} ${n}: the two answers are identical`);
    return p;
  });
}

export interface StoredPairSet {
  /** Data-relative path of the canonical JSONL. */
  path: string;
  name: string;
  sha256: string;
  n_total: number;
}

export const pairSetRel = (sha256: string) => `evaluators/pairsets/${sha256.slice(0, 16)}.jsonl`;

/** Stores the pairs in the data folder (canonical JSONL, named by its hash) and describes them. */
export function storePairSet(dataDir: string, name: string, pairs: JudgePair[]): StoredPairSet {
  const body = pairs.map((p) => JSON.stringify(p)).join('\n') + '\n';
  const sha256 = createHash('sha256').update(body).digest('hex');
  const rel = pairSetRel(sha256);
  writeDataFile(dataDir, rel, body);
  return { path: rel, name, sha256, n_total: pairs.length };
}

/** The stored pairs (canonical JSONL written by storePairSet). */
export function loadPairSet(dataDir: string, rel: string): JudgePair[] {
  return readDataFile(dataDir, rel)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JudgePair);
}
