// Who may talk to the dashboard: the Host header must name the bound address (DNS rebinding), cross-site browser
// requests are refused, and a bearer token is required when one is set (always when bound beyond loopback).
import os from 'node:os';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors';

export interface Binding {
  host: string;
  port: number;
  token?: string;
  /** Extra host names accepted in the Host header (FLYWHEEL_DASHBOARD_ALLOWED_HOSTS). */
  extraHosts: string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h).toLowerCase();

/** Host names a browser may legitimately use to reach a server bound to `host`. */
export function hostNames(host: string, extra: string[]): Set<string> {
  const names = new Set<string>(extra.map(bracket));
  const h = host.toLowerCase();
  if (isLoopback(h)) {
    names.add(bracket(h));
    names.add('localhost');
    if (h === 'localhost') LOOPBACK_NAMES.forEach((n) => names.add(n));
  } else if (h === '0.0.0.0' || h === '::' || h === '[::]') {
    LOOPBACK_NAMES.forEach((n) => names.add(n));
    names.add(os.hostname().toLowerCase());
    for (const addrs of Object.values(os.networkInterfaces()))
      for (const a of addrs ?? []) names.add(bracket(a.address.replace(/%.*$/, '')));
  } else names.add(bracket(h));
  return names;
}

/** `name:port` from a Host header value (port 80 when absent), lower-cased; null when malformed. */
export function parseHostHeader(v: string): { name: string; port: number } | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/i.exec(v.trim());
  if (!m) return null;
  return { name: m[1].toLowerCase(), port: m[2] ? Number(m[2]) : 80 };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const deny = (status: 401 | 403 | 415, code: string, message: string, headers?: Record<string, string>) =>
  new Response(JSON.stringify(errorBody(code, message)), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });

export function guard(binding: () => Binding): MiddlewareHandler {
  let cached: { key: string; names: Set<string> } | null = null;
  const names = (b: Binding) => {
    const key = `${b.host}|${b.extraHosts.join(',')}`;
    if (cached?.key !== key) cached = { key, names: hostNames(b.host, b.extraHosts) };
    return cached.names;
  };
  const allowed = (b: Binding, hostValue: string | undefined) => {
    const h = hostValue ? parseHostHeader(hostValue) : null;
    return h !== null && h.port === b.port && names(b).has(h.name);
  };

  return async (c, next) => {
    const b = binding();
    const hostHeader = c.req.header('host') ?? new URL(c.req.url).host;
    if (!allowed(b, hostHeader))
      return deny(
        403,
        'host_not_allowed',
        'this server does not answer to that host name (DNS rebinding protection)',
      );

    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      // A URL's host omits the default port; compare as the browser would have sent it.
      const withPort =
        originHost && !/:\d+$/.test(originHost)
          ? `${originHost}:${origin.startsWith('https') ? 443 : 80}`
          : originHost;
      if (!allowed(b, withPort)) return deny(403, 'cross_origin', 'cross-origin requests are not accepted');
    }
    if (c.req.header('sec-fetch-site') === 'cross-site')
      return deny(403, 'cross_origin', 'cross-site requests are not accepted');

    const isApi = c.req.path === '/api' || c.req.path.startsWith('/api/');
    if (isApi && b.token !== undefined) {
      const m = /^Bearer ([^\s]+)$/.exec(c.req.header('authorization') ?? '');
      if (!m || !tokenMatches(m[1], b.token))
        return deny(401, 'unauthorized', 'a bearer token is required (Authorization: Bearer <token>)', {
          'www-authenticate': 'Bearer',
        });
    }
    if (isApi && ['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(type))
        return deny(415, 'unsupported_media_type', 'request bodies must be application/json');
    }

    await next();

    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    c.header('cross-origin-resource-policy', 'same-origin');
    if (isApi) {
      c.header('cache-control', 'no-store');
      c.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
  };
}
