// The test command: the setup steps (test/setup.ts: installs what the tests need on first use), one Temporal dev
// server for the whole run, then node's test runner over test/*.test.ts. FLYWHEEL_TEST_SETUP=0 skips the setup.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../src/temporal/dev-server';
import { runSetup, SetupFailed } from './setup';

async function main() {
  const args = process.argv.slice(2);
  const root = path.resolve(__dirname, '..');
  const files = args.length
    ? args
    : fs
        .readdirSync(path.join(root, 'test'))
        .filter((f) => f.endsWith('.test.ts'))
        .sort()
        .map((f) => path.join('test', f));
  const setupEnv = process.env.FLYWHEEL_TEST_SETUP === '0' ? {} : await runSetup();
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-temporal-')), 'server.log');
  const server = await startDevServer({ logFile });
  process.stderr.write(`Temporal dev server for tests at ${server.address} (log ${logFile})\n`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      // A hung test fails after 20 minutes instead of blocking the run. (The timeout also bounds a whole file:
      // test/train.test.ts, real LoRA trainings on the CPU, took over 10 minutes on a 2-core AMD EPYC.)
      `--test-timeout=${process.env.TEST_TIMEOUT_MS ?? 1_200_000}`,
      `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
      ...files,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...setupEnv, FLYWHEEL_TEST_TEMPORAL_ADDRESS: server.address },
    },
  );
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) =>
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))),
  );
  await server.stop();
  process.exit(code);
}

main().catch((e) => {
  if (e instanceof SetupFailed) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
