// The OpenAI-compatible transport (vLLM, llama.cpp server, LM Studio, OpenAI): /chat/completions and /embeddings.
// src/llm/client.ts turns its results into the same ChatResult/usage records as Ollama's.

export interface OpenAiEndpoint {
  /** Includes the API version path, as OpenAI's own clients expect: http://host:8000/v1 */
  baseUrl: string;
  /** Sent as a bearer token; never logged, never part of an error message. */
  apiKey?: string;
}

type Kind = 'model_not_found' | 'bad_request' | 'unreachable' | 'server' | 'timeout' | 'parse' | 'aborted';

/** A failure with the same meaning as LlmError (client.ts converts it). */
export class OpenAiError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly kind: Kind,
  ) {
    super(message);
    this.name = 'OpenAiError';
  }
}

export interface OpenAiMessage {
  role: string;
  content: string;
}

export interface OpenAiChatRequest {
  model: string;
  messages: OpenAiMessage[];
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  /** JSON schema: sent as `response_format: {type: 'json_schema', ...}`. */
  format?: object;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface OpenAiChatResult {
  content: string;
  inputTokens: number;
  outputTokens: number;
  /** Ollama's vocabulary: 'length' when the token limit cut the reply. */
  doneReason: 'stop' | 'length' | string;
}

const url = (e: OpenAiEndpoint, p: string) => `${e.baseUrl.replace(/\/+$/, '')}/${p}`;

/** The server's own error text: OpenAI's `{error: {message}}`, llama.cpp/vLLM variants, or the raw body. */
function serverMessage(body: string): string {
  try {
    const j = JSON.parse(body) as {
      error?: { message?: string } | string;
      message?: string;
      detail?: string;
    };
    const e = typeof j.error === 'string' ? j.error : j.error?.message;
    return String(e ?? j.message ?? j.detail ?? body).slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

function httpError(status: number, body: string, model: string, e: OpenAiEndpoint): OpenAiError {
  const msg = serverMessage(body);
  if (status === 404 || /model.*(not found|does not exist)/i.test(msg))
    return new OpenAiError(
      `Model "${model}" is not served at ${e.baseUrl} (${msg}). Fix: use the name the server lists at /models, after "openai:".`,
      false,
      'model_not_found',
    );
  if (status === 401 || status === 403)
    return new OpenAiError(
      `The server at ${e.baseUrl} refused the credentials (${status}). Fix: check OPENAI_API_KEY.`,
      false,
      'bad_request',
    );
  if (status === 429)
    return new OpenAiError(`The server at ${e.baseUrl} is busy (429): ${msg}`, true, 'server');
  if (status >= 500)
    return new OpenAiError(`Server error (${status}) from ${model} at ${e.baseUrl}: ${msg}`, true, 'server');
  return new OpenAiError(
    `The server rejected the request for ${model} (${status}): ${msg}`,
    false,
    'bad_request',
  );
}

/** POSTs JSON with timeout and cancellation; returns the parsed reply or throws OpenAiError. */
async function post(
  e: OpenAiEndpoint,
  path: string,
  body: object,
  model: string,
  opts: { signal?: AbortSignal; timeoutMs?: number },
): Promise<any> {
  const ctl = new AbortController();
  let timedOut = false;
  const onAbort = () => ctl.abort();
  opts.signal?.addEventListener('abort', onAbort);
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, opts.timeoutMs ?? 600_000);
  try {
    if (opts.signal?.aborted) ctl.abort();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (e.apiKey) headers.authorization = `Bearer ${e.apiKey}`;
    const res = await fetch(url(e, path), {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: ctl.signal,
    });
    const text = await res.text();
    if (!res.ok) throw httpError(res.status, text, model, e);
    try {
      return JSON.parse(text);
    } catch {
      throw new OpenAiError(`Malformed response from ${model} at ${e.baseUrl}: not JSON`, true, 'server');
    }
  } catch (err) {
    if (err instanceof OpenAiError) throw err;
    if (timedOut) throw new OpenAiError(`LLM call to ${model} timed out`, true, 'timeout');
    if (opts.signal?.aborted) throw new OpenAiError(`LLM call to ${model} was cancelled`, false, 'aborted');
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new OpenAiError(
      `The OpenAI-compatible server at ${e.baseUrl} is unreachable or dropped the connection (${code}). Fix: start it or set OPENAI_BASE_URL.`,
      true,
      'unreachable',
    );
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** One chat completion (non-streaming). Usage: prompt_tokens → input, completion_tokens → output. */
export async function openAiChat(e: OpenAiEndpoint, req: OpenAiChatRequest): Promise<OpenAiChatResult> {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: false,
  };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.format)
    body.response_format = { type: 'json_schema', json_schema: { name: 'reply', schema: req.format } };
  const res = await post(e, 'chat/completions', body, req.model, req);
  const choice = res?.choices?.[0];
  if (!choice || (typeof choice.message?.content !== 'string' && choice.message?.content !== null))
    throw new OpenAiError(`Malformed response from ${req.model}: no choices[0].message`, true, 'server');
  return {
    content: choice.message.content ?? '',
    inputTokens: Number(res.usage?.prompt_tokens ?? 0),
    outputTokens: Number(res.usage?.completion_tokens ?? 0),
    doneReason: choice.finish_reason ?? 'stop',
  };
}

/** Embeddings for texts, in input order. */
export async function openAiEmbed(
  e: OpenAiEndpoint,
  req: { model: string; input: string[]; signal?: AbortSignal; timeoutMs?: number },
): Promise<{ embeddings: number[][]; inputTokens: number }> {
  const res = await post(e, 'embeddings', { model: req.model, input: req.input }, req.model, req);
  const data = res?.data as { index?: number; embedding?: number[] }[] | undefined;
  if (
    !Array.isArray(data) ||
    data.length !== req.input.length ||
    data.some((d) => !Array.isArray(d.embedding))
  )
    throw new OpenAiError(`Malformed embeddings response from ${req.model}`, true, 'server');
  const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return { embeddings: sorted.map((d) => d.embedding!), inputTokens: Number(res.usage?.prompt_tokens ?? 0) };
}
