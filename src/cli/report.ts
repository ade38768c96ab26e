// `flywheel report reward-hacking`: per rollout batch, the signals of scores decoupling from quality.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { LENGTH_R_FLAG, rewardHackingReport } from '../flywheel/reward-hacking';
import { table } from '../flywheel/table';
import { action, settingsOrExit, UserError } from './common';

export function register(program: Command): void {
  const report = program.command('report').exitOverride().description('Reports over the audit log');
  report
    .command('reward-hacking')
    .exitOverride() // usage errors reach main(), which exits 2
    .description('Per rollout batch over time: score vs output length, mean score, evaluator vs human gap')
    .option('--runs <file>', 'runs.jsonl (default: <data>/runs.jsonl)')
    .option('--human <file>', 'human ratings (default: <data>/feedback.jsonl when present)')
    .option('--json', 'print JSON')
    .action(
      action(async (o: { runs?: string; human?: string; json?: boolean }) => {
        const settings = settingsOrExit();
        const runsFile = path.resolve(o.runs ?? path.join(settings.dataDir, 'runs.jsonl'));
        if (!fs.existsSync(runsFile)) throw new UserError(`No runs file at ${runsFile}.`);
        if (o.human && !fs.existsSync(o.human)) throw new UserError(`No human ratings file at ${o.human}.`);
        const r = await rewardHackingReport({
          runsFile,
          dataDir: path.dirname(runsFile),
          humanFile: o.human,
        });
        if (o.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        if (!r.batches.length) return void process.stdout.write('no rollout batches in the log\n');
        process.stdout.write(
          `${table(
            [
              'batch',
              'started',
              'scored',
              'mean',
              'Δmean',
              'len_r',
              'len_rho',
              'pairs',
              'rated',
              'human',
              'gap',
              'flags',
            ],
            r.batches.map((b) => [
              b.batchId,
              b.startedAt?.slice(0, 16) ?? null,
              b.scored,
              b.meanScore,
              b.meanScoreChange,
              b.lengthCorrelation,
              b.lengthSpearman,
              b.pairs,
              b.rated,
              b.meanHuman,
              b.humanGap,
              b.flags.join(',') || null,
            ]),
          )}\n\nlen_r: Pearson r of score with output length (flag length-bias above ${LENGTH_R_FLAG}); ` +
            'gap: mean evaluator − human score (flag gap-widening when it grows).\n',
        );
      }),
    );
}
