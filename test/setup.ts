// What the tests need, installed on first use by `npm test` (idempotent; everything heavy is cached in
// ~/.cache/flywheel): one line per step with its time; a step's full output goes to its log, whose tail is shown
// only when the step fails. Run alone: `npx tsx test/setup.ts`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readyVenvPython } from '../src/util/python-env';
import { logTail, startStepLine, type ProgressOut } from '../src/util/progress';
import { stepLogFile } from '../src/util/tool-cache';
import { TEST_VENV } from './support/python';

const ROOT = path.resolve(__dirname, '..');
const tsx = (script: string) => [process.execPath, '--import', 'tsx', path.join(ROOT, script)];

/** The steps, in order; each is one command whose output goes to its log. */
export interface SetupStep {
  id: string;
  what: string;
  cmd: string[];
}

export const SETUP_STEPS: SetupStep[] = [
  {
    id: 'system',
    what: 'system packages (chromium, python3-venv, g++, qemu-user)',
    cmd: tsx('scripts/ensure-system-packages.ts'),
  },
  {
    id: 'python',
    what: 'Python test environment (pandas, datasets, schemathesis)',
    cmd: tsx('scripts/ensure-test-python.ts'),
  },
  { id: 'temporal', what: 'Temporal CLI (dev server)', cmd: tsx('scripts/ensure-temporal.ts') },
  {
    id: 'cluster',
    what: 'cluster mode: PostgreSQL + temporal-server',
    cmd: tsx('scripts/ensure-cluster.ts'),
  },
  { id: 'ollama', what: 'Ollama + demo model', cmd: tsx('scripts/ensure-ollama.ts') },
  { id: 'train', what: 'training environment + demo weights', cmd: tsx('scripts/ensure-train.ts') },
  {
    id: 'compose',
    what: 'docker compose plugin',
    cmd: ['bash', path.join(ROOT, 'scripts/ensure-docker-compose.sh')],
  },
  { id: 'web', what: 'dashboard page build', cmd: ['npm', 'run', '--silent', 'build:web'] },
];

/** Runs one step with its output in its log; one line on `out`, plus the log's tail when it fails. */
export function runStep(step: SetupStep, out: ProgressOut = process.stderr): Promise<boolean> {
  const logFile = stepLogFile(`setup-${step.id}`);
  fs.writeFileSync(logFile, '');
  const line = startStepLine(step.what, logFile, out);
  const log = fs.openSync(logFile, 'a');
  return new Promise((resolve) => {
    const [cmd, ...args] = step.cmd;
    // Inner tools print their own progress lines; here they belong in the step's log.
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', log, log] });
    const finish = (ok: boolean) => {
      fs.closeSync(log);
      line.end(ok);
      if (!ok) out.write(`${logTail(logFile)}\n(full log: ${logFile})\n`);
      resolve(ok);
    };
    child.on('error', (e) => {
      fs.appendFileSync(logFile, `${e.message}\n`);
      finish(false);
    });
    child.on('close', (code) => finish(code === 0));
  });
}

/** Runs every step; resolves to the environment the tests get (FLYWHEEL_TEST_PYTHON), or throws on the first failure. */
export async function runSetup(): Promise<NodeJS.ProcessEnv> {
  const t0 = Date.now();
  process.stderr.write('Test setup (first run installs and builds; later runs only check):\n');
  for (const step of SETUP_STEPS)
    if (!(await runStep(step))) throw new SetupFailed(`test setup failed at: ${step.what}`);
  process.stderr.write(`Test setup done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const python = readyVenvPython(TEST_VENV);
  return python ? { FLYWHEEL_TEST_PYTHON: python } : {};
}

export class SetupFailed extends Error {}

if (require.main === module)
  runSetup().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
