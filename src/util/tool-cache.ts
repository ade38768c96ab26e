import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logTail, startStepLine } from './progress';

/** Cache folder for binaries Flywheel builds or downloads: outside the repo, shared by runs and CI. */
export function cacheDir(...parts: string[]): string {
  const base =
    process.env.FLYWHEEL_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'flywheel');
  return path.join(base, ...parts);
}

export function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** First match of `name` on PATH, or undefined. */
export function whichOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

export function hasGo(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** The log file of a step, under the cache's logs folder: its latest full output (each run starts it afresh). */
export function stepLogFile(what: string): string {
  const slug =
    what
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'step';
  const file = cacheDir('logs', `${slug}.log`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

/**
 * Runs a command with its output going to a log file and one progress line on stderr (what, elapsed, the log's
 * path); rejects on non-zero exit with the log's tail. FLYWHEEL_VERBOSE_BUILD=1 streams the output as well.
 */
export function runLogged(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; label: string; quiet?: boolean },
) {
  const logFile = stepLogFile(opts.label);
  const log = fs.createWriteStream(logFile);
  log.write(`$ ${cmd} ${args.join(' ')}\n`);
  const line =
    opts.quiet || process.env.FLYWHEEL_QUIET_BUILD === '1' ? undefined : startStepLine(opts.label, logFile);
  const verbose = process.env.FLYWHEEL_VERBOSE_BUILD === '1';
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (b: Buffer) => {
      log.write(b);
      if (verbose) process.stderr.write(b);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const finish = (err?: Error) =>
      log.end(() => {
        line?.end(!err);
        if (!err) return resolve();
        const tail = logTail(logFile);
        reject(new Error(`${err.message}${tail ? `:\n${tail}` : ''}\n(full log: ${logFile})`));
      });
    child.on('error', (e) => finish(e));
    child.on('close', (code) =>
      finish(code === 0 ? undefined : new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** Cross-process guard so two processes never build the same tool at once. */
export async function withBuildLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockPath);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30 * 60_000) fs.rmSync(lockPath, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for build lock ${lockPath}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { recursive: true, force: true });
  }
}
