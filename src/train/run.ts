// Runs python/flywheel_train.py in the training venv and reports its JSON-line progress events.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TRAIN_SCRIPT } from './env';

export type TrainKind = 'sft' | 'dpo';

/** Training arguments: all of them go into the model's lineage. */
export interface TrainArgs {
  kind: TrainKind;
  steps: number;
  saveSteps: number;
  batch: number;
  lr: number;
  loraR: number;
  maxLen: number;
  seed: number;
}

export const DEFAULT_TRAIN_ARGS: Omit<TrainArgs, 'kind'> = {
  steps: 20,
  saveSteps: 5,
  batch: 2,
  lr: 2e-4,
  loraR: 8,
  maxLen: 512,
  seed: 0,
};

export type TrainEvent =
  | { event: 'step'; step: number; max_steps: number; loss: number; tokens: number; seconds: number }
  | { event: 'checkpoint'; step: number; path: string }
  | { event: 'resume'; step: number; path: string }
  | TrainDone;

export interface TrainDone {
  event: 'done';
  kind: TrainKind;
  steps: number;
  final_loss: number | null;
  train_loss: number;
  tokens: number;
  seconds: number;
  tokens_per_s: number | null;
  threads: number;
  device: string;
  merged: string;
  resumed_from: string | null;
}

/**
 * Trains `base` (a Hugging Face weights folder) on `<datasetDir>/train.jsonl` into `outDir` (checkpoints/,
 * merged/). A second call with the same outDir resumes from the last checkpoint. `signal` kills the process.
 */
export function runTraining(opts: {
  python: string;
  datasetDir: string;
  base: string;
  outDir: string;
  args: TrainArgs;
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
}): Promise<TrainDone> {
  const a = opts.args;
  fs.mkdirSync(opts.outDir, { recursive: true });
  const argv = [
    TRAIN_SCRIPT,
    'train',
    '--kind',
    a.kind,
    '--dataset',
    opts.datasetDir,
    '--base',
    opts.base,
    '--out',
    opts.outDir,
    '--steps',
    String(a.steps),
    '--save-steps',
    String(a.saveSteps),
    '--batch',
    String(a.batch),
    '--lr',
    String(a.lr),
    '--lora-r',
    String(a.loraR),
    '--max-len',
    String(a.maxLen),
    '--seed',
    String(a.seed),
  ];
  const log = fs.openSync(path.join(opts.outDir, 'train.log'), 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(opts.python, argv, {
      stdio: ['ignore', 'pipe', log],
      env: { ...process.env, PYTHONUNBUFFERED: '1', TOKENIZERS_PARALLELISM: 'false', HF_HUB_OFFLINE: '1' },
    });
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let done: TrainDone | undefined;
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        fs.writeSync(log, `${line}\n`);
        if (!line.startsWith('{"event"')) continue;
        const e = JSON.parse(line) as TrainEvent;
        if (e.event === 'done') done = e;
        opts.onEvent?.(e);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, sig) => {
      fs.closeSync(log);
      opts.signal?.removeEventListener('abort', onAbort);
      if (done && code === 0) return resolve(done);
      const tail = fs
        .readFileSync(path.join(opts.outDir, 'train.log'), 'utf8')
        .split('\n')
        .slice(-15)
        .join('\n');
      reject(
        new Error(`training exited with ${code ?? sig}; last lines of ${opts.outDir}/train.log:\n${tail}`),
      );
    });
  });
}
