// A Flywheel worker in a process of its own, with settings from the environment: for tests that SIGKILL it.
// Prints "ready" once polling; exits when its stdin closes, so a test that dies never leaves it behind.
import { loadSettings } from '../../src/config';
import { logger } from '../../src/log';
import { createWorker } from '../../src/worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  const worker = await createWorker({ settings, log: logger({ level: 'warn', pretty: false }) });
  const running = worker.run();
  process.stdout.write('ready\n');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.once('SIGTERM', () => worker.shutdown());
  await running;
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`worker process: ${(e as Error).message}\n`);
  process.exit(1);
});
