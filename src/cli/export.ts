// `flywheel export sft|dpo|kto|reward`: training data from runs.jsonl and rollout pairs.
import fs from 'node:fs';
import path from 'node:path';
import { Argument, Option, type Command } from 'commander';
import { exportDataset } from '../flywheel/export';
import { EXPORT_KINDS, type ExportFormat, type ExportKind } from '../flywheel/export-rows';
import { numberIn } from '../flywheel/cli-options';
import { loadSynthInstructions } from '../harness/prompts';
import { action, settingsOrExit, UserError } from './common';

interface Opts {
  runs?: string;
  out?: string;
  minScore: number;
  minDelta: number;
  failBelow: number;
  format?: ExportFormat;
  split: number;
  kinds?: string;
  includeRollouts?: boolean;
  system?: string | false;
  allowUnqualified?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('export')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Write a training dataset (JSONL that TRL and Hugging Face datasets load) from runs.jsonl')
    .addArgument(new Argument('<kind>', 'dataset kind').choices(EXPORT_KINDS))
    .option(
      '--runs <file>',
      'runs.jsonl to read (default: <data>/runs.jsonl); record paths are relative to its folder',
    )
    .option('--out <dir>', 'output folder (default: <data>/exports/<kind>)')
    .option('--min-score <n>', 'sft/kto: last score at least this', numberIn(0, 10), 8.5)
    .option('--min-delta <n>', 'dpo/reward: last − first score at least this', numberIn(0, 10), 1.0)
    .option('--fail-below <n>', 'kto: outputs scored below this are undesirable', numberIn(0, 10), 8.0)
    .addOption(
      new Option(
        '--format <f>',
        'rows as chat messages or plain prompt/completion text (default: messages for sft, prompt-completion otherwise)',
      ).choices(['messages', 'prompt-completion']),
    )
    .option('--split <fraction>', 'share of tasks for test.jsonl (by task hash)', numberIn(0, 0.9), 0)
    .option(
      '--kinds <list>',
      'run kinds to read, comma-separated (default: run,rollout; add lit_review to include reviews, scored on another rubric; eval for battery-eval runs)',
    )
    .option('--include-rollouts', 'dpo: also use the rollout pairs in <data>/rollouts/ (reward always does)')
    .option('--system <text>', 'system message of conversational rows (default: the synthesis instructions)')
    .option('--no-system', 'no system message')
    .option(
      '--allow-unqualified',
      'also take runs scored by evaluators not qualified at run time (default: qualified only; the card says so)',
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nBy default only runs whose evaluators were all qualified at run time (flywheel judge qualify) are taken.\n' +
        'Writes <out>/train.jsonl (+ test.jsonl with --split) and a dataset card <out>/README.md.\n' +
        'Load with: datasets.load_dataset("<out>") or load_dataset("json", data_files="<out>/train.jsonl").',
    )
    .action(
      action(async (kind: ExportKind, o: Opts) => {
        const settings = settingsOrExit();
        const runsFile = path.resolve(o.runs ?? path.join(settings.dataDir, 'runs.jsonl'));
        if (!fs.existsSync(runsFile))
          throw new UserError(`No runs file at ${runsFile} (run something first, or pass --runs).`);
        const dataDir = path.dirname(runsFile);
        const ins = loadSynthInstructions(dataDir);
        const system =
          o.system === false ? '' : (o.system ?? `${ins.SYNTH_INSTRUCTION}\n${ins.SYNTH_INSTRUCTION_FORMAT}`);
        const s = await exportDataset({
          kind,
          runsFile,
          dataDir,
          outDir: path.resolve(o.out ?? path.join(settings.dataDir, 'exports', kind)),
          minScore: o.minScore,
          minDelta: o.minDelta,
          failBelow: o.failBelow,
          format: o.format,
          split: o.split,
          runKinds: o.kinds
            ? o.kinds
                .split(',')
                .map((k) => k.trim())
                .filter(Boolean)
            : undefined,
          includeRollouts: o.includeRollouts,
          system,
          allowUnqualified: o.allowUnqualified,
        });
        for (const p of s.problems)
          process.stderr.write(`warning: run ${p.run_id} not exported: ${p.reason}\n`);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(s, (k, v) => (k === 'histograms' ? undefined : v), 2)}\n`);
          return;
        }
        const skipped = [
          s.input.corruptLines && `${s.input.corruptLines} corrupt line(s) skipped`,
          s.input.unusableRecords && `${s.input.unusableRecords} unusable record(s)`,
          s.duplicatesDropped && `${s.duplicatesDropped} duplicate row(s) dropped`,
          s.problems.length && `${s.problems.length} run(s) not exported (see warnings)`,
          s.input.unqualified &&
            (o.allowUnqualified
              ? `${s.input.unqualified} run(s)/pair(s) from unqualified evaluators INCLUDED (--allow-unqualified)`
              : `${s.input.unqualified} run(s)/pair(s) left out: evaluators not qualified at run time ` +
                `(qualify them with \`flywheel judge qualify --models <model>\`, or pass --allow-unqualified)`),
        ].filter(Boolean);
        process.stdout.write(
          `${kind}: ${s.rows.train} train${o.split ? ` / ${s.rows.test} test` : ''} rows from ${s.input.runsRead} records` +
            `${s.input.rolloutPairsRead ? ` and ${s.input.rolloutPairsRead} rollout pairs` : ''} → ${s.outDir}\n` +
            (skipped.length ? `  ${skipped.join('; ')}\n` : '') +
            `  dataset card: ${path.join(s.outDir, 'README.md')}\n`,
        );
      }),
    );
}
