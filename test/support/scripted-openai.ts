/**
 * A scripted HTTP server that speaks the OpenAI-compatible API (as vLLM, llama.cpp server and LM Studio
 * serve it): POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models. Tests set rules (by endpoint,
 * model and a pattern on the last message) that choose the answer or a fault, and read every request.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { sampleFromSchema } from './json-schema-sample';

export type OpenAiFault = 'http500' | 'http429' | 'drop' | 'malformed';

export interface OpenAiRule {
  /** Default: chat. */
  endpoint?: 'chat' | 'embeddings';
  model?: string | RegExp;
  /** Tested against the last message's content (chat) or the joined inputs (embeddings). */
  match?: string | RegExp;
  /** chat: the answer text (an object is JSON-encoded). embeddings: the vectors. */
  respond?: string | object | ((req: OpenAiRequest) => string | object);
  fault?: OpenAiFault;
  /** Used this many times, then skipped. Default unlimited. */
  times?: number;
}

export interface OpenAiRequest {
  endpoint: 'chat' | 'embeddings' | 'models' | 'unknown';
  method: string;
  path: string;
  /** The Authorization header as received (tests check the key is sent, and only there). */
  authorization?: string;
  body: any;
  model?: string;
  lastMessage?: string;
}

export interface ScriptedOpenAiOptions {
  /** Served model names. Default: ['served-model', 'served-embed']. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
}

const DIMS = 32;
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export class ScriptedOpenAi {
  readonly requests: OpenAiRequest[] = [];
  private readonly rules: { rule: OpenAiRule; used: number }[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly models: Set<string>;

  private constructor(
    private readonly server: http.Server,
    /** Base URL including /v1, the form OPENAI_BASE_URL takes. */
    readonly baseUrl: string,
    private readonly opts: ScriptedOpenAiOptions,
  ) {
    this.models = new Set(opts.models ?? ['served-model', 'served-embed']);
  }

  static async start(opts: ScriptedOpenAiOptions = {}): Promise<ScriptedOpenAi> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const self = new ScriptedOpenAi(server, `http://127.0.0.1:${port}/v1`, opts);
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      self.handle(req, res).catch((e: unknown) => send(res, 500, { error: { message: String(e) } }));
    });
    return self;
  }

  /** Rules are matched in insertion order; the first match wins. */
  rule(r: OpenAiRule): this {
    this.rules.push({ rule: r, used: 0 });
    return this;
  }

  count(filter: { endpoint?: string; model?: string } = {}): number {
    return this.requests.filter(
      (r) =>
        (filter.endpoint === undefined || r.endpoint === filter.endpoint) &&
        (filter.model === undefined || r.model === filter.model),
    ).length;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const endpoint =
      path === '/v1/chat/completions'
        ? 'chat'
        : path === '/v1/embeddings'
          ? 'embeddings'
          : path === '/v1/models'
            ? 'models'
            : 'unknown';
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const record: OpenAiRequest = {
      endpoint,
      method: req.method ?? 'GET',
      path,
      authorization: req.headers.authorization,
      body: raw,
    };
    this.requests.push(record);
    if (this.opts.apiKey && req.headers.authorization !== `Bearer ${this.opts.apiKey}`)
      return send(res, 401, {
        error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
      });
    if (endpoint === 'unknown') return send(res, 404, { error: { message: `no route ${path}` } });
    if (endpoint === 'models')
      return send(res, 200, {
        object: 'list',
        data: [...this.models].map((id) => ({ id, object: 'model' })),
      });
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
    }
    record.body = body;
    record.model = body.model;
    if (!this.models.has(body.model))
      return send(res, 404, {
        error: { message: `The model \`${body.model}\` does not exist.`, code: 'model_not_found' },
      });
    record.lastMessage =
      endpoint === 'chat'
        ? String(body.messages?.[body.messages.length - 1]?.content ?? '')
        : ([] as string[]).concat(body.input ?? []).join('\n');
    const entry = this.rules.find(
      ({ rule, used }) =>
        (rule.times === undefined || used < rule.times) &&
        (rule.endpoint ?? 'chat') === endpoint &&
        (rule.model === undefined ||
          (typeof rule.model === 'string' ? rule.model === body.model : rule.model.test(body.model))) &&
        (rule.match === undefined ||
          (typeof rule.match === 'string'
            ? record.lastMessage!.includes(rule.match)
            : rule.match.test(record.lastMessage!))),
    );
    if (entry) entry.used++;
    const rule = entry?.rule;
    if (rule?.fault === 'http500') return send(res, 500, { error: { message: 'engine crashed' } });
    if (rule?.fault === 'http429') return send(res, 429, { error: { message: 'rate limited' } });
    if (rule?.fault === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (rule?.fault === 'malformed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": [');
      return;
    }
    const value = typeof rule?.respond === 'function' ? rule.respond(record) : rule?.respond;
    return endpoint === 'chat' ? this.chat(body, record, value, res) : this.embeddings(body, value, res);
  }

  private chat(body: any, record: OpenAiRequest, value: unknown, res: http.ServerResponse): void {
    const schema =
      body.response_format?.type === 'json_schema' ? body.response_format.json_schema?.schema : null;
    let text =
      value !== undefined
        ? typeof value === 'string'
          ? value
          : JSON.stringify(value)
        : schema
          ? JSON.stringify(sampleFromSchema(schema))
          : `Scripted reply from ${body.model} to: ${record.lastMessage!.slice(0, 60)}`;
    let finish = 'stop';
    if (typeof body.max_tokens === 'number' && tokens(text) > body.max_tokens) {
      text = text.slice(0, body.max_tokens * 4);
      finish = 'length';
    }
    const prompt = (body.messages ?? []).map((m: { content?: string }) => m.content ?? '').join('\n');
    const usage = { prompt_tokens: tokens(prompt), completion_tokens: tokens(text) };
    send(res, 200, {
      id: `chatcmpl-${createHash('sha1').update(prompt).digest('hex').slice(0, 12)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }

  private embeddings(body: any, value: unknown, res: http.ServerResponse): void {
    const input = ([] as string[]).concat(body.input ?? []);
    const vectors = Array.isArray(value) ? (value as number[][]) : input.map(vector);
    const n = input.reduce((s, t) => s + tokens(t), 0);
    // Reversed on the wire: clients must order by `index`.
    const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })).reverse();
    send(res, 200, { object: 'list', model: body.model, data, usage: { prompt_tokens: n, total_tokens: n } });
  }
}

/** A deterministic unit vector from the text. */
function vector(text: string): number[] {
  const h = createHash('sha256').update(text).digest();
  const v = Array.from({ length: DIMS }, (_, i) => h[i % h.length] / 255 - 0.5);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function send(res: http.ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
