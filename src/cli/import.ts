// `flywheel import <runs.jsonl>`: bring the Python harness's history into data/runs.jsonl.
import fs from 'node:fs';
import type { Command } from 'commander';
import { importRuns } from '../flywheel/import';
import { action, settingsOrExit, UserError } from './common';

export function register(program: Command): void {
  program
    .command('import <file>')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Import a runs.jsonl written by the original Python harness (outputs copied into <data>/outputs/)',
    )
    .option(
      '--outputs-root <dir>',
      "folder the records' output_path is relative to (default: the file's folder, then its parent)",
    )
    .option('--json', 'print the report as JSON')
    .action(
      action(async (file: string, o: { outputsRoot?: string; json?: boolean }) => {
        const settings = settingsOrExit();
        if (!fs.existsSync(file)) throw new UserError(`No file at ${file}.`);
        const r = await importRuns({ file, dataDir: settings.dataDir, outputsRoot: o.outputsRoot });
        if (o.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        for (const u of r.unknownShapes)
          process.stderr.write(
            `warning: ${file}:${u.line}${u.run_id ? ` (${u.run_id})` : ''}: not imported: ${u.reason}\n`,
          );
        for (const id of r.outputsMissing)
          process.stderr.write(`warning: run ${id}: output file not found, imported without it\n`);
        process.stdout.write(
          `imported ${r.imported} of ${r.read} records (${r.alreadyPresent} already present, ${r.unknownShapes.length} unknown shape, ` +
            `${r.corruptLines} corrupt lines); ${r.outputsCopied} output files copied\n`,
        );
      }),
    );
}
