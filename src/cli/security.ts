// `flywheel security eval <file>`: measure the injection scanner (rules + classifier) on any labelled JSONL.
import type { Command } from 'commander';
import { evaluateScanner, formatReport, LabelledFileError, readLabelled } from '../security/eval';
import { action, settingsOrExit, UserError } from './common';

const threshold = (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new UserError(`--threshold: expected a number in (0, 1], got ${v}`, 2);
  return n;
};

export function register(program: Command): void {
  const security = program
    .command('security')
    .description('The prompt-injection scanner and its measurements');
  security
    .command('eval <file>')
    .exitOverride()
    .description(
      'Recall on attacks and false-positive rate on benign texts, per label and per source, for a labelled JSONL',
    )
    .option(
      '--threshold <p>',
      "classifier threshold (default: FLYWHEEL_INJECTION_THRESHOLD, else the model's own)",
      threshold,
    )
    .option('--rules-only', 'measure the rules alone (classifier off)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nEach line: {"text": "...", "label": "injection"|"jailbreak"|"benign"|1|0, "source": "..." (optional)}.\n' +
        'A text counts as caught when the scan blocks it (warnings do not count). Sources are reported separately,\n' +
        'so keep one file per origin or tag rows with "source". The shipped model\'s own held-out figures:\n' +
        '`npx tsx scripts/build-injection-model.ts` (docs/security.md).',
    )
    .action(
      action(async (file: string, o: { threshold?: number; rulesOnly?: boolean; json?: boolean }) => {
        settingsOrExit(); // validates FLYWHEEL_INJECTION_THRESHOLD
        let rows;
        try {
          rows = readLabelled(file);
        } catch (e) {
          if (e instanceof LabelledFileError) throw new UserError(e.message, 2);
          throw e;
        }
        const tty = process.stderr.isTTY;
        const report = evaluateScanner(
          rows,
          { classifier: o.rulesOnly ? 'off' : 'block', threshold: o.threshold },
          (done, total) => {
            if (total >= 500)
              process.stderr.write(`${tty ? '\r' : ''}scanned ${done}/${total}${tty ? '' : '\n'}`);
          },
        );
        if (tty && rows.length >= 500) process.stderr.write('\n');
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      }),
    );
}
