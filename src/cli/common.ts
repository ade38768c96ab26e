import { InvalidArgumentError } from 'commander';
import { ZodError } from 'zod';
import { ConfigError, loadSettings, type Settings } from '../config';

/** Exit codes, documented in README and `flywheel --help`. */
export const EXIT = { OK: 0, FAIL: 1, ERROR: 3, USAGE: 2, CANCELLED: 4, UNAVAILABLE: 5 } as const;

/** A user mistake or an unavailable dependency: printed as one clear message, never a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }
}

export function settingsOrExit(): Settings {
  return loadSettings();
}

export function formatZodError(e: ZodError): string {
  return e.issues.map((i) => `  ${i.path.join('.') || '(input)'}: ${i.message}`).join('\n');
}

/** Wraps a command action: known errors become a message and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>) {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`${e.message}\n`);
        process.exitCode = EXIT.USAGE;
      } else if (e instanceof UserError) {
        process.stderr.write(`${e.message}\n`);
        process.exitCode = e.exitCode;
      } else if (e instanceof ZodError) {
        process.stderr.write(`Invalid input:\n${formatZodError(e)}\n`);
        process.exitCode = EXIT.USAGE;
      } else {
        const err = e as Error;
        process.stderr.write(`Error: ${err.message}\n`);
        if (process.env.FLYWHEEL_DEBUG) process.stderr.write(`${err.stack}\n`);
        process.exitCode = EXIT.ERROR;
      }
    }
  };
}

/** Option parser: a finite number. */
export const parseNumber = (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
};

/** Option parser for repeatable, comma-separated lists (`--evaluator a,b --evaluator c`). */
export const parseList = (v: string, prev: string[] = []): string[] => [
  ...prev,
  ...v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
];
