// `flywheel …` as a subprocess, the way a user runs it: a clean environment, its exit code and output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { tempDir } from './harness-env';

export const BIN = path.resolve(__dirname, '..', '..', 'bin', 'flywheel.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any Flywheel/Temporal/Ollama/log setting of the caller (caches kept), plus `env`. */
export function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(FLYWHEEL_|TEMPORAL_|OLLAMA_|LOG_)/.test(k) ||
        k === 'TEMPORAL_CLI_PATH' ||
        k === 'FLYWHEEL_CACHE_DIR',
    ),
  );
  return { ...base, LOG_LEVEL: 'warn', ...env };
}

/** Runs `flywheel <args>` to its end (in a fresh folder unless `cwd` is given). */
export function flywheel(
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? tempDir(),
      env: cleanEnv(env),
      timeout: opts.timeoutMs ?? 180_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
