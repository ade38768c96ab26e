import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { resolveTemporalCli } from './binary';
import { SEARCH_ATTRIBUTES } from './search-attributes';

export interface DevServerOptions {
  /** SQLite file for persistent state; omitted = in-memory. */
  dbFile?: string;
  ip?: string;
  /** gRPC port; 0 = a free port. */
  port?: number;
  /** Web UI port; undefined = headless. */
  uiPort?: number;
  namespace?: string;
  logFile?: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

// Settings measured on this class of machine: WAL + synchronous=normal ~3x throughput, eager activities halve a step.
const TUNING = [
  '--sqlite-pragma',
  'journal_mode=wal',
  '--sqlite-pragma',
  'synchronous=normal',
  '--dynamic-config-value',
  'system.enableActivityEagerExecution=true',
  '--dynamic-config-value',
  'frontend.enableUpdateWorkflowExecution=true',
  '--dynamic-config-value',
  'frontend.workerVersioningWorkflowAPIs=true',
  '--dynamic-config-value',
  'limit.maxIDLength=1000',
];

// Ports below every OS's ephemeral range (Linux 32768–60999, macOS and Windows 49152–65535): a port the OS hands out
// for port 0 is one any outgoing connection may take between our check and the server's bind. (The cluster needs them
// low too: Temporal stores membership ports as smallint.)
const QUIET_PORTS = { from: 20000, to: 32000 };

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, host, () => {
      const bound = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(bound));
    });
  });
}

/**
 * A port free on `host` now, chosen outside the ephemeral range so that it is still free when a server binds it; not one
 * of `taken` (ports already chosen for servers not started yet), to which it is added.
 */
export async function freePort(host = '127.0.0.1', taken = new Set<number>()): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = QUIET_PORTS.from + Math.floor(Math.random() * (QUIET_PORTS.to - QUIET_PORTS.from));
    const bound = taken.has(port) ? undefined : await tryListen(port, host);
    if (bound) {
      taken.add(bound);
      return bound;
    }
  }
  throw new Error(`no free TCP port in ${QUIET_PORTS.from}–${QUIET_PORTS.to} on ${host} after 50 tries`);
}

/**
 * Starts `temporal server start-dev` with the project's search attributes pre-registered.
 * The server runs under a tiny shell guard that kills it when our process goes away, even on SIGKILL,
 * so no `temporal` process is ever left behind.
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const cli = await resolveTemporalCli();
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port || (await freePort(ip));
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn', ...TUNING];
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  for (const key of SEARCH_ATTRIBUTES)
    args.push('--search-attribute', `${key.name}=${searchAttributeTypeName(key.type)}`);

  // The guard: server in background; when stdin closes (parent died) or TERM arrives, kill it and wait.
  // (A background job's stdin is /dev/null in sh, so the watcher reads our pipe through fd 3.)
  const guard =
    'exec 3<&0; trap "kill $p 2>/dev/null; wait $p; exit 0" TERM INT; "$@" </dev/null & p=$!; ' +
    '(cat <&3 >/dev/null; kill $p 2>/dev/null) & wait $p';
  const log = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn('sh', ['-c', guard, 'temporal-guard', cli.path, ...args], {
    stdio: ['pipe', log, log],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${ip}:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
    child.stdin?.destroy();
  };
  try {
    await waitReady(address, exited, opts.logFile);
  } catch (e) {
    await stop();
    throw e;
  }
  return { address, uiUrl: opts.uiPort ? `http://${ip}:${opts.uiPort}` : undefined, pid: child.pid!, stop };
}

function searchAttributeTypeName(t: string): string {
  return (
    {
      KEYWORD: 'Keyword',
      DOUBLE: 'Double',
      TEXT: 'Text',
      INT: 'Int',
      BOOL: 'Bool',
      DATETIME: 'Datetime',
      KEYWORD_LIST: 'KeywordList',
    }[t] ?? t
  );
}

/** True when a Temporal frontend at `address` answers GetSystemInfo within ~1 s. */
export async function answersSystemInfo(address: string): Promise<boolean> {
  try {
    const conn = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await conn.workflowService.getSystemInfo({});
      return true;
    } finally {
      await conn.close();
    }
  } catch {
    return false;
  }
}

async function waitReady(address: string, exited: Promise<number | null>, logFile?: string) {
  let dead: number | null | undefined;
  void exited.then((c) => (dead = c));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (dead !== undefined) {
      const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(
        `Temporal dev server exited (code ${dead}) before it was ready.${tail ? `\n${tail}` : ''}`,
      );
    }
    if (await answersSystemInfo(address)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal dev server at ${address} did not become ready within 60 s.`);
}
