// An Ollama-compatible proxy that sends each request to one of two servers by model name: the scripted
// server's models there, everything else (the real demo model, tuned models, `ollama create` uploads) to a real
// Ollama. /api/tags lists both. For tests that need a real producer judged by a scripted evaluator.
import http from 'node:http';
import type net from 'node:net';

export interface ModelRouter {
  url: string;
  close(): Promise<void>;
}

export async function modelRouter(opts: {
  real: string;
  scripted: () => string;
  scriptedModels: string[];
}): Promise<ModelRouter> {
  const scriptedSet = new Set(opts.scriptedModels);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void route(req, Buffer.concat(chunks))
        .then(({ status, type, body }) => {
          res.writeHead(status, { 'content-type': type });
          res.end(body);
        })
        .catch(() => res.destroy());
    });
  });

  async function send(base: string, req: http.IncomingMessage, body: Buffer) {
    const up = await fetch(`${base}${req.url ?? '/'}`, {
      method: req.method,
      headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    return {
      status: up.status,
      type: up.headers.get('content-type') ?? 'application/json',
      body: Buffer.from(await up.arrayBuffer()),
    };
  }

  async function route(req: http.IncomingMessage, body: Buffer) {
    if (req.url?.startsWith('/api/tags')) {
      const [a, b] = await Promise.all([send(opts.real, req, body), send(opts.scripted(), req, body)]);
      const models = [
        ...(JSON.parse(a.body.toString()) as { models: unknown[] }).models,
        ...(JSON.parse(b.body.toString()) as { models: unknown[] }).models,
      ];
      return { status: 200, type: 'application/json', body: Buffer.from(JSON.stringify({ models })) };
    }
    let model = '';
    if (req.headers['content-type']?.includes('json') && body.length < 10_000_000) {
      try {
        model = String((JSON.parse(body.toString()) as { model?: unknown }).model ?? '');
      } catch {
        // not JSON: a blob upload
      }
    }
    return send(scriptedSet.has(model) ? opts.scripted() : opts.real, req, body);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
