// Starts the dashboard on a real socket: `flywheel dashboard`, tests, the benchmark and the web-page tests.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDashboardApp, type DashboardOptions } from './app';

export interface RunningDashboard {
  url: string;
  /** Set when requests need `Authorization: Bearer <token>` (always when bound beyond loopback). */
  token?: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const urlHost = (h: string) => (h.includes(':') ? `[${h}]` : h);

/** Listens on host:port (port 0 = any free port) and resolves once the socket is bound. */
export async function startDashboard(
  opts: DashboardOptions & { host?: string; port?: number },
): Promise<RunningDashboard> {
  const host = opts.host ?? opts.settings.FLYWHEEL_DASHBOARD_HOST;
  const port = opts.port ?? opts.settings.FLYWHEEL_DASHBOARD_PORT;
  const dash = createDashboardApp({ ...opts, host, port });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: dash.app.fetch, hostname: host, port }) as Server;
    s.once('error', reject);
    s.once('listening', () => {
      s.off('error', reject);
      resolve(s);
    });
  }).catch((err: unknown) => {
    dash.close();
    throw err;
  });
  const bound = (server.address() as AddressInfo).port;
  dash.binding.port = bound;
  // The display name for a wildcard bind is loopback: the browser on this machine reaches it there.
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost(shown)}:${bound}`,
    token: dash.token,
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
        dash.close();
      }),
  };
}
