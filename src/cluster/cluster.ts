// Cluster mode: Temporal on PostgreSQL without Docker. `up` = PostgreSQL (managed in <dir>/pg, or the operator's)
// → schemas → server config → the server as a daemon → namespace and search attributes. State in <dir>/cluster.json.
import fs from 'node:fs';
import path from 'node:path';
import { portInUse } from '../cli/embedded';
import { freePort } from '../temporal/dev-server';
import {
  resolveServerBinaries,
  resolveUiBinary,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  type ServerBinaries,
} from './binaries';
import {
  initManagedPg,
  managedPg,
  managedPgRunning,
  parsePgUrl,
  pgLogFile,
  startManagedPg,
  stopManagedPg,
  tcpOpen,
  type PgTarget,
} from './postgres';
import {
  composeValues,
  describeNamespace,
  isOurProcess,
  registerNamespace,
  serverLogFile,
  setupSchemas,
  spawnServer,
  spawnUi,
  stopProcess,
  uiAnswers,
  uiLogFile,
  waitServerReady,
  writeServerConfig,
  type ServerPorts,
} from './server';

/** History shards: fixed when the schema is first used (the compose stack's server image uses 4 too). */
const SHARDS = 4;
export const DEFAULT_FRONTEND_PORT = 7233;
/** The managed PostgreSQL's port: not 5432, so it never clashes with a system PostgreSQL. */
export const DEFAULT_PG_PORT = 5433;
/** The compose file's TEMPORAL_UI_PUBLISH_PORT default, and TEMPORAL_UI_PORT's. */
export const DEFAULT_UI_PORT = 8233;

export interface ClusterState {
  version: 1;
  serverVersion: string;
  dir: string;
  ip: string;
  address: string;
  namespace: string;
  shards: number;
  ports: ServerPorts;
  /** The database target without its password (that stays in secrets/ and the 0600 server config). */
  pg: { managed: boolean; host: string; port: number; user: string };
  serverPid?: number;
  serverBinary?: string;
  /** The Web UI server (ui-server v2.42.1, what the CLI's dev server embeds), when it could be had. */
  ui?: { port: number; url: string; pid?: number; binary?: string };
  createdAt: string;
  startedAt?: string;
}

export interface UpOptions {
  dir: string;
  namespace: string;
  /** Bind address of the server (default 127.0.0.1; 0.0.0.0 for workers on other hosts). */
  ip?: string;
  /** Frontend gRPC port (default 7233); the other services use Temporal's default offsets from it. */
  port?: number;
  /** Managed PostgreSQL's port (default 5433). */
  pgPort?: number;
  /** The operator's PostgreSQL (postgres://user:password@host:port) instead of a managed one. */
  pgUrl?: string;
  /** Web UI port (default 8233, TEMPORAL_UI_PORT as in the compose file); `ui: false` = no UI. */
  uiPort?: number;
  ui?: boolean;
  /** Pick free ports for everything (tests, benchmarks). */
  freePorts?: boolean;
  allowBuild?: boolean;
  say?: (line: string) => void;
}

export class ClusterError extends Error {
  constructor(
    message: string,
    readonly exitCode = 3,
  ) {
    super(message);
  }
}

const stateFile = (dir: string) => path.join(dir, 'cluster.json');
const passwordFile = (dir: string) => path.join(dir, 'secrets', 'pg-password');
const pgRoot = (dir: string) => path.join(dir, 'pg');

export function readState(dir: string): ClusterState | undefined {
  const f = stateFile(dir);
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as ClusterState) : undefined;
}

function writeState(s: ClusterState): void {
  const tmp = `${stateFile(s.dir)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(s, null, 2) + '\n');
  fs.renameSync(tmp, stateFile(s.dir));
}

/** Temporal's default ports (7233, 7234, 7235, 7239, 7243; membership 6933–6939) shifted with the frontend's. */
async function choosePorts(frontend: number | undefined, free: boolean): Promise<ServerPorts> {
  if (free) {
    const taken = new Set<number>();
    const p = () => freePort('127.0.0.1', taken);
    return {
      frontend: frontend ?? (await p()),
      frontendHttp: await p(),
      history: await p(),
      matching: await p(),
      worker: await p(),
      membership: { frontend: await p(), history: await p(), matching: await p(), worker: await p() },
    };
  }
  return defaultPorts(frontend ?? DEFAULT_FRONTEND_PORT);
}

/** Temporal's default ports shifted with the frontend's (7233 → 7234, 7235, 7239, 7243; membership 6933–6939). */
export function defaultPorts(f: number): ServerPorts {
  return {
    frontend: f,
    frontendHttp: f + 10,
    history: f + 1,
    matching: f + 2,
    worker: f + 6,
    membership: { frontend: f - 300, history: f - 299, matching: f - 298, worker: f - 294 },
  };
}

export function allPorts(p: ServerPorts): number[] {
  return [p.frontend, p.frontendHttp, p.history, p.matching, p.worker, ...Object.values(p.membership)];
}

function pgTarget(dir: string, state: ClusterState, pgUrl: string | undefined): PgTarget {
  if (!state.pg.managed) {
    if (!pgUrl)
      throw new ClusterError(
        `The cluster in ${dir} uses an external PostgreSQL (${state.pg.host}:${state.pg.port}); ` +
          'set FLYWHEEL_CLUSTER_PG_URL (or --pg-url) to its URL again.',
        2,
      );
    return parsePgUrl(pgUrl);
  }
  const password = fs.readFileSync(passwordFile(dir), 'utf8').trim();
  return { host: state.pg.host, port: state.pg.port, user: state.pg.user, password };
}

/** Brings the cluster up (idempotent: what already runs is kept). Returns its state. */
export async function clusterUp(o: UpOptions): Promise<ClusterState> {
  const say = o.say ?? (() => {});
  const dir = path.resolve(o.dir);
  fs.mkdirSync(dir, { recursive: true });
  const values = composeValues();
  const bin = await resolveServerBinaries({ allowBuild: o.allowBuild, say });
  say(`temporal-server v${TEMPORAL_SERVER_VERSION}: ${bin.server} (${bin.source})`);

  let state = readState(dir);
  if (state && state.namespace !== o.namespace)
    throw new ClusterError(
      `The cluster in ${dir} serves namespace ${state.namespace}, not ${o.namespace}. Use the same ` +
        'TEMPORAL_NAMESPACE, or another --dir.',
      2,
    );
  if (state && ((o.port && o.port !== state.ports.frontend) || (o.pgPort && o.pgPort !== state.pg.port)))
    say(
      `Keeping the ports chosen when this cluster was created (server ${state.address}, PostgreSQL ${state.pg.port}).`,
    );
  if (!state) {
    const external = o.pgUrl ? parsePgUrl(o.pgUrl) : undefined;
    const ip = o.ip ?? '127.0.0.1';
    const ports = await choosePorts(o.port, Boolean(o.freePorts));
    const pgPort = external?.port ?? o.pgPort ?? (o.freePorts ? await freePort() : DEFAULT_PG_PORT);
    state = {
      version: 1,
      serverVersion: TEMPORAL_SERVER_VERSION,
      dir,
      ip,
      address: `${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${ports.frontend}`,
      namespace: o.namespace,
      shards: SHARDS,
      ports,
      pg: external
        ? { managed: false, host: external.host, port: external.port, user: external.user }
        : { managed: true, host: '127.0.0.1', port: pgPort, user: values.pgUser },
      createdAt: new Date().toISOString(),
    };
  }

  // 1. PostgreSQL.
  let target: PgTarget;
  if (state.pg.managed) {
    const pg = managedPg(pgRoot(dir), state.pg.port);
    const fresh = !fs.existsSync(passwordFile(dir));
    if (!managedPgRunning(pg) && (await portInUse('127.0.0.1', state.pg.port)))
      throw new ClusterError(
        `Port ${state.pg.port} (PostgreSQL) is in use by another process. Fix: \`flywheel cluster up --pg-port <n>\` ` +
          'with a fresh --dir, or FLYWHEEL_CLUSTER_PG_URL to use that PostgreSQL.',
        5,
      );
    if (fresh) say(`Creating a PostgreSQL cluster in ${pg.root} (port ${state.pg.port})...`);
    target = initManagedPg(pg, state.pg.user, passwordFile(dir));
    if (startManagedPg(pg))
      say(`Started PostgreSQL on 127.0.0.1:${state.pg.port} (log ${pgLogFile(pg.root)})`);
    else say(`PostgreSQL is already running on 127.0.0.1:${state.pg.port}.`);
  } else {
    target = pgTarget(dir, state, o.pgUrl);
    if (!(await tcpOpen(target.host, target.port)))
      throw new ClusterError(
        `Cannot reach PostgreSQL at ${target.host}:${target.port} (FLYWHEEL_CLUSTER_PG_URL).`,
        5,
      );
    say(`Using PostgreSQL at ${target.host}:${target.port} (user ${target.user})`);
  }
  writeState(state);

  // 2. Schemas, as deploy/temporal/setup-postgres.sh.
  say(`Setting up the schemas (${values.databases.default}, ${values.databases.visibility})...`);
  try {
    setupSchemas(bin, target, values.databases);
  } catch (e) {
    throw new ClusterError((e as Error).message, 3);
  }

  // 3. The server.
  writeServerConfig({ dir, ip: state.ip, ports: state.ports, pg: target, values, shards: state.shards });
  if (!isOurProcess(state.serverPid, bin.server)) {
    for (const port of allPorts(state.ports))
      if (await portInUse(state.ip === '0.0.0.0' ? '127.0.0.1' : state.ip, port))
        throw new ClusterError(
          `Port ${port} (Temporal server) is in use. Fix: stop what uses it, or \`flywheel cluster up --port <n>\` ` +
            'with a fresh --dir.',
          5,
        );
    say(`Starting the Temporal server at ${state.address} (log ${serverLogFile(dir)})...`);
    const pid = spawnServer(bin, dir);
    state = { ...state, serverPid: pid, serverBinary: bin.server, startedAt: new Date().toISOString() };
    writeState(state);
    await waitServerReady(state.address, () => isOurProcess(pid, bin.server), serverLogFile(dir)).catch(
      (e) => {
        throw new ClusterError((e as Error).message, 5);
      },
    );
  } else say(`The Temporal server is already running (pid ${state.serverPid}).`);

  // 4. Namespace and search attributes, as deploy/temporal/create-namespace.sh.
  say(
    `Registering namespace ${state.namespace} (retention ${values.retentionDays} d) and the search attributes...`,
  );
  await registerNamespace(state.address, state.namespace, values.retentionDays);

  // 5. The Web UI, when it can be had.
  if (o.ui !== false) state = await startUi(state, o, say);
  writeState(state);
  return state;
}

async function startUi(
  state: ClusterState,
  o: UpOptions,
  say: (line: string) => void,
): Promise<ClusterState> {
  const binary = await resolveUiBinary({ allowBuild: o.allowBuild, say });
  if (!binary) {
    say(
      'Web UI: not available (needs Go to build ui-server once; `flywheel cluster up` without --no-build).',
    );
    return state;
  }
  const ui: NonNullable<ClusterState['ui']> = state.ui ?? {
    port: o.uiPort ?? (o.freePorts ? await freePort() : DEFAULT_UI_PORT),
    url: '',
  };
  ui.url ||= `http://${state.ip === '0.0.0.0' ? '127.0.0.1' : state.ip}:${ui.port}`;
  if (isOurProcess(ui.pid, binary)) {
    say(`The Web UI is already running at ${ui.url}.`);
    return { ...state, ui };
  }
  if (await portInUse(state.ip === '0.0.0.0' ? '127.0.0.1' : state.ip, ui.port)) {
    say(`Web UI: port ${ui.port} is in use, so no UI (choose another with --ui-port and a fresh --dir).`);
    return { ...state, ui: { port: ui.port, url: ui.url } };
  }
  const pid = spawnUi(binary, {
    dir: state.dir,
    address: state.address,
    ip: state.ip,
    port: ui.port,
    namespace: state.namespace,
  });
  const end = Date.now() + 30_000;
  while (!(await uiAnswers(ui.url))) {
    if (!isOurProcess(pid, binary) || Date.now() > end) {
      say(`Web UI: did not start (log ${uiLogFile(state.dir)}); the cluster runs without it.`);
      return { ...state, ui: { port: ui.port, url: ui.url } };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`Web UI v${TEMPORAL_UI_VERSION} at ${ui.url} (log ${uiLogFile(state.dir)})`);
  return { ...state, ui: { ...ui, pid, binary } };
}

/** SIGKILLs the server (a crash, for tests); `clusterUp` starts it again. */
export async function killServer(dir: string): Promise<void> {
  const s = readState(dir);
  if (!s?.serverPid || !s.serverBinary || !isOurProcess(s.serverPid, s.serverBinary)) return;
  process.kill(s.serverPid, 'SIGKILL');
  while (isOurProcess(s.serverPid, s.serverBinary)) await new Promise((r) => setTimeout(r, 50));
}

/** Stops the server, then the managed PostgreSQL (data kept); `purge` also deletes the folder. */
export async function clusterDown(
  dir: string,
  opts: { purge?: boolean; say?: (line: string) => void } = {},
): Promise<boolean> {
  const say = opts.say ?? (() => {});
  const s = readState(path.resolve(dir));
  if (!s) return false;
  if (s.ui?.pid && s.ui.binary && isOurProcess(s.ui.pid, s.ui.binary)) {
    say(`Stopping the Web UI (pid ${s.ui.pid})...`);
    await stopProcess(s.ui.pid, s.ui.binary);
  }
  if (s.serverPid && s.serverBinary && isOurProcess(s.serverPid, s.serverBinary)) {
    say(`Stopping the Temporal server (pid ${s.serverPid})...`);
    await stopProcess(s.serverPid, s.serverBinary);
  }
  if (s.pg.managed) {
    const pg = managedPg(pgRoot(s.dir), s.pg.port);
    if (managedPgRunning(pg)) {
      say('Stopping PostgreSQL...');
      stopManagedPg(pg);
    }
  }
  writeState({ ...s, serverPid: undefined, ui: s.ui && { port: s.ui.port, url: s.ui.url } });
  if (opts.purge) {
    say(`Deleting ${s.dir}...`);
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  return true;
}

export interface ClusterStatus {
  dir: string;
  exists: boolean;
  address?: string;
  namespace?: string;
  postgres?: { managed: boolean; address: string; running: boolean };
  server?: { pid?: number; running: boolean; answers: boolean; version?: string };
  namespaceReady?: boolean;
  searchAttributes?: string[];
  ui?: { url: string; answers: boolean };
  /** Everything up: server answers, namespace and every search attribute registered. */
  ok: boolean;
}

export async function clusterStatus(dir: string): Promise<ClusterStatus> {
  const s = readState(path.resolve(dir));
  if (!s) return { dir: path.resolve(dir), exists: false, ok: false };
  let pgRunning: boolean;
  if (s.pg.managed) {
    try {
      pgRunning = managedPgRunning(managedPg(pgRoot(s.dir), s.pg.port));
    } catch {
      pgRunning = false;
    }
  } else pgRunning = await tcpOpen(s.pg.host, s.pg.port);
  const running = Boolean(s.serverBinary && isOurProcess(s.serverPid, s.serverBinary));
  let answers = false;
  let version: string | undefined;
  let nsReady = false;
  let attrs: string[] = [];
  if (await tcpOpen(s.address.split(':')[0], s.ports.frontend)) {
    try {
      const d = await describeNamespace(s.address, s.namespace);
      answers = true;
      version = d.serverVersion;
      nsReady = d.namespace;
      attrs = d.searchAttributes;
    } catch {
      /* not answering */
    }
  }
  const { SEARCH_ATTRIBUTES } = await import('../temporal/search-attributes');
  return {
    dir: s.dir,
    exists: true,
    address: s.address,
    namespace: s.namespace,
    postgres: { managed: s.pg.managed, address: `${s.pg.host}:${s.pg.port}`, running: pgRunning },
    server: { pid: running ? s.serverPid : undefined, running, answers, version },
    namespaceReady: nsReady,
    searchAttributes: attrs,
    ui: s.ui && { url: s.ui.url, answers: await uiAnswers(s.ui.url) },
    ok: answers && nsReady && attrs.length === SEARCH_ATTRIBUTES.length,
  };
}

export type { ServerBinaries };
