// Starts test/support/worker-process.ts as a child process with a harness env's settings.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../../src/config';

const ROOT = path.resolve(__dirname, '..', '..');

/** Resolves once the child worker polls its task queue(s); `role` as FLYWHEEL_WORKER_ROLE (default `all`). */
export async function spawnWorker(
  s: Settings,
  opts: { role?: Settings['FLYWHEEL_WORKER_ROLE'] } = {},
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('test', 'support', 'worker-process.ts')],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: s.TEMPORAL_ADDRESS,
        TEMPORAL_NAMESPACE: s.TEMPORAL_NAMESPACE,
        FLYWHEEL_TASK_QUEUE: s.FLYWHEEL_TASK_QUEUE,
        FLYWHEEL_DATA_DIR: s.dataDir,
        FLYWHEEL_CORPUS_DIR: s.corpusDir,
        OLLAMA_HOST: s.OLLAMA_HOST,
        FLYWHEEL_PRODUCER_MODEL: s.FLYWHEEL_PRODUCER_MODEL,
        FLYWHEEL_PLANNER_MODEL: s.plannerModel,
        FLYWHEEL_EVALUATOR_MODELS: s.evaluatorModels.join(','),
        FLYWHEEL_EMBED_MODEL: s.embedModel,
        FLYWHEEL_WORKER_ROLE: opts.role ?? 'all',
        LOG_LEVEL: 'warn',
      },
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited early (${code})`)));
  });
  return child;
}

/** SIGKILL: no shutdown, no cleanup, like a power cut. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
