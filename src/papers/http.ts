import { setTimeout as sleep } from 'node:timers/promises';
import { PaperSourceError, type PaperSourceConfig } from './types';

export interface HttpPolicy {
  source: string;
  minIntervalMs: number;
  maxRetries: number;
  retryBaseMs: number;
  maxRetryWaitMs: number;
  timeoutMs: number;
}

const DEFAULTS = { maxRetries: 4, retryBaseMs: 1000, maxRetryWaitMs: 60_000, timeoutMs: 30_000 };

export function httpPolicy(source: string, cfg: PaperSourceConfig, defaultMinIntervalMs: number): HttpPolicy {
  const policy: HttpPolicy = { source, minIntervalMs: defaultMinIntervalMs, ...DEFAULTS };
  for (const k of ['minIntervalMs', 'maxRetries', 'retryBaseMs', 'maxRetryWaitMs', 'timeoutMs'] as const) {
    const v = cfg[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v < 0) {
      throw new PaperSourceError(source, `${k} must be a non-negative number, got ${v}`, {
        retryable: false,
      });
    }
    policy[k] = v;
  }
  return policy;
}

// When the last request to each source and origin finished, shared by every client in the process (the
// APIs limit the caller, not the client object). Requests take turns, and the interval counts from the end
// of the previous one so the server never sees two calls closer than that.
const gates = new Map<string, Promise<number>>();

async function takeTurn(
  key: string,
  intervalMs: number,
  signal?: AbortSignal,
): Promise<(holdMs?: number) => void> {
  const previous = gates.get(key) ?? Promise.resolve(0);
  let release!: (finishedAt: number) => void;
  gates.set(key, new Promise<number>((resolve) => (release = resolve)));
  const last = await previous;
  try {
    const wait = last + intervalMs - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal });
    signal?.throwIfAborted();
  } catch (err) {
    release(last);
    throw err;
  }
  return (holdMs = 0) => release(Date.now() + holdMs);
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function backoffMs(policy: HttpPolicy, attempt: number): number {
  const full = Math.min(policy.maxRetryWaitMs, policy.retryBaseMs * 2 ** attempt);
  return full / 2 + Math.random() * (full / 2);
}

const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * GET a URL and return the body text. Spaces requests by `minIntervalMs`; on 429 / 408 / 5xx / network
 * errors retries with exponential backoff and jitter, waiting at least what Retry-After asks. Every
 * failure throws a PaperSourceError (retryable when trying again later can help); aborts propagate.
 */
export async function getText(
  policy: HttpPolicy,
  url: string,
  opts: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<string> {
  const { source } = policy;
  const gateKey = `${source}|${new URL(url).origin}`;
  let lastProblem = '';
  let lastStatus: number | undefined;

  for (let attempt = 0; ; attempt++) {
    const done = await takeTurn(gateKey, policy.minIntervalMs, opts.signal);
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let waitMs: number | undefined;
    let holdMs = 0; // a Retry-After holds back every caller of this API, not just this one
    try {
      const res = await fetch(url, { headers: opts.headers, signal });
      if (res.ok) return await res.text();
      const body = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
      const detail = `HTTP ${res.status}${body ? `: ${body}` : ''}`;
      if (!isRetryableStatus(res.status)) {
        throw new PaperSourceError(source, `request failed with ${detail}`, {
          retryable: false,
          status: res.status,
        });
      }
      lastProblem = res.status === 429 ? `rate limited (${detail})` : detail;
      lastStatus = res.status;
      waitMs = parseRetryAfter(res.headers.get('retry-after'));
      holdMs = Math.min(waitMs ?? 0, policy.maxRetryWaitMs);
    } catch (err) {
      if (err instanceof PaperSourceError) throw err;
      opts.signal?.throwIfAborted();
      lastProblem = timeout.aborted
        ? `no response within ${policy.timeoutMs} ms`
        : `network error: ${err instanceof Error ? (err.cause as Error | undefined)?.message || err.message : String(err)}`;
      lastStatus = undefined;
    } finally {
      done(holdMs);
    }

    const tries = attempt + 1;
    if (attempt >= policy.maxRetries) {
      throw new PaperSourceError(source, `${lastProblem}; gave up after ${tries} attempt(s)`, {
        retryable: true,
        status: lastStatus,
      });
    }
    if (waitMs !== undefined && waitMs > policy.maxRetryWaitMs) {
      throw new PaperSourceError(
        source,
        `${lastProblem}; server asks to wait ${Math.ceil(waitMs / 1000)} s`,
        {
          retryable: true,
          status: lastStatus,
        },
      );
    }
    await sleep(Math.max(waitMs ?? 0, backoffMs(policy, attempt)), undefined, { signal: opts.signal });
  }
}
