// `flywheel battery create|list|show`: frozen, versioned held-out task sets that exports never train on.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import {
  createBattery,
  listBatteries,
  loadBattery,
  runTasks,
  sampleTasks,
  BATTERY_NAME_RE,
} from '../flywheel/battery';
import { readTaskFile } from '../flywheel/tasks';
import { action, settingsOrExit, UserError } from './common';

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new UserError(`--sample: expected 1–100000, got ${v}`, 2);
  return n;
};

export function register(program: Command): void {
  const battery = program
    .command('battery')
    .description(
      'Held-out task batteries (data/batteries/): evaluated by `flywheel eval`, never exported for training',
    );

  battery
    .command('create <name>')
    .exitOverride()
    .description(
      'Freeze a new battery (or the next version of one) from a task file or a sample of past runs',
    )
    .option('--from <file>', 'tasks: one a line (.txt, # comments) or JSONL ({"task": ...})')
    .option('--sample <n>', 'n distinct tasks sampled (deterministically) from runs.jsonl', count)
    .option('--runs <file>', 'runs.jsonl for --sample (default: <data>/runs.jsonl)')
    .option('--json', 'print the battery as JSON')
    .addHelpText(
      'after',
      '\nEach version is written once (v1.jsonl, v2.jsonl, ... read-only) with its SHA-256 in v<N>.meta.json.\n' +
        'Tasks that earlier exports already contain are listed: retrain without them before trusting scores.',
    )
    .action(
      action(async (name: string, o: { from?: string; sample?: number; runs?: string; json?: boolean }) => {
        const settings = settingsOrExit();
        if (!BATTERY_NAME_RE.test(name))
          throw new UserError(`battery name: lowercase letters, digits, - and _ (got ${name})`, 2);
        if (Boolean(o.from) === Boolean(o.sample))
          throw new UserError('give one of --from <file> or --sample <n>', 2);
        let tasks: string[];
        let source: string;
        if (o.from) {
          if (!fs.existsSync(o.from)) throw new UserError(`--from: no such file ${o.from}`, 2);
          const list = readTaskFile(o.from);
          for (const p of list.problems) process.stderr.write(`${o.from}:${p.line}: skipped (${p.reason})\n`);
          tasks = list.tasks;
          source = `file:${path.resolve(o.from)}`;
        } else {
          const runs = path.resolve(o.runs ?? path.join(settings.dataDir, 'runs.jsonl'));
          const all = await runTasks(runs);
          if (all.length < o.sample!)
            throw new UserError(`--sample ${o.sample}: ${runs} has only ${all.length} distinct tasks`, 2);
          tasks = sampleTasks(all, o.sample!);
          source = `sample:${o.sample} of ${all.length} tasks in ${runs}`;
        }
        if (!tasks.length) throw new UserError('no usable tasks', 2);
        const { battery: b, alreadyExported } = createBattery(settings.dataDir, name, tasks, { source });
        if (alreadyExported.length) {
          process.stderr.write(
            `warning: ${alreadyExported.length} of these tasks are in existing exports (later exports withhold them; ` +
              'models trained on those exports have seen them):\n',
          );
          for (const t of alreadyExported) process.stderr.write(`  ${t.file}: ${t.task.slice(0, 100)}\n`);
        }
        if (o.json) console.log(JSON.stringify({ ...b, already_exported: alreadyExported }, null, 2));
        else
          console.log(`battery ${b.name}@v${b.version}: ${b.tasks} tasks, sha256 ${b.sha256.slice(0, 12)}`);
        return 0;
      }),
    );

  battery
    .command('list')
    .description('List batteries and their versions')
    .option('--json', 'print as JSON')
    .action(
      action(async (o: { json?: boolean }) => {
        const all = listBatteries(settingsOrExit().dataDir);
        if (o.json) console.log(JSON.stringify(all, null, 2));
        else if (!all.length) console.log('no batteries (flywheel battery create <name> --from <file>)');
        else
          for (const b of all)
            console.log(`${b.name}@v${b.version}\t${b.tasks} tasks\t${b.created_at}\t${b.source}`);
        return 0;
      }),
    );

  battery
    .command('show <ref>')
    .exitOverride()
    .description('Print the tasks of <name> or <name>@v<N> (default: the latest version)')
    .option('--json', 'print as JSON')
    .action(
      action(async (ref: string, o: { json?: boolean }) => {
        const b = loadBattery(settingsOrExit().dataDir, ref);
        if (!b) throw new UserError(`no battery ${ref} (see flywheel battery list)`, 2);
        if (o.json) console.log(JSON.stringify(b, null, 2));
        else for (const t of b.items) console.log(`${t.task_hash}\t${t.task}`);
        return 0;
      }),
    );
}
