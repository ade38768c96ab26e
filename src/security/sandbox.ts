import fs from 'node:fs';
import path from 'node:path';

/** A path that would leave the sandbox root (or cannot be judged safely). */
export class PathSandboxError extends Error {
  readonly code = 'PATH_OUTSIDE_SANDBOX';
  /** No retry can make a refused path acceptable (the error contract, src/errors.ts). */
  readonly retryable = false;
  constructor(
    message: string,
    readonly target: string,
  ) {
    super(message);
    this.name = 'PathSandboxError';
  }
}

const MAX_LINKS = 40;

/** Separator-aware: `/data-evil` is not inside `/data`. The root itself counts as inside. */
function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Real path of `p` where it exists; for the part that does not exist yet, the real path of its longest
 * existing prefix followed by the remaining segments. Symlinks on the way are followed, dangling ones too
 * (a dangling link inside the root pointing outside would otherwise let a write escape).
 */
function realPathOfLongestPrefix(p: string, hops = 0): string {
  if (hops > MAX_LINKS) throw new PathSandboxError('too many symbolic links', p);
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(cur), ...missing);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new PathSandboxError('too many symbolic links', p);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    const link = readLinkOrNull(cur);
    if (link !== null) {
      return realPathOfLongestPrefix(path.join(path.resolve(path.dirname(cur), link), ...missing), hops + 1);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return path.join(cur, ...missing);
    missing.unshift(path.basename(cur));
    cur = parent;
  }
}

function readLinkOrNull(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}

/** Checks that need no file system: NUL bytes, drive letters, dot-only segments, lexical escape. */
function lexicalProblem(rootAbs: string, target: string): string | null {
  if (target.includes('\0')) return 'contains a NUL byte';
  if (target.trim() === '') return 'is empty';
  if (/^[a-zA-Z]:/.test(target)) return 'has a drive letter';
  const segments = target.split(/[\\/]+/);
  // `...`, `....` and `.. ` are names on POSIX but `..` on Windows, and the classic filter-evasion payloads.
  if (segments.some((s) => /^\.\.[.\s]+$|^\.\s+$/.test(s))) return 'has a dot-only path segment';
  const resolved = path.resolve(rootAbs, segments.join('/'));
  if (!isInside(rootAbs, resolved)) return 'escapes the sandbox root';
  return null;
}

function decodeOrSame(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Resolves `target` (relative to `root`, or absolute) to an absolute real path inside `root`, or throws
 * PathSandboxError. Rules:
 * - backslashes count as separators (so `..\\..\\x` is a traversal on every platform);
 * - NUL bytes, drive letters, dot-only segments other than `.`/`..`, and anything resolving outside are refused;
 * - `%` sequences are taken literally (the caller passes decoded strings), but a target whose
 *   percent-decoded form would be refused is refused too (`%2e%2e%2f` never reaches a decoding layer);
 * - symlinks: the real path of the longest existing prefix must stay inside the real path of the root,
 *   so a link inside the root that points outside is refused, dangling or not.
 * The target need not exist; `root` need not exist either (its longest existing prefix is resolved).
 */
export function resolveInside(root: string, target: string): string {
  if (typeof target !== 'string') throw new PathSandboxError('path is not a string', String(target));
  const shown = JSON.stringify(target.length > 200 ? `${target.slice(0, 200)}…` : target);
  if (root.includes('\0')) throw new PathSandboxError('sandbox root contains a NUL byte', root);
  const rootAbs = path.resolve(root);
  const rootReal = realPathOfLongestPrefix(rootAbs);

  for (const candidate of new Set([target, decodeOrSame(target)])) {
    // An absolute target may name the root by its real path or by the path it was given as.
    const base =
      path.isAbsolute(candidate) && isInside(rootReal, path.resolve(candidate)) ? rootReal : rootAbs;
    const problem = lexicalProblem(base, candidate);
    if (problem) throw new PathSandboxError(`path ${shown} ${problem} (${rootAbs})`, target);
  }

  const lexical = path.resolve(rootAbs, target.replace(/\\/g, '/'));
  const real = realPathOfLongestPrefix(lexical);
  if (!isInside(rootReal, real)) {
    throw new PathSandboxError(
      `path ${shown} resolves through a symbolic link outside the sandbox (${rootAbs})`,
      target,
    );
  }
  return real;
}
