// The governance files the dashboard may show or edit: an explicit allowlist of names mapped to fixed paths under
// data/governance/. Names are looked up, never joined into paths; edits are atomic and keep the previous version.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { writeDataFile } from '../activities/deps';
import { loadSynthInstructions, SYNTH_FILE } from '../harness/prompts';
import { PathSandboxError, resolveInside } from '../security/sandbox';
import { recordSecurityEvent } from '../security/events';
import { ApiError } from './errors';

export type FileFormat = 'markdown' | 'json' | 'synth_instructions';

export interface GovFile {
  name: string;
  /** Relative to the data folder. */
  rel: string;
  editable: boolean;
  format: FileFormat;
  description: string;
}

const FIXED: GovFile[] = [
  {
    name: 'AGENTS.md',
    rel: 'governance/AGENTS.md',
    editable: true,
    format: 'markdown',
    description: 'Standing instructions for the agents',
  },
  {
    name: 'ROADMAP.md',
    rel: 'governance/ROADMAP.md',
    editable: true,
    format: 'markdown',
    description: 'What the harness is being steered towards',
  },
  {
    name: 'profile.md',
    rel: 'governance/profile.md',
    editable: true,
    format: 'markdown',
    description: 'The user profile',
  },
  {
    name: 'config.json',
    rel: 'governance/config.json',
    editable: false,
    format: 'json',
    description: 'User configuration (read-only here)',
  },
  {
    name: 'synth_instructions',
    rel: SYNTH_FILE,
    editable: true,
    format: 'synth_instructions',
    description: 'The three SYNTH_INSTRUCTION values the next run uses',
  },
];

const KNOWLEDGE_DIR = 'governance/knowledge';
const WIKI_FILE = /^[a-z0-9][a-z0-9_-]{0,80}\.md$/;
export const MAX_FILE_BYTES = 512 * 1024;

export const SynthInstructionsSchema = z.strictObject({
  SYNTH_INSTRUCTION: z.string().trim().min(1).max(8000),
  SYNTH_INSTRUCTION_REVISE: z.string().trim().min(1).max(8000),
  SYNTH_INSTRUCTION_FORMAT: z.string().trim().min(1).max(8000),
});

/** Wiki pages: regular files directly in governance/knowledge/ with a plain name; read-only. */
function wikiFiles(dataDir: string): GovFile[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(path.join(dataDir, KNOWLEDGE_DIR), { withFileTypes: true });
  } catch {
    return [];
  }
  return names
    .filter((d) => d.isFile() && WIKI_FILE.test(d.name))
    .map((d) => d.name)
    .sort()
    .slice(0, 500)
    .map((f) => ({
      name: `knowledge/${f}`,
      rel: `${KNOWLEDGE_DIR}/${f}`,
      editable: false,
      format: 'markdown' as const,
      description: 'Knowledge wiki page (read-only)',
    }));
}

export function allowlist(dataDir: string): GovFile[] {
  return [...FIXED, ...wikiFiles(dataDir)];
}

const looksLikeTraversal = (name: string) =>
  name.includes('..') ||
  name.includes('\\') ||
  name.includes('\0') ||
  name.startsWith('/') ||
  /%|^[a-z]:/i.test(name);

/** The allowlisted file called `name`, or a 400 (traversal attempt, recorded as a security event) / 404. */
export async function lookup(dataDir: string, name: string): Promise<GovFile> {
  if (looksLikeTraversal(name)) {
    await recordSecurityEvent(dataDir, {
      runId: null,
      eventType: 'path_sandbox',
      layer: 'file_api',
      severity: 'block',
      detail: `dashboard file name refused: ${JSON.stringify(name.slice(0, 80))}`,
    });
    throw new ApiError(400, 'invalid_name', 'file names are names from the allowlist, not paths');
  }
  const f = allowlist(dataDir).find((x) => x.name === name);
  if (!f)
    throw new ApiError(
      404,
      'not_in_allowlist',
      'no governance file by that name (GET /api/system/files lists them)',
    );
  return f;
}

export const versionOf = (content: string) => createHash('sha256').update(content).digest('hex').slice(0, 16);

function stat(abs: string): fs.Stats | null {
  try {
    return fs.lstatSync(abs);
  } catch {
    return null;
  }
}

/** lstat of an allowlisted file; null when absent or when it resolves out of the data folder (a symlink). */
function statInside(dataDir: string, rel: string): fs.Stats | null {
  try {
    return stat(resolveInside(dataDir, rel));
  } catch (err) {
    if (err instanceof PathSandboxError) return null;
    throw err;
  }
}

export function describe(dataDir: string, f: GovFile) {
  const st = statInside(dataDir, f.rel);
  const ok = st?.isFile() ?? false;
  return {
    name: f.name,
    path: f.rel,
    editable: f.editable,
    format: f.format,
    description: f.description,
    exists: ok,
    size: ok ? st!.size : 0,
    updated_at: ok ? st!.mtime.toISOString() : null,
  };
}

/** The file's content; for synth_instructions that does not exist yet, the values runs use (the defaults). */
export function readGov(dataDir: string, f: GovFile) {
  const abs = resolveInside(dataDir, f.rel);
  const st = stat(abs);
  let content = '';
  let exists = false;
  if (st?.isFile()) {
    if (st.size > MAX_FILE_BYTES) throw new ApiError(413, 'file_too_large', 'the file is too large to show');
    content = fs.readFileSync(abs, 'utf8');
    exists = true;
  } else if (f.format === 'synth_instructions') {
    content = `${JSON.stringify(loadSynthInstructions(dataDir), null, 2)}\n`;
  }
  const prev = stat(`${abs}.prev`);
  return {
    ...describe(dataDir, f),
    exists,
    content,
    version: versionOf(content),
    has_previous: prev?.isFile() ?? false,
  };
}

/** Validates the new content for the file's format and returns what is written. */
function validated(f: GovFile, content: string): string {
  if (content.includes('\0')) throw new ApiError(400, 'invalid_content', 'the content contains a NUL byte');
  if (Buffer.byteLength(content) > MAX_FILE_BYTES)
    throw new ApiError(413, 'file_too_large', `at most ${MAX_FILE_BYTES} bytes`);
  if (f.format === 'markdown') return content;
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new ApiError(400, 'invalid_content', 'the content is not valid JSON');
  }
  if (f.format === 'synth_instructions') {
    const parsed = SynthInstructionsSchema.safeParse(json);
    if (!parsed.success)
      throw new ApiError(
        400,
        'invalid_content',
        'synth_instructions must be an object with exactly SYNTH_INSTRUCTION, SYNTH_INSTRUCTION_REVISE and SYNTH_INSTRUCTION_FORMAT (non-empty strings)',
        parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      );
    return `${JSON.stringify(parsed.data, null, 2)}\n`;
  }
  return content;
}

/** Replaces the file atomically (temp + rename); the version it replaces is kept as `<file>.prev`. */
export function writeGov(dataDir: string, f: GovFile, content: string, baseVersion?: string) {
  if (!f.editable) throw new ApiError(403, 'read_only', `${f.name} is read-only in the dashboard`);
  const next = validated(f, content);
  const current = readGov(dataDir, f);
  if (baseVersion !== undefined && baseVersion !== current.version)
    throw new ApiError(
      409,
      'version_conflict',
      'the file changed since it was read; reload it and edit again',
    );
  if (current.exists) writeDataFile(dataDir, `${f.rel}.prev`, current.content);
  writeDataFile(dataDir, f.rel, next);
  return readGov(dataDir, f);
}
