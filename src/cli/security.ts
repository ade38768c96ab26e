// `flywheel security eval <file>`: measure the injection scanner (rules + classifier + encoder) on any labelled JSONL.
import fs from 'node:fs';
import type { Command } from 'commander';
import { EncoderUnavailableError } from '../security/encoder';
import { evaluateScanner, formatReport, LabelledFileError, readLabelled } from '../security/eval';
import { action, settingsOrExit, UserError } from './common';

const threshold = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new UserError(`${flag}: expected a number in (0, 1], got ${v}`, 2);
  return n;
};

function openForWriting(file: string): number {
  try {
    return fs.openSync(file, 'w');
  } catch (e) {
    throw new UserError(
      `--misses: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      2,
    );
  }
}

interface EvalOptions {
  threshold?: number;
  encoderThreshold?: number;
  encoder: boolean;
  rulesOnly?: boolean;
  json?: boolean;
  misses?: string;
  translate: boolean;
}

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
      threshold('--threshold'),
    )
    .option(
      '--encoder-threshold <p>',
      "encoder threshold (default: FLYWHEEL_INJECTION_ENCODER_THRESHOLD, else the encoder's own)",
      threshold('--encoder-threshold'),
    )
    .option('--no-encoder', 'measure rules + classifier without the encoder layer')
    .option('--rules-only', 'measure the rules alone (classifier and encoder off)')
    .option(
      '--no-translate',
      'do not scan the English gloss of lines in other languages (FLYWHEEL_INJECTION_TRANSLATE)',
    )
    .option('--json', 'print the report as JSON')
    .option(
      '--misses <out.jsonl>',
      "also write every attack let through and every benign text blocked, with each layer's findings and scores",
    )
    .addHelpText(
      'after',
      '\nEach line: {"text": "...", "label": "injection"|"jailbreak"|"benign"|1|0, "source": "..." (optional)}.\n' +
        'A text counts as caught when the scan blocks it (warnings do not count). Sources are reported separately,\n' +
        'so keep one file per origin or tag rows with "source". The shipped layers\' own held-out figures:\n' +
        '`npx tsx scripts/build-injection-model.ts` (classifier), src/security/injection-encoder/meta.json (encoder);\n' +
        'docs/security.md explains both.',
    )
    .action(
      action(async (file: string, o: EvalOptions) => {
        settingsOrExit(); // validates FLYWHEEL_INJECTION_THRESHOLD and the encoder settings
        let rows;
        try {
          rows = readLabelled(file);
        } catch (e) {
          if (e instanceof LabelledFileError) throw new UserError(e.message, 2);
          throw e;
        }
        // Opened before the scan, so a bad path fails now and not after an hour of scanning.
        const missesFd = o.misses === undefined ? undefined : openForWriting(o.misses);
        const counts = { missed: 0, false_positive: 0 };
        const tty = process.stderr.isTTY;
        // FLYWHEEL_INJECTION_ENCODER=off is applied by the scanner itself.
        const encoderOn = !o.rulesOnly && o.encoder;
        let report;
        try {
          report = await evaluateScanner(
            rows,
            {
              classifier: o.rulesOnly ? 'off' : 'block',
              threshold: o.threshold,
              encoder: encoderOn ? 'block' : 'off',
              encoderThreshold: o.encoderThreshold,
              ...(o.translate ? {} : { translate: false }),
            },
            {
              onProgress: (done, total) => {
                if (total >= 500)
                  process.stderr.write(`${tty ? '\r' : ''}scanned ${done}/${total}${tty ? '' : '\n'}`);
              },
              onMistake:
                missesFd === undefined
                  ? undefined
                  : (m) => {
                      counts[m.kind]++;
                      fs.writeSync(missesFd, `${JSON.stringify(m)}\n`);
                    },
            },
          );
        } catch (e) {
          if (e instanceof EncoderUnavailableError) throw new UserError(e.message, 1);
          throw e;
        } finally {
          if (missesFd !== undefined) fs.closeSync(missesFd);
        }
        if (tty && rows.length >= 500) process.stderr.write('\n');
        if (o.misses !== undefined)
          process.stderr.write(
            `wrote ${counts.missed} missed attacks and ${counts.false_positive} blocked benign texts to ${o.misses}\n`,
          );
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      }),
    );
}
