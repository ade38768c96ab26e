/**
 * A scripted, deterministic HTTP server that speaks Ollama's API as the `ollama` npm client uses it.
 * Tests set rules (by endpoint, model and a pattern on the last message) that choose the answer, a
 * latency or a fault, and read back every request received.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleFromSchema } from './json-schema-sample';
import { seededRandom } from '../../src/util/random';

export type Fault = 'http500' | 'http429' | 'drop' | 'hang' | 'malformed';
export const ALL_FAULTS: readonly Fault[] = ['http500', 'http429', 'drop', 'hang', 'malformed'];

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface Rule {
  /** Default: chat and generate. */
  endpoint?: 'chat' | 'generate' | 'embed';
  model?: string | RegExp;
  /** Tested against the last message's content (chat), the prompt (generate) or the inputs (embed). */
  match?: string | RegExp;
  /**
   * chat/generate: the answer text (an object is JSON-encoded). Default: a sample of the `format`
   * schema, or lorem-like text. embed: an array is used as `embeddings`, an object is merged into the body.
   */
  respond?: string | object | ((req: RecordedRequest) => string | object);
  /** chat only: tool calls put on the answer message. */
  toolCalls?: ScriptedToolCall[];
  fault?: Fault;
  /** Overrides the server latency for matching requests. */
  latencyMs?: number;
  /** Used this many times, then skipped. Default unlimited. */
  times?: number;
}

export interface RecordedRequest {
  endpoint: string;
  method: string;
  path: string;
  body: any;
  model?: string;
  lastMessage?: string;
  receivedAt: number;
}

export interface ScriptedOllamaOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Installed models. Default: smollm2:135m and qwen3:8b. */
  models?: string[];
  latencyMs?: number;
  /** Share of chat/generate calls (0..1) answered with a random fault from `faults`. */
  faultRate?: number;
  /** Default: all five faults. */
  faults?: Fault[];
  /** Seeds the fault dice. Default 1. */
  seed?: number;
  /** Time a model takes to load on its first call. Default 200 ms. */
  loadDurationMs?: number;
}

interface Outcome {
  fault?: Fault;
  latencyMs: number;
  rule?: Rule;
}

interface Answer {
  text: string;
  doneReason: 'stop' | 'length';
  toolCalls?: ScriptedToolCall[];
}

/** Ollama's default keep_alive. */
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
const WARM_LOAD_NS = 1_100_000;
/** Nominal speeds used for prompt_eval_duration and eval_duration. */
const PROMPT_NS_PER_TOKEN = 500_000;
const EVAL_NS_PER_TOKEN = 10_000_000;
const EMBED_DIMS = 64;
const MAX_BODY_BYTES = 64 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class ScriptedOllama {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];

  private readonly rules: { rule: Rule; used: number }[] = [];
  private readonly models = new Map<string, { name: string; modifiedAt: string }>();
  /** Digests set by setDigest (default: sha256 of the name). */
  private readonly digests = new Map<string, string>();
  /** Loaded models: normalised name → expiry (ms epoch) and an in-flight load. */
  private readonly resident = new Map<string, { expiresAt: number; loading?: Promise<void> }>();
  private readonly closing = new AbortController();
  private readonly sockets = new Set<Socket>();
  private latencyMs: number;
  private faultRate: number;
  private faults: Fault[];
  private readonly loadDurationMs: number;
  private rand: () => number;
  private closed?: Promise<void>;
  private inFlight = 0;

  private constructor(
    private readonly server: http.Server,
    url: string,
    opts: ScriptedOllamaOptions,
  ) {
    this.url = url;
    this.latencyMs = opts.latencyMs ?? 0;
    this.faultRate = opts.faultRate ?? 0;
    this.faults = opts.faults?.length ? [...opts.faults] : [...ALL_FAULTS];
    this.loadDurationMs = opts.loadDurationMs ?? 200;
    this.rand = mulberry32(opts.seed ?? 1);
    for (const m of opts.models ?? ['smollm2:135m', 'qwen3:8b']) this.addModel(m);
  }

  static async start(opts: ScriptedOllamaOptions = {}): Promise<ScriptedOllama> {
    const server = http.createServer();
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const self = new ScriptedOllama(server, `http://${shownHost}:${port}`, opts);
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      self.handle(req, res).catch((err: unknown) => self.fail(res, err));
    });
    return self;
  }

  /** Rules are matched in insertion order; the first match wins. */
  rule(r: Rule): this {
    this.rules.push({ rule: r, used: 0 });
    return this;
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  setFaultRate(rate: number, faults?: Fault[]): void {
    this.faultRate = rate;
    if (faults?.length) this.faults = [...faults];
  }

  /** Replaces a model's digest (as `ollama pull` of new weights under the same name would); null restores it. */
  setDigest(name: string, digest: string | null): void {
    if (digest === null) this.digests.delete(normalise(name));
    else this.digests.set(normalise(name), digest);
  }

  addModel(name: string): void {
    this.models.set(normalise(name), { name: normalise(name), modifiedAt: new Date().toISOString() });
  }

  removeModel(name: string): void {
    this.models.delete(normalise(name));
    this.resident.delete(normalise(name));
  }

  /** Names of the models currently loaded (as /api/ps reports them). */
  loadedModels(): string[] {
    const now = Date.now();
    return [...this.resident].filter(([, r]) => !r.loading && r.expiresAt > now).map(([name]) => name);
  }

  /** chat/generate/embed calls still being worked on (sleeping, loading, hanging or writing). */
  pending(): number {
    return this.inFlight;
  }

  countRequests(filter: { endpoint?: string; model?: string; match?: string | RegExp } = {}): number {
    return this.requests.filter(
      (r) =>
        (filter.endpoint === undefined || r.endpoint === filter.endpoint) &&
        (filter.model === undefined ||
          (r.model !== undefined && normalise(r.model) === normalise(filter.model))) &&
        (filter.match === undefined || matches(filter.match, r.lastMessage)),
    ).length;
  }

  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      this.closing.abort();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    return this.closed;
  }

  // ---- request handling ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const endpoint = endpointOf(path);
    const raw = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
    const record: RecordedRequest = { endpoint, method, path, body: raw, receivedAt: Date.now() };
    this.requests.push(record);

    if (path === '/' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(method === 'HEAD' ? undefined : 'Ollama is running');
      return;
    }
    const expected = ['tags', 'ps', 'version'].includes(endpoint) ? 'GET' : 'POST';
    if (endpoint === 'unknown') return plain(res, 404, '404 page not found');
    if (method !== expected && !(expected === 'GET' && method === 'HEAD')) {
      return plain(res, 405, '405 method not allowed');
    }

    let body: any = {};
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch (err) {
        throw new HttpError(400, `invalid JSON body: ${(err as Error).message}`);
      }
    }
    record.body = body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpError(400, 'request body must be a JSON object');
    }
    if (typeof body.model === 'string') record.model = body.model;
    record.lastMessage = lastMessageOf(endpoint, body);

    switch (endpoint) {
      case 'version':
        return json(res, 200, { version: '0.12.6' });
      case 'tags':
        return json(res, 200, { models: [...this.models.values()].map((m) => this.describe(m.name)) });
      case 'ps':
        return json(res, 200, { models: this.loadedModels().map((name) => this.describeLoaded(name)) });
      case 'show':
        return this.show(body, res);
      case 'copy': // like Ollama's /api/copy: a new name for the source model
        if (!this.models.has(normalise(String(body.source))))
          return json(res, 404, { error: 'model not found' });
        this.addModel(String(body.destination));
        return json(res, 200, {});
      default:
        return this.infer(endpoint, record, body, res);
    }
  }

  private show(body: any, res: http.ServerResponse): void {
    const name = String(body.model ?? body.name ?? '');
    if (!this.models.has(normalise(name))) throw new HttpError(404, `model '${name}' not found`);
    const d = this.describe(normalise(name));
    const family = d.details.family;
    const embedding = /embed/i.test(name);
    json(res, 200, {
      license: 'Apache License 2.0 (scripted)',
      modelfile: `# Modelfile generated by the scripted Ollama\nFROM ${d.name}\n`,
      parameters: 'temperature 0.7\nnum_ctx 8192',
      template: '{{ .System }}\n{{ .Prompt }}',
      details: d.details,
      model_info: {
        'general.architecture': family,
        'general.parameter_count': parameterCount(d.name),
        [`${family}.context_length`]: 8192,
        [`${family}.embedding_length`]: EMBED_DIMS,
      },
      capabilities: embedding ? ['embedding'] : ['completion', 'tools'],
      modified_at: d.modified_at,
    });
  }

  /** chat, generate, embed and the legacy embeddings endpoint. */
  private async infer(
    endpoint: string,
    record: RecordedRequest,
    body: any,
    res: http.ServerResponse,
  ): Promise<void> {
    if (typeof body.model !== 'string' || body.model === '') throw new HttpError(400, 'model is required');
    const model = normalise(body.model);
    if (!this.models.has(model)) {
      throw new HttpError(404, `model "${body.model}" not found, try pulling it first`);
    }
    if (body.format !== undefined && body.format !== '' && body.format !== 'json' && !isObject(body.format)) {
      throw new HttpError(400, `invalid format: ${JSON.stringify(body.format)}`);
    }
    if (endpoint === 'chat' && body.messages !== undefined && !Array.isArray(body.messages)) {
      throw new HttpError(400, 'messages must be an array');
    }

    // Aborted when the client goes away or the server closes.
    const gone = new AbortController();
    this.inFlight++;
    res.on('close', () => {
      this.inFlight--;
      if (!res.writableFinished) gone.abort();
    });
    const signal = AbortSignal.any([gone.signal, this.closing.signal]);
    const started = process.hrtime.bigint();

    const isEmbed = endpoint === 'embed' || endpoint === 'embeddings';
    const emptyCall =
      (endpoint === 'chat' && (body.messages ?? []).length === 0) ||
      (endpoint === 'generate' && (body.prompt ?? '') === '');
    const outcome = emptyCall ? { latencyMs: 0 } : this.decide(isEmbed ? 'embed' : endpoint, record);

    try {
      if (outcome.latencyMs > 0) await sleep(outcome.latencyMs, undefined, { signal });
      if (outcome.fault === 'hang') {
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        res.destroy();
        return;
      }
      if (outcome.fault === 'http500') {
        return json(res, 500, { error: 'llama runner process has terminated: exit status 2' });
      }
      if (outcome.fault === 'http429') {
        return json(res, 429, { error: 'server busy, please try again.  maximum pending requests exceeded' });
      }
      const loadNs = await this.load(model, signal);
      const unload = isZeroKeepAlive(body.keep_alive);
      const finish = () => this.settle(model, body.keep_alive);

      if (emptyCall) {
        finish();
        const base = { model: body.model, created_at: new Date().toISOString(), done: true };
        const reason = unload ? 'unload' : 'load';
        const empty =
          endpoint === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' };
        return json(res, 200, { ...base, ...empty, done_reason: reason });
      }
      if (isEmbed) {
        finish();
        return this.embed(endpoint, record, body, outcome, loadNs, started, res);
      }

      const answer = this.answer(endpoint, record, body, outcome.rule);
      const promptTokens = tokens(promptText(endpoint, body));
      const evalTokens = tokens(answer.text);
      const promptNs = promptTokens * PROMPT_NS_PER_TOKEN;
      const evalNs = evalTokens * EVAL_NS_PER_TOKEN;
      const wallNs = Number(process.hrtime.bigint() - started);
      const stats = {
        done: true,
        done_reason: answer.doneReason,
        total_duration: Math.max(wallNs, loadNs + promptNs + evalNs + 250_000),
        load_duration: loadNs,
        prompt_eval_count: promptTokens,
        prompt_eval_duration: promptNs,
        eval_count: evalTokens,
        eval_duration: evalNs,
      };
      finish();
      const thinking = body.think ? 'Let me think about this step by step.' : undefined;
      const piece = (content: string, first: boolean) =>
        endpoint === 'chat'
          ? {
              message: {
                role: 'assistant',
                content,
                ...(first && thinking ? { thinking } : {}),
                ...(first && answer.toolCalls ? { tool_calls: answer.toolCalls.map(toolCall) } : {}),
              },
            }
          : { response: content, ...(first && thinking ? { thinking } : {}) };
      const head = () => ({ model: body.model, created_at: new Date().toISOString() });
      const context = endpoint === 'generate' ? { context: fakeContext(promptTokens + evalTokens) } : {};

      if (body.stream === false) {
        const full = { ...head(), ...piece(answer.text, true), ...stats, ...context };
        return this.send(res, 'application/json; charset=utf-8', [JSON.stringify(full)], outcome.fault);
      }
      const lines = splitAnswer(answer.text).map((p, i) =>
        JSON.stringify({ ...head(), ...piece(p, i === 0), done: false }),
      );
      lines.push(JSON.stringify({ ...head(), ...piece('', false), ...stats, ...context }));
      return this.send(
        res,
        'application/x-ndjson',
        lines.map((l) => l + '\n'),
        outcome.fault,
      );
    } catch (err) {
      if (signal.aborted) {
        res.destroy();
        return;
      }
      throw err;
    }
  }

  private embed(
    endpoint: string,
    record: RecordedRequest,
    body: any,
    outcome: Outcome,
    loadNs: number,
    started: bigint,
    res: http.ServerResponse,
  ): void {
    const legacy = endpoint === 'embeddings';
    const input = legacy ? [String(body.prompt ?? '')] : toInputs(body.input);
    if (input === undefined) throw new HttpError(400, 'invalid input type');
    const dims =
      Number.isInteger(body.dimensions) && body.dimensions > 0
        ? Math.min(body.dimensions, EMBED_DIMS)
        : EMBED_DIMS;
    let embeddings = input.map((t) => embedText(t, dims));
    let extra: object = {};
    const scripted = outcome.rule?.respond;
    if (scripted !== undefined) {
      const value = typeof scripted === 'function' ? scripted(record) : scripted;
      if (Array.isArray(value)) embeddings = value as number[][];
      else if (isObject(value)) extra = value;
    }
    if (legacy)
      return this.send(
        res,
        'application/json; charset=utf-8',
        [JSON.stringify({ embedding: embeddings[0] })],
        outcome.fault,
      );
    const wallNs = Number(process.hrtime.bigint() - started);
    const out = {
      model: body.model,
      embeddings,
      total_duration: Math.max(wallNs, loadNs + 100_000),
      load_duration: loadNs,
      prompt_eval_count: input.reduce((n, t) => n + tokens(t), 0),
      ...extra,
    };
    this.send(res, 'application/json; charset=utf-8', [JSON.stringify(out)], outcome.fault);
  }

  /** Picks the rule, latency and fault for one chat/generate/embed call. */
  private decide(endpoint: string, record: RecordedRequest): Outcome {
    const entry = this.rules.find(({ rule, used }) => {
      if (rule.times !== undefined && used >= rule.times) return false;
      const endpoints = rule.endpoint ? [rule.endpoint] : ['chat', 'generate'];
      if (!endpoints.includes(endpoint)) return false;
      if (rule.model !== undefined) {
        const ok =
          typeof rule.model === 'string'
            ? normalise(rule.model) === normalise(record.model ?? '')
            : testRegExp(rule.model, record.model ?? '');
        if (!ok) return false;
      }
      return rule.match === undefined || matches(rule.match, record.lastMessage);
    });
    if (entry) entry.used++;
    const rule = entry?.rule;
    let fault = rule?.fault;
    if (!fault && endpoint !== 'embed' && this.faultRate > 0 && this.rand() < this.faultRate) {
      fault = this.faults[Math.floor(this.rand() * this.faults.length)];
    }
    return { rule, fault, latencyMs: rule?.latencyMs ?? this.latencyMs };
  }

  private answer(endpoint: string, record: RecordedRequest, body: any, rule?: Rule): Answer {
    let text: string;
    const scripted = rule?.respond;
    if (scripted !== undefined) {
      const value = typeof scripted === 'function' ? scripted(record) : scripted;
      text = typeof value === 'string' ? value : JSON.stringify(value);
    } else if (isObject(body.format)) {
      text = JSON.stringify(sampleFromSchema(body.format));
    } else if (body.format === 'json') {
      text = JSON.stringify({ answer: lorem(`${body.model}\n${record.lastMessage ?? ''}`, 12) });
    } else {
      text = lorem(`${body.model}\n${record.lastMessage ?? ''}`, 60);
    }
    const toolCalls = endpoint === 'chat' ? rule?.toolCalls : undefined;
    const limit = body.options?.num_predict;
    // num_predict caps the answer (≈4 characters a token), as a real model stops mid-sentence.
    if (typeof limit === 'number' && limit >= 0 && tokens(text) > limit) {
      return { text: text.slice(0, limit * 4), doneReason: 'length', toolCalls };
    }
    return { text, doneReason: 'stop', toolCalls };
  }

  /** Makes `model` resident; returns load_duration in ns (large on a cold start, ~1 ms when warm). */
  private async load(model: string, signal: AbortSignal): Promise<number> {
    const state = this.resident.get(model);
    const t0 = process.hrtime.bigint();
    if (state?.loading) {
      await state.loading;
      return Number(process.hrtime.bigint() - t0) + WARM_LOAD_NS;
    }
    if (state && state.expiresAt > Date.now()) return WARM_LOAD_NS;
    const loading = sleep(this.loadDurationMs, undefined, { signal: this.closing.signal }).catch(
      () => undefined,
    );
    this.resident.set(model, { expiresAt: Infinity, loading });
    await loading;
    const entry = this.resident.get(model);
    if (entry?.loading === loading)
      this.resident.set(model, { expiresAt: Date.now() + DEFAULT_KEEP_ALIVE_MS });
    signal.throwIfAborted();
    return Number(process.hrtime.bigint() - t0);
  }

  /** After a call: keep the model loaded for keep_alive, or unload it when keep_alive is 0. */
  private settle(model: string, keepAlive: unknown): void {
    const ms = keepAliveMs(keepAlive);
    if (ms === 0) this.resident.delete(model);
    else this.resident.set(model, { expiresAt: ms < 0 ? Infinity : Date.now() + ms });
  }

  /** Writes the response, applying a `drop` or `malformed` fault. */
  private send(res: http.ServerResponse, type: string, parts: string[], fault?: Fault): void {
    if (fault === 'malformed') {
      // Every part loses its closing brace and gains a trailing comma: not JSON any more.
      parts = parts.map((p) => p.replace(/}(\n?)$/, ',$1'));
    }
    if (fault === 'drop') {
      res.writeHead(200, { 'Content-Type': type });
      const whole = parts.join('');
      res.write(parts.length > 1 ? parts[0] : whole.slice(0, Math.floor(whole.length / 2)));
      // Let the bytes reach the client, then cut the connection.
      setImmediate(() => res.destroy());
      return;
    }
    if (parts.length === 1) {
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(parts[0]) });
      res.end(parts[0]);
      return;
    }
    res.writeHead(200, { 'Content-Type': type });
    for (const p of parts) res.write(p);
    res.end();
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) return json(res, err.status, { error: err.message });
    json(res, 500, { error: `scripted ollama: ${(err as Error)?.message ?? String(err)}` });
  }

  private describe(name: string) {
    const info = this.models.get(name);
    const [base, tag = 'latest'] = name.split(':');
    const family = base.replace(/[\d.]+$/, '') || base;
    return {
      name,
      model: name,
      modified_at: info?.modifiedAt ?? new Date().toISOString(),
      size: Math.round(parameterCount(name) * 0.6),
      digest: this.digests.get(name) ?? createHash('sha256').update(name).digest('hex'),
      details: {
        parent_model: '',
        format: 'gguf',
        family,
        families: [family],
        parameter_size: parameterSize(tag),
        quantization_level: 'Q4_K_M',
      },
    };
  }

  private describeLoaded(name: string) {
    const d = this.describe(name);
    const expiresAt = this.resident.get(name)?.expiresAt ?? Date.now();
    const expires = Number.isFinite(expiresAt) ? expiresAt : Date.parse('2318-11-24T00:00:00Z');
    return { ...d, expires_at: new Date(expires).toISOString(), size_vram: d.size, context_length: 4096 };
  }
}

// ---- helpers ----

function endpointOf(path: string): string {
  const m = /^\/api\/(chat|generate|embed|embeddings|tags|show|ps|version|copy)\/?$/.exec(path);
  return m ? m[1] : 'unknown';
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `smollm2` and `smollm2:latest` name the same model, as in Ollama. */
function normalise(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function testRegExp(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

function matches(pattern: string | RegExp, text: string | undefined): boolean {
  if (text === undefined) return false;
  return typeof pattern === 'string' ? text.includes(pattern) : testRegExp(pattern, text);
}

function lastMessageOf(endpoint: string, body: any): string | undefined {
  if (endpoint === 'chat' && Array.isArray(body.messages) && body.messages.length > 0) {
    const content = body.messages[body.messages.length - 1]?.content;
    return typeof content === 'string' ? content : undefined;
  }
  if (endpoint === 'generate' && typeof body.prompt === 'string') return body.prompt;
  if (endpoint === 'embed') return toInputs(body.input)?.join('\n');
  if (endpoint === 'embeddings' && typeof body.prompt === 'string') return body.prompt;
  return undefined;
}

function toInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (input === undefined) return [];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input;
  return undefined;
}

/** The text the model reads: every message (chat), or system + prompt (generate). */
function promptText(endpoint: string, body: any): string {
  if (endpoint === 'chat') {
    return (body.messages as any[]).map((m) => (typeof m?.content === 'string' ? m.content : '')).join('\n');
  }
  return [body.system, body.prompt].filter((x) => typeof x === 'string').join('\n');
}

/** ≈ 4 characters a token, at least 1. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function isZeroKeepAlive(v: unknown): boolean {
  return keepAliveMs(v) === 0;
}

/** keep_alive: seconds (number) or a Go duration ("5m", "1h30m", "0"); negative = forever. */
function keepAliveMs(v: unknown): number {
  if (typeof v === 'number') return v * 1000;
  if (typeof v !== 'string' || v.trim() === '') return DEFAULT_KEEP_ALIVE_MS;
  const s = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const sign = s.startsWith('-') ? -1 : 1;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  return consumed === s.replace(/^-/, '').length ? sign * total : DEFAULT_KEEP_ALIVE_MS;
}

function toolCall(t: ScriptedToolCall) {
  return { function: { name: t.name, arguments: t.arguments } };
}

/** Splits an answer into a few stream pieces at word boundaries (at least one piece). */
function splitAnswer(text: string): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [''];
  const n = Math.min(4, words.length);
  const per = Math.ceil(words.length / n);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
  return out;
}

function fakeContext(n: number): number[] {
  return Array.from({ length: Math.min(n, 32) }, (_, i) => 1000 + i);
}

function parameterCount(name: string): number {
  const m = /(\d+(?:\.\d+)?)([mb])\b/i.exec(name.split(':')[1] ?? '');
  if (!m) return 7e9;
  return Number(m[1]) * (m[2].toLowerCase() === 'b' ? 1e9 : 1e6);
}

function parameterSize(tag: string): string {
  const m = /(\d+(?:\.\d+)?)([mb])\b/i.exec(tag);
  if (!m) return '7.2B';
  return m[2].toLowerCase() === 'b' ? `${Number(m[1]).toFixed(1)}B` : `${m[1]}M`;
}

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea ' +
  'commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur'
).split(' ');

/** Deterministic lorem-like text seeded by `seedText`. */
function lorem(seedText: string, words: number): string {
  const rand = mulberry32(fnv1a(seedText));
  const out: string[] = [];
  let sentence: string[] = [];
  for (let i = 0; i < words; i++) {
    sentence.push(WORDS[Math.floor(rand() * WORDS.length)]);
    if (sentence.length >= 6 + Math.floor(rand() * 8) || i === words - 1) {
      const s = sentence.join(' ');
      out.push(s[0].toUpperCase() + s.slice(1) + '.');
      sentence = [];
    }
  }
  return out.join(' ');
}

/** Bag of hashed lowercase words, L2-normalised: similar texts get a high cosine similarity. */
export function embedText(text: string, dims = EMBED_DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = fnv1a(word);
    v[h % dims] += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...v);
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  return v.map((x) => x / norm);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const mulberry32 = seededRandom;

/**
 * A deterministic "random" number in [0, 1) for `text` under `seed`: what a scripted evaluator that answers at
 * random uses (the same request gets the same answer whatever order requests arrive in, so tests can recompute it).
 */
export function seededUnit(seed: number, text: string): number {
  return mulberry32((fnv1a(text) ^ Math.imul(seed, 0x9e3779b1)) >>> 0)();
}
