import { Ollama, type Message } from 'ollama';
import { z } from 'zod';
import { openAiChat, openAiEmbed, OpenAiError } from './openai';
import { llmSeed, openAiEndpoint, resolveModel } from './provider';
import { reportLlmCall, type LlmCallRecord } from './recorder';

/**
 * An Ollama client whose every request (streaming or not) is aborted by `ctl`: the client's own abort()
 * only reaches streaming requests, so cancellation and timeouts go through fetch's signal.
 */
function abortableOllama(host: string, ctl: AbortController): Ollama {
  return new Ollama({ host, fetch: (url, init) => fetch(url, { ...init, signal: ctl.signal }) });
}

/** An LLM failure. `retryable` is false when a retry cannot succeed (model missing, bad request). */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly kind:
      'model_not_found' | 'bad_request' | 'unreachable' | 'server' | 'timeout' | 'parse' | 'aborted',
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface ChatRequest {
  host: string;
  model: string;
  messages: Message[];
  temperature?: number;
  numPredict?: number;
  /** JSON schema for structured output. */
  format?: object;
  keepAlive?: string | number;
  signal?: AbortSignal;
  timeoutMs?: number;
  purpose?: string;
}

export interface ChatResult {
  content: string;
  call: LlmCallRecord;
  doneReason?: string;
}

const ns = (n?: number) => (n ?? 0) / 1e6;

function classify(
  err: unknown,
  host: string,
  model: string,
  signal?: AbortSignal,
  timedOut?: boolean,
): LlmError {
  if (timedOut) return new LlmError(`LLM call to ${model} timed out`, true, 'timeout');
  if (signal?.aborted) return new LlmError(`LLM call to ${model} was cancelled`, false, 'aborted');
  const e = err as { status_code?: number; message?: string; name?: string; cause?: { code?: string } };
  const msg = e?.message ?? String(err);
  if (e?.status_code === 404 || /not found/i.test(msg)) {
    return new LlmError(
      `Model "${model}" is not available at ${host}. Fix: \`ollama pull ${model}\` (or set the model name in configuration).`,
      false,
      'model_not_found',
    );
  }
  if (e?.status_code === 400)
    return new LlmError(`Ollama rejected the request for ${model}: ${msg}`, false, 'bad_request');
  if (e?.status_code && e.status_code >= 500)
    return new LlmError(`Ollama server error (${e.status_code}) from ${model}: ${msg}`, true, 'server');
  if (e?.status_code === 429) return new LlmError(`Ollama is busy (429) for ${model}`, true, 'server');
  if (
    e?.name === 'TypeError' ||
    /fetch failed|ECONNREFUSED|ECONNRESET|socket|terminated/i.test(msg + (e?.cause?.code ?? ''))
  ) {
    return new LlmError(
      `Ollama at ${host} is unreachable or dropped the connection (${e?.cause?.code ?? msg}). Fix: start it with \`ollama serve\` or set OLLAMA_HOST.`,
      true,
      'unreachable',
    );
  }
  if (err instanceof SyntaxError || /JSON/i.test(msg))
    return new LlmError(`Malformed response from ${model}: ${msg}`, true, 'server');
  return new LlmError(`LLM call to ${model} failed: ${msg}`, true, 'server');
}

/**
 * The one way Flywheel talks to a model. Aborts with `signal` (activity cancellation), times out, and
 * reports usage (tokens, load/prompt/eval durations) to the current RunTrace scope.
 */
export async function chat(req: ChatRequest): Promise<ChatResult> {
  const target = resolveModel(req.model);
  if (target.provider === 'openai') return chatOpenAi(req, target.name);
  const ctl = new AbortController();
  const client = abortableOllama(req.host, ctl);
  let timedOut = false;
  const onAbort = () => ctl.abort();
  req.signal?.addEventListener('abort', onAbort);
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, req.timeoutMs ?? 600_000);
  const startMs = Date.now();
  try {
    if (req.signal?.aborted) throw new Error('aborted');
    const res = await client.chat({
      model: req.model,
      messages: req.messages,
      stream: false,
      format: req.format,
      keep_alive: req.keepAlive,
      options: { temperature: req.temperature, num_predict: req.numPredict, seed: llmSeed() },
    });
    const call: LlmCallRecord = {
      op: 'chat',
      model: req.model,
      startMs,
      endMs: Date.now(),
      loadMs: ns(res.load_duration),
      promptEvalMs: ns(res.prompt_eval_duration),
      evalMs: ns(res.eval_duration),
      totalMs: ns(res.total_duration),
      inputTokens: res.prompt_eval_count ?? 0,
      outputTokens: res.eval_count ?? 0,
      ok: true,
      purpose: req.purpose,
      doneReason: res.done_reason,
    };
    reportLlmCall(call);
    return { content: res.message?.content ?? '', call, doneReason: res.done_reason };
  } catch (err) {
    const e = err instanceof LlmError ? err : classify(err, req.host, req.model, req.signal, timedOut);
    reportLlmCall(failedCall(req, startMs, e));
    throw e;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

function failedCall(req: ChatRequest, startMs: number, e: Error): LlmCallRecord {
  const zero = { loadMs: 0, promptEvalMs: 0, evalMs: 0, totalMs: 0, inputTokens: 0, outputTokens: 0 };
  return {
    op: 'chat',
    model: req.model,
    startMs,
    endMs: Date.now(),
    ...zero,
    ok: false,
    error: e.message,
    purpose: req.purpose,
  };
}

const fromOpenAi = (e: unknown) =>
  e instanceof OpenAiError ? new LlmError(e.message, e.retryable, e.kind) : e;

/** An OpenAI-compatible server: usage is prompt/completion tokens; it reports no load or eval durations (0). */
async function chatOpenAi(req: ChatRequest, model: string): Promise<ChatResult> {
  const startMs = Date.now();
  try {
    const res = await openAiChat(openAiEndpoint(), {
      model,
      messages: req.messages,
      temperature: req.temperature,
      maxTokens: req.numPredict,
      seed: llmSeed(),
      format: req.format,
      signal: req.signal,
      timeoutMs: req.timeoutMs,
    });
    const endMs = Date.now();
    const call: LlmCallRecord = {
      op: 'chat',
      model: req.model,
      startMs,
      endMs,
      loadMs: 0,
      promptEvalMs: 0,
      evalMs: 0,
      totalMs: endMs - startMs,
      inputTokens: res.inputTokens,
      outputTokens: res.outputTokens,
      ok: true,
      purpose: req.purpose,
      doneReason: res.doneReason,
    };
    reportLlmCall(call);
    return { content: res.content, call, doneReason: res.doneReason };
  } catch (err) {
    const e = fromOpenAi(err) as Error;
    reportLlmCall(failedCall(req, startMs, e));
    throw e;
  }
}

/** Extracts a JSON value from model text: whole text, a fenced block, or the first {...} span. */
export function extractJson(text: string): unknown {
  const attempts = [text.trim()];
  const fence = text.match(/```(?:json)?\s*([\s\S]*?)```/);
  if (fence) attempts.push(fence[1].trim());
  const a = text.indexOf('{');
  const b = text.lastIndexOf('}');
  if (a >= 0 && b > a) attempts.push(text.slice(a, b + 1));
  for (const t of attempts) {
    try {
      return JSON.parse(t);
    } catch {
      /* next */
    }
  }
  throw new SyntaxError('no JSON object in the reply');
}

/**
 * The JSON value of a reply cut off at the token limit, closed where it stopped: an open string, array or
 * object is closed; a dangling key, comma or half-written value is dropped. Undefined when nothing parses.
 */
export function closeTruncatedJson(text: string): unknown {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const closers: string[] = [];
  // Where a prefix can end cleanly: just inside a container, or before a comma (after a complete value).
  const cuts: { end: number; close: string }[] = [];
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      closers.push(ch === '{' ? '}' : ']');
      cuts.push({ end: i + 1, close: [...closers].reverse().join('') });
    } else if (ch === '}' || ch === ']') {
      closers.pop();
      if (closers.length === 0) return tryJson(text.slice(start, i + 1));
    } else if (ch === ',') cuts.push({ end: i, close: [...closers].reverse().join('') });
  }
  const body = escaped ? text.slice(start, -1) : text.slice(start);
  const attempts = [`${body}${inString ? '"' : ''}${[...closers].reverse().join('')}`];
  for (let k = cuts.length - 1; k >= 0 && attempts.length < 64; k--)
    attempts.push(text.slice(start, cuts[k].end) + cuts[k].close);
  for (const t of attempts) {
    const v = tryJson(t);
    if (v !== undefined) return v;
  }
  return undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface StructuredResult<T> {
  value: T;
  calls: LlmCallRecord[];
  repaired: boolean;
  /** The accepted reply hit the token limit and was closed where it stopped (see closeTruncatedJson). */
  truncated: boolean;
}

/**
 * Structured output: zod schema → JSON schema (`format`) → parse → validate. One repair retry that shows
 * the model its reply and the validation problems; still invalid → LlmError kind 'parse' (non-retryable).
 */
export async function chatStructured<T>(
  req: ChatRequest & { schema: z.ZodType<T>; formatSchema?: z.ZodType },
): Promise<StructuredResult<T>> {
  // `formatSchema` lets a caller ask for a stricter shape than it accepts (e.g. ranges it clamps itself).
  const format = z.toJSONSchema(req.formatSchema ?? req.schema, {
    target: 'draft-7',
    unrepresentable: 'any',
  });
  const calls: LlmCallRecord[] = [];
  let messages = req.messages;
  let lastProblem = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await chat({ ...req, messages, format });
    calls.push(res.call);
    let parsed: unknown;
    let truncated = false;
    try {
      try {
        parsed = extractJson(res.content);
      } catch (e) {
        // Small models often ramble until num_predict: keep what the reply had said by then.
        parsed = res.doneReason === 'length' ? closeTruncatedJson(res.content) : undefined;
        if (parsed === undefined) throw e;
        truncated = true;
      }
      const ok = req.schema.safeParse(parsed);
      if (ok.success) return { value: ok.data, calls, repaired: attempt > 0, truncated };
      lastProblem = ok.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    } catch (e) {
      lastProblem = (e as Error).message;
    }
    messages = [
      ...req.messages,
      { role: 'assistant', content: res.content.slice(0, 4000) },
      {
        role: 'user',
        content: `That reply is not valid: ${lastProblem}. Reply again with only JSON matching the schema.`,
      },
    ];
  }
  throw new LlmError(
    `${req.model} did not return valid structured output after a repair retry: ${lastProblem}`.slice(0, 500),
    false,
    'parse',
  );
}

/** Embeddings for texts (Ollama /api/embed), reported like chat calls. */
export async function embed(req: {
  host: string;
  model: string;
  input: string[];
  signal?: AbortSignal;
}): Promise<number[][]> {
  const target = resolveModel(req.model);
  if (target.provider === 'openai') return embedOpenAi(req, target.name);
  const ctl = new AbortController();
  const client = abortableOllama(req.host, ctl);
  const onAbort = () => ctl.abort();
  req.signal?.addEventListener('abort', onAbort);
  const startMs = Date.now();
  try {
    const res = await client.embed({ model: req.model, input: req.input });
    reportLlmCall({
      op: 'embed',
      model: req.model,
      startMs,
      endMs: Date.now(),
      loadMs: ns(res.load_duration),
      promptEvalMs: 0,
      evalMs: 0,
      totalMs: ns(res.total_duration),
      inputTokens: res.prompt_eval_count ?? 0,
      outputTokens: 0,
      ok: true,
      purpose: 'embed',
    });
    return res.embeddings;
  } catch (err) {
    throw classify(err, req.host, req.model, req.signal);
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
  }
}

async function embedOpenAi(req: { model: string; input: string[]; signal?: AbortSignal }, model: string) {
  const startMs = Date.now();
  try {
    const res = await openAiEmbed(openAiEndpoint(), { model, input: req.input, signal: req.signal });
    const endMs = Date.now();
    const zero = { loadMs: 0, promptEvalMs: 0, evalMs: 0, outputTokens: 0 };
    reportLlmCall({
      op: 'embed',
      model: req.model,
      startMs,
      endMs,
      ...zero,
      totalMs: endMs - startMs,
      inputTokens: res.inputTokens,
      ok: true,
      purpose: 'embed',
    });
    return res.embeddings;
  } catch (err) {
    throw fromOpenAi(err);
  }
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
