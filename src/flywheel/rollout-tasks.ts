import fs from 'node:fs';
import { UserError } from '../cli/common';
import { readTaskFile } from './tasks';

/** The tasks of a user's file, with bad lines reported on stderr; an unusable file is a user error. */
export function tasksFromFile(file: string): string[] {
  if (!fs.existsSync(file)) throw new UserError(`No task file at ${file}.`);
  const list = readTaskFile(file);
  for (const p of list.problems) process.stderr.write(`warning: ${file}:${p.line}: skipped (${p.reason})\n`);
  if (!list.tasks.length)
    throw new UserError(
      `${file} has no tasks (one per line; blank lines and lines starting with # are ignored).`,
    );
  return list.tasks;
}
