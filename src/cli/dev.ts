// `flywheel dev`: the local Temporal dev server (state in <dataDir>/temporal.db), a worker, and Ollama.
import { InvalidArgumentError, type Command } from 'commander';
import { logger } from '../log';
import { ensureSweeperSchedule } from '../harness/sweeper-schedule';
import { connectClient } from '../temporal/connection';
import {
  assertPortsFree,
  checkModels,
  demoNotice,
  missingModelLines,
  onStopSignal,
  settingsModels,
  splitAddress,
  startStack,
} from './embedded';
import { action, EXIT, settingsOrExit } from './common';

interface DevOptions {
  port?: number;
  uiPort?: number;
  ollama: boolean;
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new InvalidArgumentError('expected a port number (1-65535).');
  return n;
};

export function register(program: Command): void {
  program
    .command('dev')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Start the local Temporal dev server (Web UI, state in <data>/temporal.db), a worker and, unless one ' +
        'answers at OLLAMA_HOST, a managed Ollama with the demo model. Ctrl-C stops all of them.',
    )
    .option(
      '--port <port>',
      'gRPC port of the dev server (default: the port of TEMPORAL_ADDRESS, 7233)',
      port,
    )
    .option('--ui-port <port>', 'Web UI port (default: TEMPORAL_UI_PORT, 8233)', port)
    .option('--no-ollama', 'do not start or check Ollama (use the one at OLLAMA_HOST as it is)')
    .addHelpText(
      'after',
      '\nExamples:\n  flywheel dev\n  flywheel dev --port 7300 --ui-port 8300\n  OLLAMA_HOST=http://gpu-box:11434 flywheel dev --no-ollama\n' +
        `\nExit codes: 0 stopped cleanly, ${EXIT.USAGE} bad settings, ${EXIT.UNAVAILABLE} a port is busy or a service could not start.`,
    )
    .action(action(dev));
}

async function dev(opts: DevOptions): Promise<number> {
  const settings = settingsOrExit();
  const grpcPort = opts.port ?? splitAddress(settings.TEMPORAL_ADDRESS).port;
  const uiPort = opts.uiPort ?? settings.TEMPORAL_UI_PORT;
  await assertPortsFree(grpcPort, uiPort, {
    port: 'pick another port: `flywheel dev --port <n>`',
    uiPort: 'pick another: `flywheel dev --ui-port <n>`',
  });

  const log = logger({ level: settings.LOG_LEVEL, pretty: settings.LOG_PRETTY });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`Starting the Temporal dev server (state in ${settings.dataDir}/temporal.db)...`);
  const stack = await startStack(settings, {
    temporal: { port: grpcPort, uiPort },
    worker: true,
    ollama: opts.ollama,
    log,
    say,
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  const s = stack.settings;
  let stopped: () => void = () => {};
  const stoppedP = new Promise<void>((resolve) => (stopped = resolve));
  const unhook = onStopSignal((sig) => {
    say(`\n${sig}: stopping the worker, the dev server${stack.ollama?.managed ? ' and Ollama' : ''}...`);
    stopped();
  });
  try {
    say(`Temporal Web UI: ${stack.server!.uiUrl}`);
    say(`Temporal gRPC:   ${s.TEMPORAL_ADDRESS}  (namespace ${s.TEMPORAL_NAMESPACE})`);
    say(`Worker polling task queue "${stack.worker!.taskQueue}" (and "${stack.worker!.taskQueue}-audit").`);
    // Terminated / timed-out runs get their records from the sweeper, every 5 minutes.
    const client = await connectClient(s);
    try {
      const sweeper = await ensureSweeperSchedule(client, stack.worker!.taskQueue);
      say(`Sweeper schedule: ${sweeper.scheduleId} (every 5 min)`);
    } finally {
      await client.connection.close();
    }
    if (opts.ollama) {
      const check = await checkModels(s.OLLAMA_HOST, settingsModels(s));
      say(`Ollama:          ${check.host}${stack.ollama?.managed ? ' (managed, stops with Ctrl-C)' : ''}`);
      if (check.missing.length)
        process.stderr.write(
          `Models missing at ${check.host}:\n${missingModelLines(check.missing).join('\n')}\n`,
        );
      const notice = demoNotice(settingsModels(s));
      if (notice) say(notice);
    } else say(`Ollama:          ${s.OLLAMA_HOST} (not checked: --no-ollama)`);
    say('Run a task in another terminal: flywheel run "<task>". Ctrl-C stops everything.');
    await Promise.race([stoppedP, stack.workerDone]);
  } finally {
    await stack.stop();
    unhook();
  }
  say('Stopped.');
  return EXIT.OK;
}
