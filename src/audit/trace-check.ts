// Validates a Chrome Trace Event Format object the way a strict viewer would read it. [] means valid.

const PHASES = new Set([
  'B',
  'E',
  'X',
  'i',
  'I',
  'M',
  'C',
  'b',
  'e',
  'n',
  's',
  't',
  'f',
  'O',
  'N',
  'D',
  'P',
  'R',
]);
const MAX_ERRORS = 50;

interface Open {
  name: string;
  index: number;
}

export function checkTrace(trace: unknown): string[] {
  const errors: string[] = [];
  let extra = 0;
  const err = (msg: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(msg);
    else extra += 1;
  };
  if (trace === null || typeof trace !== 'object' || Array.isArray(trace))
    return ['trace is not a JSON object'];
  const events = (trace as { traceEvents?: unknown }).traceEvents;
  if (!Array.isArray(events)) return ['traceEvents is missing or not an array'];

  const stacks = new Map<string, Open[]>();
  const lastTs = new Map<string, number>();
  const usedThreads = new Map<string, number>(); // "pid:tid" -> first event index
  const usedPids = new Set<number>();
  const namedThreads = new Set<string>();
  const namedPids = new Set<number>();

  events.forEach((ev: unknown, i: number) => {
    if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) return err(`event ${i}: not an object`);
    const e = ev as Record<string, unknown>;
    const where = `event ${i} (${String(e.ph)} ${JSON.stringify(e.name)})`;
    if (typeof e.name !== 'string' || e.name === '') err(`${where}: name must be a non-empty string`);
    if (typeof e.ph !== 'string' || !PHASES.has(e.ph))
      return err(`${where}: unknown phase ${JSON.stringify(e.ph)}`);
    if (!Number.isInteger(e.pid) || !Number.isInteger(e.tid))
      return err(`${where}: pid and tid must be integers`);
    const pid = e.pid as number;
    const thread = `${pid}:${e.tid as number}`;

    if (e.ph === 'M') {
      const args = e.args as Record<string, unknown> | undefined;
      if (e.name === 'process_name' || e.name === 'thread_name') {
        if (!args || typeof args.name !== 'string') return err(`${where}: args.name must be a string`);
        if (e.name === 'process_name') namedPids.add(pid);
        else namedThreads.add(thread);
      }
      return;
    }

    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts) || e.ts < 0) {
      return err(`${where}: ts must be a number >= 0`);
    }
    usedPids.add(pid);
    if (!usedThreads.has(thread)) usedThreads.set(thread, i);
    if (e.ph === 'X' && (typeof e.dur !== 'number' || !(e.dur >= 0))) err(`${where}: X event needs dur >= 0`);
    if (e.ph !== 'B' && e.ph !== 'E') return;

    const prev = lastTs.get(thread);
    if (prev !== undefined && e.ts < prev)
      err(`${where}: ts ${e.ts} goes back in time on tid ${thread} (after ${prev})`);
    lastTs.set(thread, Math.max(prev ?? 0, e.ts));

    let stack = stacks.get(thread);
    if (!stack) {
      stack = [];
      stacks.set(thread, stack);
    }
    if (e.ph === 'B') {
      stack.push({ name: String(e.name), index: i });
      return;
    }
    const top = stack.pop();
    if (!top) return err(`${where}: E with no open B on tid ${thread}`);
    if (top.name !== e.name) {
      err(
        `${where}: closes ${JSON.stringify(top.name)} (opened at event ${top.index}) — spans cross on tid ${thread}`,
      );
    }
  });

  for (const [thread, stack] of stacks) {
    for (const open of stack)
      err(`B ${JSON.stringify(open.name)} at event ${open.index} is never closed on tid ${thread}`);
  }
  for (const [thread, first] of usedThreads) {
    if (!namedThreads.has(thread))
      err(`tid ${thread} (first used at event ${first}) has no thread_name M event`);
  }
  for (const pid of usedPids) {
    if (!namedPids.has(pid)) err(`pid ${pid} has no process_name M event`);
  }
  if (extra > 0) errors.push(`… and ${extra} more`);
  return errors;
}
