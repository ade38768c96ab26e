// Defence in depth for "secrets never leave": besides never putting secret settings into responses, every text
// response is checked for the values of secret-named environment variables and the dashboard token.
import type { MiddlewareHandler } from 'hono';
import { isSecretName, type Settings } from '../config';

const MIN_SECRET_CHARS = 8;

/** Values to keep out of responses: secret-named settings and environment variables (long enough to matter). */
export function secretValues(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  extra: (string | undefined)[],
): string[] {
  const out = new Set<string>();
  const consider = (v: unknown) => {
    if (typeof v === 'string' && v.length >= MIN_SECRET_CHARS && !/^(true|false|\d+)$/i.test(v)) out.add(v);
  };
  for (const [k, v] of Object.entries(env)) if (isSecretName(k)) consider(v);
  for (const [k, v] of Object.entries(settings)) if (isSecretName(k)) consider(v);
  extra.forEach(consider);
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

const TEXTUAL = /^(application\/(json|[\w.+-]+\+json)|text\/)/i;

export function scrubSecrets(secrets: () => string[]): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const list = secrets();
    if (!list.length || !c.res.body || !TEXTUAL.test(c.res.headers.get('content-type') ?? '')) return;
    const text = await c.res.clone().text();
    if (!list.some((s) => text.includes(s))) return;
    let clean = text;
    for (const s of list) clean = clean.split(s).join('[redacted]');
    // Hono copies the old response's headers onto the new one: drop the stale length first.
    c.res.headers.delete('content-length');
    c.res = new Response(clean, { status: c.res.status, headers: c.res.headers });
  };
}

/** Credentials embedded in URL settings (`http://user:pass@host`) are masked before settings are shown. */
export function maskUrlCredentials(v: unknown): unknown {
  if (typeof v !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*@/i.test(v)) return v;
  return v.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1[redacted]@');
}
