// Test fixture: the shared dev server, a scripted Ollama, a fresh data folder and a worker on its own task queue.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadSettings, type Settings } from '../../src/config';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { createWorker, type FlywheelWorker } from '../../src/worker';
import { logger } from '../../src/log';
import { ScriptedOllama, type ScriptedOllamaOptions } from './scripted-ollama';

let ownServer: Promise<DevServer> | undefined;

/** The run's shared dev server (started by test/run-tests.ts), or one for this file when run alone. */
export async function temporalAddress(): Promise<string> {
  if (process.env.FLYWHEEL_TEST_TEMPORAL_ADDRESS) return process.env.FLYWHEEL_TEST_TEMPORAL_ADDRESS;
  ownServer ??= startDevServer();
  const s = await ownServer;
  process.once('exit', () => void s.stop());
  return s.address;
}

export async function stopOwnServer(): Promise<void> {
  if (ownServer) await (await ownServer).stop();
}

export const MODELS = {
  producer: 'producer:test',
  planner: 'planner:test',
  evaluator: 'judge:test',
  embed: 'embed:test',
};

/** The model settings for MODELS, one per role. */
export const MODEL_ENV = {
  FLYWHEEL_PRODUCER_MODEL: MODELS.producer,
  FLYWHEEL_PLANNER_MODEL: MODELS.planner,
  FLYWHEEL_EVALUATOR_MODELS: MODELS.evaluator,
  FLYWHEEL_EMBED_MODEL: MODELS.embed,
};

export function tempDir(prefix = 'fw-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A small corpus folder from the shared arXiv data (first n papers). */
export function makeCorpus(dir: string, n = 40): string {
  const src = path.resolve(__dirname, '..', '..', 'corpus', 'arxiv-agentic-papers.jsonl');
  const lines = fs.readFileSync(src, 'utf8').split('\n').filter(Boolean).slice(0, n);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'papers.jsonl'), lines.join('\n') + '\n');
  return dir;
}

export interface HarnessEnv {
  settings: Settings;
  dataDir: string;
  ollama: ScriptedOllama;
  client: Client;
  taskQueue: string;
  worker: FlywheelWorker;
  startWorker(): Promise<FlywheelWorker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

/** Builds everything a harness test needs; `env` overrides settings (e.g. FLYWHEEL_EVALUATOR_MODELS). */
export async function harnessEnv(
  opts: { env?: Record<string, string>; ollama?: ScriptedOllamaOptions; startWorker?: boolean } = {},
): Promise<HarnessEnv> {
  const address = await temporalAddress();
  const root = tempDir();
  const ollama = await ScriptedOllama.start({
    models: Object.values(MODELS),
    loadDurationMs: 5,
    ...opts.ollama,
  });
  const taskQueue = `test-${randomUUID()}`;
  const settings = loadSettings(
    {
      TEMPORAL_ADDRESS: address,
      FLYWHEEL_TASK_QUEUE: taskQueue,
      FLYWHEEL_DATA_DIR: path.join(root, 'data'),
      FLYWHEEL_CORPUS_DIR: makeCorpus(path.join(root, 'corpus')),
      OLLAMA_HOST: ollama.url,
      ...MODEL_ENV,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    root,
  );
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
  const log = logger({ level: process.env.TEST_LOG_LEVEL ?? 'warn', pretty: false });
  let current: { worker: FlywheelWorker; done: Promise<void> } | undefined;
  const env: HarnessEnv = {
    settings,
    dataDir: settings.dataDir,
    ollama,
    client,
    taskQueue,
    get worker() {
      return current!.worker;
    },
    async startWorker() {
      const worker = await createWorker({ settings, log });
      current = { worker, done: worker.run() };
      return worker;
    },
    async stopWorker() {
      if (!current) return;
      current.worker.shutdown();
      await current.done;
      current = undefined;
    },
    async close() {
      await env.stopWorker();
      await connection.close();
      await ollama.close();
    },
  };
  if (opts.startWorker !== false) await env.startWorker();
  return env;
}
