// `flywheel worker`: only a worker, against TEMPORAL_ADDRESS.
import type { Command } from 'commander';
import { logger } from '../log';
import { runWorkerUntilSignal } from '../worker';
import { action, EXIT, settingsOrExit, UserError } from './common';
import {
  checkModels,
  missingModelLines,
  ollamaDownRemedy,
  settingsModels,
  temporalAnswers,
} from './embedded';

export function register(program: Command): void {
  program
    .command('worker')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Run a worker (workflows, stage activities and the audit writer) against the Temporal server at ' +
        'TEMPORAL_ADDRESS, polling FLYWHEEL_TASK_QUEUE, until Ctrl-C.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  flywheel worker\n  TEMPORAL_ADDRESS=temporal.internal:7233 FLYWHEEL_TASK_QUEUE=gpu flywheel worker\n' +
        `\nExit codes: 0 stopped cleanly, ${EXIT.USAGE} bad settings, ${EXIT.UNAVAILABLE} the Temporal server is unreachable.`,
    )
    .action(action(worker));
}

async function worker(): Promise<number> {
  const settings = settingsOrExit();
  if (!(await temporalAnswers(settings.TEMPORAL_ADDRESS, 5000)))
    throw new UserError(
      `Cannot reach the Temporal server at ${settings.TEMPORAL_ADDRESS}. ` +
        'Fix: start one with `flywheel dev` (it runs a worker too), or set TEMPORAL_ADDRESS.',
      EXIT.UNAVAILABLE,
    );
  // Ollama is needed by the activities, not to start: warn, keep going.
  const check = await checkModels(settings.OLLAMA_HOST, settingsModels(settings));
  if (!check.reachable) process.stderr.write(`Warning: ${ollamaDownRemedy(check.host)}\n`);
  else if (check.missing.length)
    process.stderr.write(
      `Warning: models missing at ${check.host}:\n${missingModelLines(check.missing).join('\n')}\n`,
    );
  const log = logger({ level: settings.LOG_LEVEL, pretty: settings.LOG_PRETTY });
  await runWorkerUntilSignal(settings, log);
  return EXIT.OK;
}
