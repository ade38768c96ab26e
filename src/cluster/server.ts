// The standalone Temporal server for cluster mode: schemas (temporal-sql-tool), its config (PostgreSQL persistence
// and SQL advanced visibility), start/stop as a daemon, and the namespace + search attributes. Values shared with
// the compose stack are read from deploy/temporal/ so the two cannot drift.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { answersSystemInfo } from '../temporal/dev-server';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import type { ServerBinaries } from './binaries';
import type { PgTarget } from './postgres';

export const DEPLOY_DIR = path.resolve(__dirname, '..', '..', 'deploy', 'temporal');

export interface ComposeValues {
  /** Temporal's two databases, from setup-postgres.sh (`for db in temporal temporal_visibility`). */
  databases: { default: string; visibility: string };
  /** Namespace retention, from create-namespace.sh (`TEMPORAL_RETENTION:=30d`), in days. */
  retentionDays: number;
  /** PostgreSQL user, from docker-compose.yml (`POSTGRES_USER:-temporal`). */
  pgUser: string;
  /** The compose stack's dynamic config file. */
  dynamicConfig: string;
}

/** Reads the values the compose stack uses from its own files (deploy/temporal/, docker-compose.yml). */
export function composeValues(deployDir = DEPLOY_DIR): ComposeValues {
  const read = (f: string) => fs.readFileSync(f, 'utf8');
  const setup = read(path.join(deployDir, 'setup-postgres.sh'));
  const ns = read(path.join(deployDir, 'create-namespace.sh'));
  const compose = read(path.join(deployDir, '..', '..', 'docker-compose.yml'));
  const dbs = /for db in (\S+) (\S+);/.exec(setup);
  const visDb = /\[ "\$db" = (\S+) \] && dir=visibility/.exec(setup);
  const retention = /TEMPORAL_RETENTION:=(\d+)d/.exec(ns);
  const user = /POSTGRES_USER:-([A-Za-z0-9_]+)/.exec(compose);
  const dynamicConfig = path.join(deployDir, 'dynamicconfig', 'development-sql.yaml');
  if (!dbs || !visDb || !retention || !user || !fs.existsSync(dynamicConfig))
    throw new Error(`cannot read the compose stack's Temporal settings from ${deployDir}`);
  const visibility = visDb[1];
  const def = [dbs[1], dbs[2]].find((d) => d !== visibility)!;
  return {
    databases: { default: def, visibility },
    retentionDays: Number(retention[1]),
    pgUser: user[1],
    dynamicConfig,
  };
}

/** Creates both databases if missing and brings their schemas to the binaries' version (as setup-postgres.sh). */
export function setupSchemas(bin: ServerBinaries, pg: PgTarget, dbs: ComposeValues['databases']): void {
  const env = { ...process.env, SQL_PASSWORD: pg.password };
  const sql = (db: string, args: string[]) =>
    spawnSync(
      bin.sqlTool,
      ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', db, ...args],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
  for (const [db, dir] of [
    [dbs.default, 'temporal'],
    [dbs.visibility, 'visibility'],
  ] as const) {
    // As setup-postgres.sh: `create` and `setup-schema -v 0.0` fail harmlessly when done before; update-schema must pass.
    sql(db, ['create']);
    sql(db, ['setup-schema', '-v', '0.0']);
    const up = sql(db, ['update-schema', '-d', path.join(bin.schemaDir, dir, 'versioned')]);
    if (up.status !== 0)
      throw new Error(
        `temporal-sql-tool update-schema on ${db} failed:\n${(up.stderr || up.stdout).trim().slice(-2000)}`,
      );
  }
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  membership: { frontend: number; history: number; matching: number; worker: number };
}

/** The server config (JSON is YAML): written 0600 since it holds the database password. */
export function writeServerConfig(opts: {
  dir: string;
  ip: string;
  ports: ServerPorts;
  pg: PgTarget;
  values: ComposeValues;
  shards: number;
}): string {
  const { pg, ports, ip } = opts;
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${pg.host.includes(':') ? `[${pg.host}]` : pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: ip, ...(httpPort ? { httpPort } : {}) },
  });
  const advertise = ip === '0.0.0.0' ? '127.0.0.1' : ip;
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: opts.shards,
      datastores: {
        'postgres-default': store(opts.values.databases.default, 20),
        'postgres-visibility': store(opts.values.databases.visibility, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: advertise }, pprof: { port: 0 } },
    services: {
      frontend: rpc(ports.frontend, ports.membership.frontend, ports.frontendHttp),
      history: rpc(ports.history, ports.membership.history),
      matching: rpc(ports.matching, ports.membership.matching),
      worker: rpc(ports.worker, ports.membership.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${advertise}:${ports.frontend}`,
          httpAddress: `${advertise}:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: opts.values.dynamicConfig, pollInterval: '10s' },
  };
  const configDir = path.join(opts.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const file = path.join(configDir, 'flywheel.yaml');
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

export const serverLogFile = (dir: string) => path.join(dir, 'temporal.log');
export const uiLogFile = (dir: string) => path.join(dir, 'ui.log');

/** Starts `binary` as a daemon (its own session, output appended to `logFile`); returns its pid. */
function spawnDaemon(binary: string, args: string[], cwd: string, logFile: string): number {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(binary, args, { cwd, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  child.unref();
  return child.pid!;
}

/** The Temporal server, config from <dir>/config/flywheel.yaml, output to <dir>/temporal.log. */
export function spawnServer(bin: ServerBinaries, dir: string): number {
  const args = ['--root', dir, '--config', 'config', '--env', 'flywheel', '--allow-no-auth', 'start'];
  return spawnDaemon(bin.server, args, dir, serverLogFile(dir));
}

/** The Web UI server for the frontend at `address` (config in <dir>/ui-config/, output to <dir>/ui.log). */
export function spawnUi(
  binary: string,
  o: { dir: string; address: string; ip: string; port: number; namespace: string },
): number {
  const configDir = path.join(o.dir, 'ui-config');
  fs.mkdirSync(configDir, { recursive: true });
  const config = {
    temporalGrpcAddress: o.address,
    host: o.ip,
    port: o.port,
    enableUi: true,
    defaultNamespace: o.namespace,
    refreshInterval: '1m',
    notifyOnNewVersion: false,
    cors: { cookieInsecure: true, allowOrigins: [] },
  };
  fs.writeFileSync(path.join(configDir, 'flywheel.yaml'), JSON.stringify(config, null, 2));
  const args = ['--root', o.dir, '--config', 'ui-config', '--env', 'flywheel', 'start'];
  return spawnDaemon(binary, args, o.dir, uiLogFile(o.dir));
}

/** True when the UI at `url` serves its settings API. */
export async function uiAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/v1/settings`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** True when `pid` is alive and is a process of this binary (a recycled pid is not ours). */
export function isOurProcess(pid: number | undefined, binary: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === binary;
  } catch {
    return true; // no /proc: trust the pid
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(pid: number, binary: string, graceMs = 20_000): Promise<void> {
  if (!isOurProcess(pid, binary)) return;
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (isOurProcess(pid, binary) && Date.now() < end) await sleep(200);
  if (isOurProcess(pid, binary)) process.kill(pid, 'SIGKILL');
  while (isOurProcess(pid, binary)) await sleep(100);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the frontend answers, failing early (with the log's tail) when the process dies. */
export async function waitServerReady(
  address: string,
  alive: () => boolean,
  logFile: string,
  timeoutMs = 120_000,
) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive()) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
      throw new Error(`The Temporal server exited before it was ready. Log (${logFile}):\n${tail}`);
    }
    if (await answersSystemInfo(address)) return;
    await sleep(500);
  }
  throw new Error(
    `The Temporal server at ${address} did not answer within ${timeoutMs / 1000} s (log ${logFile}).`,
  );
}

const grpcCode = (e: unknown) => (e as { code?: number }).code;

/**
 * Registers the namespace (retention from the compose files) and Flywheel's search attributes when missing, as
 * deploy/temporal/create-namespace.sh does, then waits until the frontend serves both (its caches refresh).
 */
export async function registerNamespace(
  address: string,
  namespace: string,
  retentionDays: number,
): Promise<void> {
  const conn = await Connection.connect({ address });
  try {
    try {
      await conn.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
      });
    } catch (e) {
      if (grpcCode(e) !== 6) throw e; // 6 = ALREADY_EXISTS
    }
    const wanted = new Map(SEARCH_ATTRIBUTES.map((k) => [k.name, k.type]));
    const end = Date.now() + 90_000;
    for (;;) {
      try {
        const have = await conn.operatorService.listSearchAttributes({ namespace });
        const missing = [...wanted.keys()].filter((n) => !(n in (have.customAttributes ?? {})));
        if (missing.length) {
          await conn.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(missing.map((n) => [n, indexedValueType(wanted.get(n)!)])),
          });
        } else {
          // A namespace is usable once the frontend's namespace cache has it: a visibility query says so.
          await conn.workflowService.listWorkflowExecutions({
            namespace,
            pageSize: 1,
            query: 'FlywheelKind = "run"',
          });
          return;
        }
      } catch (e) {
        if (Date.now() > end) throw new Error(`namespace ${namespace} not ready: ${(e as Error).message}`);
      }
      await sleep(1000);
    }
  } finally {
    await conn.close();
  }
}

/** temporal.api.enums.v1.IndexedValueType numbers for the SDK's search attribute type names. */
function indexedValueType(t: string): number {
  const n = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 }[t];
  if (!n) throw new Error(`unknown search attribute type ${t}`);
  return n;
}

/** What the server reports about the namespace's search attributes (for status). */
export async function describeNamespace(
  address: string,
  namespace: string,
): Promise<{ serverVersion: string; namespace: boolean; searchAttributes: string[] }> {
  const conn = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    const info = await conn.workflowService.getSystemInfo({});
    const version = info.serverVersion ?? '';
    let ok = false;
    let attrs: string[] = [];
    try {
      await conn.workflowService.describeNamespace({ namespace });
      ok = true;
      const sa = await conn.operatorService.listSearchAttributes({ namespace });
      attrs = Object.keys(sa.customAttributes ?? {}).filter((n) =>
        SEARCH_ATTRIBUTES.some((k) => k.name === n),
      );
    } catch {
      /* no namespace yet */
    }
    return { serverVersion: version, namespace: ok, searchAttributes: attrs.sort() };
  } finally {
    await conn.close();
  }
}
