// A Flywheel worker in a child process, for tests that SIGKILL it mid-review. Run as a script it loads settings
// from the environment, prints "ready" once polling and exits when its stdin closes (a dying test leaves nothing).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../../src/config';
import { loadSettings } from '../../src/config';
import { logger } from '../../src/log';
import { createWorker } from '../../src/worker';

/** Starts the worker process with `settings` (task queue included); resolves once it polls. */
export async function spawnLitWorker(settings: Settings): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    cwd: path.resolve(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: settings.TEMPORAL_ADDRESS,
      FLYWHEEL_TASK_QUEUE: settings.FLYWHEEL_TASK_QUEUE,
      FLYWHEEL_DATA_DIR: settings.dataDir,
      FLYWHEEL_CORPUS_DIR: settings.corpusDir,
      OLLAMA_HOST: settings.OLLAMA_HOST,
      FLYWHEEL_PRODUCER_MODEL: settings.FLYWHEEL_PRODUCER_MODEL,
      FLYWHEEL_PLANNER_MODEL: settings.plannerModel,
      FLYWHEEL_EVALUATOR_MODELS: settings.evaluatorModels.join(','),
      FLYWHEEL_EMBED_MODEL: settings.embedModel,
      LOG_LEVEL: 'warn',
    },
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`worker process exited early (${code ?? signal})`)),
    );
  });
  return child;
}

async function main() {
  const worker = await createWorker({
    settings: loadSettings(),
    log: logger({ level: 'warn', pretty: false }),
  });
  const done = worker.run();
  process.stdout.write('ready\n');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.once('SIGTERM', () => worker.shutdown());
  await done;
  process.exit(0);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
