// Test fixture for the real-model suite: one managed Ollama with the demo model (and its evaluator alias) per
// test process, and a recording HTTP proxy in front of it that keeps what Ollama really answered.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_DEMO_MODEL,
  DEMO_EVAL_ALIAS,
  demoModelFile,
  ensureDemoModel,
  ensureModelAlias,
  isOllamaUp,
  normalizeHost,
  resolveOllama,
  startManagedOllama,
} from '../../src/ollama';
import { freePort } from '../../src/temporal/dev-server';
import { runLogged } from '../../src/util/tool-cache';

export const REAL_MODELS = { producer: DEFAULT_DEMO_MODEL, evaluatorAlias: DEMO_EVAL_ALIAS };

export interface RealOllama {
  host: string;
  ollamaPath: string;
  /** True when this process started the server (then `stop` ends it). */
  managed: boolean;
  stop(): Promise<void>;
}

let shared: Promise<RealOllama> | undefined;

/**
 * The real Ollama for this test process: FLYWHEEL_TEST_OLLAMA_HOST when set (a server someone else runs, with
 * the demo model imported when missing), otherwise a managed `ollama serve` on a free port with its own models
 * folder, where the demo GGUF from the shared cache is imported with one CPU thread (see below).
 */
export function realOllama(): Promise<RealOllama> {
  shared ??= (async () => {
    const binary = await resolveOllama();
    const external = process.env.FLYWHEEL_TEST_OLLAMA_HOST;
    if (external && (await isOllamaUp(external))) {
      const host = normalizeHost(external);
      await ensureDemoModel({ host, ollamaPath: binary.path });
      await ensureModelAlias(host, binary.path, DEMO_EVAL_ALIAS);
      return { host, ollamaPath: binary.path, managed: false, stop: async () => {} };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-ollama-'));
    const server = await startManagedOllama({
      ollamaPath: binary.path,
      host: `127.0.0.1:${await freePort()}`,
      modelsDir: path.join(dir, 'models'),
      logFile: path.join(dir, 'ollama.log'),
    });
    const stop = async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', () => void server.stop());
    try {
      await importSingleThreaded(server.host, binary.path, dir);
      await ensureModelAlias(server.host, binary.path, DEMO_EVAL_ALIAS);
    } catch (e) {
      await stop();
      throw e;
    }
    return { host: server.host, ollamaPath: binary.path, managed: true, stop };
  })();
  return shared;
}

/**
 * Imports the demo model pinned to one thread. On a 2-core machine busy with other processes (CI runs test
 * files in parallel), llama.cpp's two threads wait on each other at every step: measured 1.2 tokens/s with two
 * threads against 14-19 with one, on the same loaded machine.
 */
async function importSingleThreaded(host: string, ollamaPath: string, dir: string): Promise<void> {
  const modelfile = path.join(dir, 'Modelfile');
  fs.writeFileSync(modelfile, `FROM ${await demoModelFile()}\nPARAMETER num_thread 1\n`);
  const { hostname, port } = new URL(host);
  await runLogged(ollamaPath, ['create', DEFAULT_DEMO_MODEL, '-f', modelfile], {
    label: 'ollama create',
    env: { ...process.env, OLLAMA_HOST: `${hostname}:${port}` },
  });
}

/** Asks Ollama to unload `model` now (a request with keep_alive 0), so the next call loads it cold. */
export async function unloadModel(host: string, model: string): Promise<void> {
  const res = await fetch(`${host}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model, prompt: '', keep_alive: 0, stream: false }),
  });
  await res.text();
  if (!res.ok) throw new Error(`unloading ${model}: HTTP ${res.status}`);
  // The runner is released asynchronously: wait until /api/ps no longer lists the model.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ps = (await (await fetch(`${host}/api/ps`)).json()) as { models?: { name: string }[] };
    if (!(ps.models ?? []).some((m) => m.name === model)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${model} is still loaded 30 s after keep_alive: 0`);
}

/** What one call through the proxy sent and what Ollama answered (before any rewrite). */
export interface ProxiedCall {
  path: string;
  model: string;
  request: Record<string, any>;
  /** Ollama's own JSON answer. */
  response: Record<string, any>;
  /** What the client received instead, when a rewrite changed it. */
  rewrittenTo?: Record<string, any>;
  status: number;
  startMs: number;
  endMs: number;
}

/** Returns a replacement body for a response, or undefined to pass it through. */
export type Rewrite = (call: {
  path: string;
  request: Record<string, any>;
  response: Record<string, any>;
}) => Record<string, any> | undefined;

export interface RecordingProxy {
  url: string;
  calls: ProxiedCall[];
  /** Sets (or clears, with null) the rewrite applied to every answer from now on. */
  setRewrite(fn: Rewrite | null): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy to a real Ollama that records each JSON exchange and can rewrite answers — the model behind
 * it is still real; the rewrite only plays what a model sometimes does (empty text, out-of-range numbers).
 */
export async function recordingProxy(upstream: string): Promise<RecordingProxy> {
  const calls: ProxiedCall[] = [];
  let rewrite: Rewrite | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const abort = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      void forward(req, Buffer.concat(chunks), abort.signal)
        .then(({ status, headers, body }) => {
          res.writeHead(status, headers);
          res.end(body);
        })
        .catch(() => res.destroy());
    });
  });

  async function forward(req: http.IncomingMessage, body: Buffer, signal: AbortSignal) {
    const startMs = Date.now();
    const path = req.url ?? '/';
    const up = await fetch(`${upstream}${path}`, {
      method: req.method,
      headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      signal,
    });
    const text = await up.text();
    const headers = { 'content-type': up.headers.get('content-type') ?? 'application/json' };
    let request: Record<string, any> = {};
    let response: Record<string, any>;
    try {
      request = body.length ? (JSON.parse(body.toString()) as Record<string, any>) : {};
      response = JSON.parse(text) as Record<string, any>;
    } catch {
      return { status: up.status, headers, body: text }; // streams and non-JSON pass through untouched
    }
    if (!/^\/api\/(chat|generate|embed|embeddings)$/.test(path))
      return { status: up.status, headers, body: text };
    const replaced =
      up.ok && rewrite ? rewrite({ path, request, response: structuredClone(response) }) : undefined;
    calls.push({
      path,
      model: String(request.model ?? ''),
      request,
      response,
      ...(replaced ? { rewrittenTo: replaced } : {}),
      status: up.status,
      startMs,
      endMs: Date.now(),
    });
    return { status: up.status, headers, body: replaced ? JSON.stringify(replaced) : text };
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setRewrite(fn) {
      rewrite = fn;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Settings that point a harness at the real demo model through `host` with a small token budget. */
export const REAL_MODEL_SEED = 1234;

export function realModelEnv(host: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OLLAMA_HOST: host,
    FLYWHEEL_PRODUCER_MODEL: DEFAULT_DEMO_MODEL,
    FLYWHEEL_PLANNER_MODEL: DEFAULT_DEMO_MODEL,
    FLYWHEEL_EVALUATOR_MODELS: DEFAULT_DEMO_MODEL,
    FLYWHEEL_EMBED_MODEL: DEFAULT_DEMO_MODEL,
    FLYWHEEL_NUM_PREDICT: '96',
    FLYWHEEL_MAX_ROUNDS: '2',
    // A tiny model's answers vary run to run; a fixed seed makes each prompt's answer repeat.
    FLYWHEEL_LLM_SEED: String(REAL_MODEL_SEED),
    ...extra,
  };
}
