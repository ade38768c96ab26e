// Serves the built web page (src/dashboard/web/dist by default) next to the API: files inside the folder only,
// and index.html for page routes so the front end can route on the client.
import fs from 'node:fs';
import path from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { resolveInside } from '../security/sandbox';

export const DEFAULT_WEB_ROOT = path.join(__dirname, 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const PLACEHOLDER = `<!doctype html><html><head><meta charset="utf-8"><title>Flywheel dashboard</title></head>
<body><h1>Flywheel dashboard</h1><p>The web page is not built. The API is served under <a href="/api/openapi.json">/api</a>.</p></body></html>`;

function file(root: string, rel: string): { abs: string; size: number } | null {
  try {
    const abs = resolveInside(root, rel);
    const st = fs.statSync(abs);
    return st.isFile() ? { abs, size: st.size } : null;
  } catch {
    return null;
  }
}

export function serveWeb(root: string): MiddlewareHandler {
  return async (c, next) => {
    const p = c.req.path;
    if ((c.req.method !== 'GET' && c.req.method !== 'HEAD') || p === '/api' || p.startsWith('/api/'))
      return next();
    let rel: string;
    try {
      rel = decodeURIComponent(p).replace(/^\/+/, '');
    } catch {
      return next();
    }
    // A traversal attempt (dot-only segment, backslash, NUL) is a 404, not the app shell.
    if (rel.split('/').some((s) => /^\.+\s*$/.test(s)) || /[\\\0]/.test(rel)) return next();
    let found = rel ? file(root, rel) : null;
    // Page routes (no extension) get the app shell; missing assets are a plain 404.
    if (!found && !path.extname(rel)) found = file(root, 'index.html');
    if (!found) {
      if (path.extname(rel)) return next();
      c.header('content-security-policy', PAGE_CSP);
      return c.html(PLACEHOLDER);
    }
    const type = TYPES[path.extname(found.abs).toLowerCase()] ?? 'application/octet-stream';
    c.header('content-type', type);
    if (type.startsWith('text/html')) c.header('content-security-policy', PAGE_CSP);
    c.header('cache-control', type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600');
    if (c.req.method === 'HEAD') return c.body(null, 200);
    const data = fs.readFileSync(found.abs);
    return c.body(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength) as Uint8Array<ArrayBuffer>,
      200,
    );
  };
}
