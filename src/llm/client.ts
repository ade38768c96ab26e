import { Ollama, type Message } from 'ollama';
import { z } from 'zod';
import { reportLlmCall, type LlmCallRecord } from './recorder';

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
  const client = new Ollama({ host: req.host });
  let timedOut = false;
  const onAbort = () => client.abort();
  req.signal?.addEventListener('abort', onAbort);
  const timer = setTimeout(() => {
    timedOut = true;
    client.abort();
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
      options: { temperature: req.temperature, num_predict: req.numPredict },
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
    };
    reportLlmCall(call);
    return { content: res.message?.content ?? '', call, doneReason: res.done_reason };
  } catch (err) {
    const e = err instanceof LlmError ? err : classify(err, req.host, req.model, req.signal, timedOut);
    reportLlmCall({
      op: 'chat',
      model: req.model,
      startMs,
      endMs: Date.now(),
      loadMs: 0,
      promptEvalMs: 0,
      evalMs: 0,
      totalMs: 0,
      inputTokens: 0,
      outputTokens: 0,
      ok: false,
      error: e.message,
      purpose: req.purpose,
    });
    throw e;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
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

export interface StructuredResult<T> {
  value: T;
  calls: LlmCallRecord[];
  repaired: boolean;
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
    try {
      parsed = extractJson(res.content);
      const ok = req.schema.safeParse(parsed);
      if (ok.success) return { value: ok.data, calls, repaired: attempt > 0 };
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
  const client = new Ollama({ host: req.host });
  const onAbort = () => client.abort();
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
