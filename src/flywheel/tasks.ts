// Task lists for rollouts: a text file (one task per line, `#` comments) or JSONL ({"task": ...} or a string).
import fs from 'node:fs';

export const TASK_MIN = 3;
export const TASK_MAX = 8000;

export interface TaskList {
  tasks: string[];
  /** Lines that are not usable tasks, with their 1-based line number. */
  problems: { line: number; reason: string }[];
}

export function parseTaskList(text: string, jsonl: boolean): TaskList {
  const tasks: string[] = [];
  const problems: TaskList['problems'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || (!jsonl && line.startsWith('#'))) return;
    let task: unknown = line;
    if (jsonl) {
      try {
        const v = JSON.parse(line) as unknown;
        task = typeof v === 'string' ? v : (v as { task?: unknown } | null)?.task;
      } catch {
        problems.push({ line: i + 1, reason: 'invalid JSON' });
        return;
      }
    }
    if (typeof task !== 'string') return void problems.push({ line: i + 1, reason: 'no "task" string' });
    const t = task.trim();
    if (t.length < TASK_MIN || t.length > TASK_MAX)
      return void problems.push({
        line: i + 1,
        reason: `a task must have ${TASK_MIN}–${TASK_MAX} characters`,
      });
    tasks.push(t);
  });
  return { tasks, problems };
}

export function readTaskFile(file: string): TaskList {
  return parseTaskList(fs.readFileSync(file, 'utf8'), /\.jsonl?$/i.test(file));
}
