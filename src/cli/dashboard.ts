// `flywheel dashboard`: the HTTP API and web page over the data folder, until Ctrl-C.
import type { Command } from 'commander';
import { logger } from '../log';
import { startDashboard } from '../dashboard/server';
import { isLoopback } from '../dashboard/guard';
import { action, EXIT, settingsOrExit, UserError } from './common';

export function register(program: Command): void {
  program
    .command('dashboard')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Serve the dashboard (HTTP API under /api, OpenAPI at /api/openapi.json, and the web page) over the ' +
        'data folder, until Ctrl-C. Binds 127.0.0.1:8787 by default.',
    )
    .option('--host <host>', 'address to bind (default FLYWHEEL_DASHBOARD_HOST, 127.0.0.1)')
    .option('--port <port>', 'port to bind, 0 for any free port (default FLYWHEEL_DASHBOARD_PORT, 8787)')
    .addHelpText(
      'after',
      '\nBinding beyond loopback (e.g. --host 0.0.0.0) requires a bearer token: FLYWHEEL_DASHBOARD_TOKEN, or one ' +
        'generated at start and printed once.\n' +
        '\nExamples:\n  flywheel dashboard\n  flywheel dashboard --port 9000\n' +
        `\nExit codes: 0 stopped cleanly, ${EXIT.USAGE} bad settings or options, ${EXIT.UNAVAILABLE} the port is in use.`,
    )
    .action(action(dashboard));
}

async function dashboard(opts: { host?: string; port?: string }): Promise<number> {
  const settings = settingsOrExit();
  const host = opts.host ?? settings.FLYWHEEL_DASHBOARD_HOST;
  let port = settings.FLYWHEEL_DASHBOARD_PORT;
  if (opts.port !== undefined) {
    if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65535)
      throw new UserError(`--port must be a number from 0 to 65535, got "${opts.port}"`);
    port = Number(opts.port);
  }
  if (!/^[A-Za-z0-9.:_-]+$/.test(host))
    throw new UserError(`--host must be a host name or address, got "${host}"`);
  const log = logger({ level: settings.LOG_LEVEL, pretty: settings.LOG_PRETTY });
  let running;
  try {
    running = await startDashboard({ settings, host, port, log });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(
        `Port ${port} on ${host} is in use. Fix: pass --port <other> (or stop what uses it).`,
        EXIT.UNAVAILABLE,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES')
      throw new UserError(
        `Cannot bind ${host}:${port} (${code}). Fix: pass another --host or --port.`,
        EXIT.USAGE,
      );
    throw e;
  }
  process.stdout.write(`Flywheel dashboard: ${running.url}\n`);
  process.stdout.write(`API: ${running.url}/api (OpenAPI: ${running.url}/api/openapi.json)\n`);
  if (running.token !== undefined && settings.FLYWHEEL_DASHBOARD_TOKEN === undefined)
    process.stdout.write(`Token (printed once; send "Authorization: Bearer <token>"): ${running.token}\n`);
  else if (running.token !== undefined)
    process.stdout.write('Token: FLYWHEEL_DASHBOARD_TOKEN is required.\n');
  if (!isLoopback(host)) process.stdout.write(`Listening on ${host}: reachable from other machines.\n`);
  process.stdout.write('Press Ctrl-C to stop.\n');

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  return EXIT.OK;
}
