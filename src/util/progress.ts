// One progress line per long step (a build, an install): what, elapsed, where the full log is. The step's own
// output goes to the log file; its tail is shown only when the step fails.
import fs from 'node:fs';

export interface StepLine {
  /** Ends the line: `✔ what  12.3 s` or `✖ what  12.3 s  (log …)`. */
  end(ok: boolean, note?: string): void;
}

/** Where progress lines go: stderr, or anything with `write` (a terminal when `isTTY`). */
export interface ProgressOut {
  write(s: string): unknown;
  isTTY?: boolean;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Starts the line for one step on `out` (stderr by default). On a terminal it ticks the elapsed time in place; elsewhere
 * (CI logs, pipes) it prints the line when the step ends, plus a "still running" line each minute of a long step.
 */
export function startStepLine(what: string, logFile: string, out: ProgressOut = process.stderr): StepLine {
  const t0 = Date.now();
  const tty = Boolean(out.isTTY);
  const show = (mark: string) => `${mark} ${what}  ${secs(Date.now() - t0)}  (log ${logFile})`;
  const timer = tty
    ? setInterval(() => out.write(`\r\x1b[K${show('…')}`), 1000)
    : setInterval(() => out.write(`${show('… still running:')}\n`), 60_000);
  timer.unref();
  if (tty) out.write(show('…'));
  return {
    end(ok, note) {
      clearInterval(timer);
      const line = show(ok ? '✔' : '✖') + (note ? `  ${note}` : '');
      out.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`);
    },
  };
}

/** The last `n` non-empty lines of a log file (what a failed step shows). */
export function logTail(logFile: string, n = 30): string {
  let text = '';
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return '';
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
}
