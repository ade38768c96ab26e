// A pass-through HTTP proxy in front of the scripted Ollama that adds up the token counts its answers carry
// (prompt_eval_count, eval_count), to compare with what a run records.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class OllamaMeter {
  inputTokens = 0;
  outputTokens = 0;
  calls = 0;
  /** Where requests go; set before the first request arrives. */
  target = '';

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OllamaMeter> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const meter = new OllamaMeter(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => meter.forward(req, res));
    return meter;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const up = http.request(
      `${this.target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (c: Buffer) => {
          chunks.push(c);
          res.write(c);
        });
        answer.on('end', () => {
          this.count(Buffer.concat(chunks).toString('utf8'));
          res.end();
        });
        answer.on('error', () => res.destroy());
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  }

  /** A JSON answer or the last line of an NDJSON stream carries the counts. */
  private count(body: string): void {
    for (const line of body.split('\n')) {
      if (!line.trim()) continue;
      let o: any;
      try {
        o = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof o?.prompt_eval_count !== 'number' && typeof o?.eval_count !== 'number') continue;
      this.calls += 1;
      this.inputTokens += o.prompt_eval_count ?? 0;
      this.outputTokens += o.eval_count ?? 0;
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
