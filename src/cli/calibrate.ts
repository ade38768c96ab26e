// `flywheel calibrate --human <file>`: evaluator agreement with human ratings.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { calibrate, type EvaluatorCalibration } from '../flywheel/calibrate';
import { numberIn } from '../flywheel/cli-options';
import { table } from '../flywheel/table';
import { action, settingsOrExit, UserError } from './common';
import { boundLlm } from '../llm/bound';

interface Opts {
  human: string;
  runs?: string;
  threshold: number;
  position: boolean;
  positionPairs: number;
  json?: boolean;
}

function positionCell(e: EvaluatorCalibration): string | null {
  const p = e.position;
  if (!p) return null;
  if (p.error && p.asked === 0) return 'error';
  return p.consistency === null ? '-' : `${p.consistency} (${p.consistent}/${p.asked - p.unusable})`;
}

export function register(program: Command): void {
  program
    .command('calibrate')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'How well each evaluator agrees with human ratings (agreement, Spearman, Kendall, kappa, position)',
    )
    .requiredOption(
      '--human <file>',
      'human ratings: <data>/feedback.jsonl, or JSONL/CSV rows with run_id + human_score, or better_run_id + worse_run_id',
    )
    .option('--runs <file>', 'runs.jsonl with the evaluator scores (default: <data>/runs.jsonl)')
    .option('--threshold <n>', 'pass/fail threshold for kappa (both sides)', numberIn(0, 10), 8.0)
    .option('--no-position', 'skip the position-consistency check (it calls each evaluator model)')
    .option(
      '--position-pairs <n>',
      'pairs asked per evaluator, each in both orders',
      numberIn(1, 1000, true),
      20,
    )
    .option('--json', 'print JSON')
    .action(
      action(async (o: Opts) => {
        const settings = settingsOrExit();
        if (!fs.existsSync(o.human)) throw new UserError(`No human ratings file at ${o.human}.`);
        const runsFile = path.resolve(o.runs ?? path.join(settings.dataDir, 'runs.jsonl'));
        if (!fs.existsSync(runsFile)) throw new UserError(`No runs file at ${runsFile}.`);
        const r = await calibrate({
          humanFile: o.human,
          runsFile,
          dataDir: path.dirname(runsFile),
          threshold: o.threshold,
          positionPairs: o.position ? o.positionPairs : 0,
          llm: {
            llm: boundLlm({ host: settings.OLLAMA_HOST, timeoutMs: settings.FLYWHEEL_LLM_TIMEOUT_S * 1000 }),
            temperature: settings.FLYWHEEL_EVALUATOR_TEMPERATURE,
            numPredict: 64,
          },
        });
        if (o.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        process.stdout.write(
          `${r.ratedRuns} rated runs (${r.unmatchedRuns} not in runs.jsonl), pairs: ${r.pairs.file} from the file + ` +
            `${r.pairs.derived} derived (same task, different ratings)${r.pairs.unmatched ? `, ${r.pairs.unmatched} unmatched` : ''}\n\n`,
        );
        if (!r.evaluators.length)
          return void process.stdout.write('no evaluator scores match the rated runs\n');
        process.stdout.write(
          `${table(
            [
              'evaluator',
              'n',
              'spearman',
              'kendall_tau_b',
              `kappa@${r.threshold}`,
              'mean_gap',
              'pairs',
              'agreement',
              'position',
            ],
            r.evaluators.map((e) => [
              e.model,
              e.n,
              e.spearman,
              e.kendallTauB,
              e.kappa,
              e.meanGap,
              e.pairs,
              e.pairAgreement,
              positionCell(e),
            ]),
          )}\n`,
        );
        for (const e of r.evaluators)
          if (e.position?.error)
            process.stderr.write(`warning: position check for ${e.model}: ${e.position.error}\n`);
        if (r.skippedRows.length)
          process.stderr.write(`${r.skippedRows.length} row(s) of ${o.human} were not ratings\n`);
      }),
    );
}
