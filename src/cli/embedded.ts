// "Start what's missing": the local dev server, an in-process worker and the managed Ollama, shared by
// `flywheel dev` and the embedded default of `flywheel run`. Everything started here stops with stop().
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Settings } from '../config';
import {
  DEFAULT_DEMO_MODEL,
  DEMO_EVAL_ALIAS,
  ensureDemoModel,
  ensureModelAlias,
  ensureOllama,
  listModels,
  normalizeHost,
  type EnsuredOllama,
} from '../ollama';
import { isOllamaModel } from '../llm/provider';
import { logger } from '../log';
import { startDevServer, type DevServer } from '../temporal/dev-server';
import { createWorker, type FlywheelWorker } from '../worker';
import { EXIT, UserError } from './common';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/** Only a server on this machine can be started for the user. */
export const isLoopback = (address: string) => LOOPBACK.has(splitAddress(address).host);

/** `flywheel run` may start its own server: a loopback address, and FLYWHEEL_EMBEDDED not turned off. */
export const canEmbed = (s: Settings) => s.FLYWHEEL_EMBEDDED && isLoopback(s.TEMPORAL_ADDRESS);

/** True when a Temporal frontend answers at `address`. */
export async function temporalAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  let conn: Connection | undefined;
  try {
    conn = await Connection.connect({ address, connectTimeout: timeoutMs });
    await conn.withDeadline(Date.now() + timeoutMs, () => conn!.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/** True when something already listens on host:port. */
export function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(true));
    srv.listen(port, host, () => srv.close(() => resolve(false)));
  });
}

/** Fails with a clear message (exit 5) when the dev server's gRPC or UI port on 127.0.0.1 is taken. */
export async function assertPortsFree(
  port: number,
  uiPort: number,
  howToPick: { port: string; uiPort: string },
): Promise<void> {
  const ip = '127.0.0.1';
  if (await portInUse(ip, port)) {
    const address = `${ip}:${port}`;
    throw new UserError(
      (await temporalAnswers(address))
        ? `Port ${port} is busy: a Temporal server already answers at ${address} (another \`flywheel dev\`?). ` +
            `Use it with \`flywheel worker\`, or ${howToPick.port}.`
        : `Port ${port} is busy (something that is not a Temporal server listens on ${address}). ` +
            `Stop it, or ${howToPick.port}.`,
      EXIT.UNAVAILABLE,
    );
  }
  if (await portInUse(ip, uiPort))
    throw new UserError(
      `Port ${uiPort} for the Temporal Web UI is busy. Stop what uses it, or ${howToPick.uiPort}.`,
      EXIT.UNAVAILABLE,
    );
}

/** The Web UI's base address for these settings, or a run's page in it. */
export function webUiUrl(s: Settings, workflowId?: string): string {
  const { host } = splitAddress(s.TEMPORAL_ADDRESS);
  const base = `http://${host === 'localhost' ? '127.0.0.1' : host}:${s.TEMPORAL_UI_PORT}`;
  return workflowId
    ? `${base}/namespaces/${encodeURIComponent(s.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`
    : base;
}

export interface RoleModel {
  role: 'producer' | 'planner' | 'evaluator' | 'embed';
  model: string;
}

/** Every model a run uses, by role. */
export function roleModels(m: {
  producerModel: string;
  plannerModel: string;
  evaluatorModels: string[];
  embedModel: string;
}): RoleModel[] {
  return [
    { role: 'producer', model: m.producerModel },
    { role: 'planner', model: m.plannerModel },
    ...m.evaluatorModels.map((model) => ({ role: 'evaluator' as const, model })),
    { role: 'embed', model: m.embedModel },
  ];
}

export const settingsModels = (s: Settings) =>
  roleModels({
    producerModel: s.FLYWHEEL_PRODUCER_MODEL,
    plannerModel: s.plannerModel,
    evaluatorModels: s.evaluatorModels,
    embedModel: s.embedModel,
  });

const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);

export interface ModelCheck {
  host: string;
  reachable: boolean;
  /** Why Ollama could not be asked. */
  error?: string;
  present: RoleModel[];
  missing: RoleModel[];
}

/** Asks Ollama (GET /api/tags) which of the models are installed (models served elsewhere, `openai:…`, are left out). */
export async function checkModels(host: string, all: RoleModel[]): Promise<ModelCheck> {
  const h = normalizeHost(host);
  const models = all.filter((m) => isOllamaModel(m.model));
  let listed: string[];
  try {
    listed = await listModels(h);
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.cause?.code ?? err.cause?.message ?? err.message;
    return { host: h, reachable: false, error: why, present: [], missing: [] };
  }
  const have = new Set(listed);
  return {
    host: h,
    reachable: true,
    present: models.filter((m) => have.has(withTag(m.model))),
    missing: models.filter((m) => !have.has(withTag(m.model))),
  };
}

/**
 * Before starting a workflow: asks the model server for the models it will use and warns with the remedy
 * (`what`: "run", "review"; `after`: what happens next, per case). The workflow starts either way.
 */
export async function warnAboutModels(
  host: string,
  models: RoleModel[],
  what: string,
  warn: (l: string) => void,
  after: { down?: string; missing?: string } = {},
): Promise<void> {
  const check = await checkModels(host, models);
  const tail = (t?: string) => (t ? `\n${t}` : '');
  if (!check.reachable) warn(`${ollamaDownRemedy(check.host)}${tail(after.down)}`);
  else if (check.missing.length)
    warn(
      `Ollama at ${check.host} lacks models this ${what} needs:\n${missingModelLines(check.missing).join('\n')}` +
        tail(after.missing),
    );
}

/** "producer, planner: foo:1b → `ollama pull foo:1b`", one line per missing model. */
export function missingModelLines(missing: RoleModel[]): string[] {
  const byModel = new Map<string, string[]>();
  for (const m of missing) byModel.set(m.model, [...(byModel.get(m.model) ?? []), m.role]);
  return [...byModel].map(
    ([model, roles]) => `  ${[...new Set(roles)].join(', ')}: ${model} → ${pullRemedy(model)}`,
  );
}

export function pullRemedy(model: string): string {
  if (model === DEFAULT_DEMO_MODEL || model === DEMO_EVAL_ALIAS)
    return `\`ollama pull ${DEFAULT_DEMO_MODEL}\`, or let \`flywheel dev\` start a managed Ollama with it`;
  return `\`ollama pull ${model}\``;
}

export const ollamaDownRemedy = (host: string) =>
  `No Ollama answers at ${host}. Fix: start it (\`ollama serve\`), set OLLAMA_HOST to a running server, ` +
  'or leave OLLAMA_HOST at 127.0.0.1 and let `flywheel dev` / `flywheel run` start a managed one.';

/** When a role uses the bundled tiny model: what to expect and how to use real models. */
export function demoNotice(models: RoleModel[]): string | null {
  const demo = models.filter((m) => m.model === DEFAULT_DEMO_MODEL || m.model === DEMO_EVAL_ALIAS);
  if (!demo.length) return null;
  return (
    `Note: a tiny demo model (${DEFAULT_DEMO_MODEL}, 135M parameters, CPU) is in use for ` +
    `${[...new Set(demo.map((m) => m.role))].join(', ')}: expect short, weak answers and low scores.\n` +
    '  Real models: run Ollama with them (e.g. `ollama pull qwen3:8b`), point OLLAMA_HOST at it, and set per role\n' +
    '  FLYWHEEL_PRODUCER_MODEL, FLYWHEEL_PLANNER_MODEL, FLYWHEEL_EVALUATOR_MODELS (comma-separated), FLYWHEEL_EMBED_MODEL.'
  );
}

export interface Stack {
  /** The settings to use from now on (TEMPORAL_ADDRESS / OLLAMA_HOST of what was started). */
  settings: Settings;
  server?: DevServer;
  worker?: FlywheelWorker;
  /** Settles when the in-process worker stops (or fails). */
  workerDone?: Promise<void>;
  ollama?: EnsuredOllama;
  /** Stops the worker, then the server, then the managed Ollama. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Start a dev server on this gRPC port (state in <dataDir>/temporal.db). */
  temporal?: { port: number; uiPort: number };
  worker?: boolean;
  /**
   * Make sure Ollama answers at OLLAMA_HOST (managed `ollama serve` when not) with the demo models imported.
   * Failing that is a warning: the runs then end as ERROR with the remedy in their record.
   */
  ollama?: boolean;
  log: Logger;
  say: (line: string) => void;
  warn: (line: string) => void;
}

/** Starts what is asked for, in order; on any failure stops what was already started and rethrows. */
export async function startStack(settings: Settings, opts: StackOptions): Promise<Stack> {
  let s = settings;
  const stack: Stack = { settings: s, stop: async () => {} };
  let stopping: Promise<void> | undefined;
  stack.stop = () =>
    (stopping ??= (async () => {
      if (stack.worker) {
        stack.worker.shutdown();
        await stack.workerDone?.catch(() => undefined);
      }
      await stack.server?.stop();
      await stack.ollama?.stop();
    })());
  try {
    if (opts.ollama) {
      try {
        stack.ollama = await ensureLocalOllama(s, opts.say);
        s = { ...s, OLLAMA_HOST: stack.ollama.host };
      } catch (e) {
        opts.warn(`Warning: could not provide Ollama at ${s.OLLAMA_HOST}: ${(e as Error).message}`);
      }
    }
    if (opts.temporal) {
      const dbFile = path.join(s.dataDir, 'temporal.db');
      stack.server = await startDevServer({
        dbFile,
        ip: '127.0.0.1',
        port: opts.temporal.port,
        uiPort: opts.temporal.uiPort,
        namespace: s.TEMPORAL_NAMESPACE,
        logFile: path.join(s.dataDir, 'temporal.log'),
      });
      s = { ...s, TEMPORAL_ADDRESS: stack.server.address, TEMPORAL_UI_PORT: opts.temporal.uiPort };
    }
    if (opts.worker) {
      stack.worker = await createWorker({ settings: s, log: opts.log });
      stack.workerDone = stack.worker.run();
      // A worker that dies on its own is logged here; whoever awaits workerDone sees it settle.
      stack.workerDone.catch((e: unknown) => opts.log.error({ err: e }, 'worker stopped'));
    }
    stack.settings = s;
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

/** Ollama at OLLAMA_HOST, or a managed `ollama serve` there with the demo models it is configured to use. */
async function ensureLocalOllama(s: Settings, say: (line: string) => void): Promise<EnsuredOllama> {
  fs.mkdirSync(s.dataDir, { recursive: true });
  const ollama = await ensureOllama({ host: s.OLLAMA_HOST, logFile: path.join(s.dataDir, 'ollama.log') });
  if (!ollama.managed) return ollama;
  say(
    `Started a managed Ollama at ${ollama.host} (pid ${ollama.pid}, binary from ${ollama.binary?.source}).`,
  );
  try {
    const models = new Set(settingsModels(s).map((m) => m.model));
    if (models.has(DEFAULT_DEMO_MODEL) || models.has(DEMO_EVAL_ALIAS)) {
      const got = await ensureDemoModel({ host: ollama.host, ollamaPath: ollama.binary!.path });
      if (got.imported) say(`Imported the demo model ${got.name} into the managed Ollama.`);
    }
    if (models.has(DEMO_EVAL_ALIAS))
      await ensureModelAlias(ollama.host, ollama.binary!.path, DEMO_EVAL_ALIAS);
  } catch (e) {
    await ollama.stop();
    throw e;
  }
  return ollama;
}

/**
 * For a command that starts one workflow and waits for it (`flywheel run`, `flywheel lit-review`): when nothing
 * answers at TEMPORAL_ADDRESS, starts the embedded server, a worker and (when needed) a managed Ollama in this
 * process, for as long as the command runs. Returns undefined when a server already answers.
 */
export async function embeddedStackIfNeeded(
  s: Settings,
  o: { what: string; wait: boolean; say: (l: string) => void; warn: (l: string) => void },
): Promise<Stack | undefined> {
  if (await temporalAnswers(s.TEMPORAL_ADDRESS)) return undefined;
  if (!canEmbed(s))
    throw new UserError(
      `Cannot reach the Temporal server at ${s.TEMPORAL_ADDRESS}. Fix: start one (\`flywheel dev\`) or set ` +
        `TEMPORAL_ADDRESS${s.FLYWHEEL_EMBEDDED ? '' : ' (FLYWHEEL_EMBEDDED=false: no embedded server)'}.`,
      EXIT.UNAVAILABLE,
    );
  if (!o.wait)
    throw new UserError(
      `Nothing answers at ${s.TEMPORAL_ADDRESS}, and --no-wait needs a server and worker that outlive this ` +
        'command. Start them in another terminal with `flywheel dev`, then run again.',
      EXIT.UNAVAILABLE,
    );
  const port = splitAddress(s.TEMPORAL_ADDRESS).port;
  await assertPortsFree(port, s.TEMPORAL_UI_PORT, {
    port: 'set TEMPORAL_ADDRESS to a free port',
    uiPort: 'set TEMPORAL_UI_PORT to a free port',
  });
  o.say(
    `No Temporal server at ${s.TEMPORAL_ADDRESS}: starting the embedded one (state in ${path.join(s.dataDir, 'temporal.db')}) ` +
      `and a worker in this process; they stop when the ${o.what} ends.`,
  );
  return startStack(s, {
    temporal: { port, uiPort: s.TEMPORAL_UI_PORT },
    worker: true,
    ollama: true,
    // Quiet unless LOG_LEVEL is set: the command's own lines are the progress.
    log: logger({ level: process.env.LOG_LEVEL ? s.LOG_LEVEL : 'error', pretty: s.LOG_PRETTY }),
    say: o.say,
    warn: o.warn,
  });
}

/** Runs `fn` on the first SIGINT/SIGTERM; a second signal while it runs exits at once. */
export function onStopSignal(fn: (signal: NodeJS.Signals) => void): () => void {
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    if (seen) process.exit(EXIT.CANCELLED);
    seen = true;
    fn(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
