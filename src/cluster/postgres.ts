// PostgreSQL for cluster mode: a managed cluster (initdb + pg_ctl in <dir>/pg, TCP on 127.0.0.1 only, a generated
// password), or the operator's own server named by a postgres:// URL. Run as root, the managed one runs as `postgres`.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isExecutable, whichOnPath } from '../util/tool-cache';

export class PostgresError extends Error {}

/** Where Temporal finds PostgreSQL. The password is a secret: never logged, kept in files of mode 0600. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface ManagedPg {
  /** <dir>/pg: data/ (the cluster), postgres.log. */
  root: string;
  port: number;
  bin: string;
  /** The OS user PostgreSQL runs as (`postgres` when we are root), or undefined for ourselves. */
  runAs?: string;
}

/** Parses FLYWHEEL_CLUSTER_PG_URL-style `postgres://user:password@host:port` (the database part is ignored). */
export function parsePgUrl(raw: string): PgTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PostgresError('FLYWHEEL_CLUSTER_PG_URL: expected postgres://user:password@host:port');
  }
  if (!/^postgres(ql)?:$/.test(u.protocol) || !u.hostname || !u.username)
    throw new PostgresError('FLYWHEEL_CLUSTER_PG_URL: expected postgres://user:password@host:port');
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

/** The folder with initdb/pg_ctl/postgres: $FLYWHEEL_PG_BIN, Debian's newest /usr/lib/postgresql/N/bin, or PATH. */
export function findPgBin(): string {
  const candidates: string[] = [];
  if (process.env.FLYWHEEL_PG_BIN) candidates.push(process.env.FLYWHEEL_PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian))
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, v, 'bin'));
  const onPath = whichOnPath('initdb');
  if (onPath) candidates.push(path.dirname(fs.realpathSync(onPath)));
  for (const c of candidates)
    if (isExecutable(path.join(c, 'initdb')) && isExecutable(path.join(c, 'pg_ctl'))) return c;
  throw new PostgresError(
    'PostgreSQL is not installed (no initdb/pg_ctl found in $FLYWHEEL_PG_BIN, /usr/lib/postgresql/*/bin or PATH).\n' +
      'Fix: `apt-get install postgresql` (or `npx tsx scripts/ensure-cluster.ts`), or point FLYWHEEL_CLUSTER_PG_URL ' +
      'at a PostgreSQL you run.',
  );
}

function runAsUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status !== 0)
    throw new PostgresError(
      'PostgreSQL refuses to run as root and there is no `postgres` user. Fix: run as another user, or ' +
        '`apt-get install postgresql` (creates the user).',
    );
  return 'postgres';
}

function run(pg: ManagedPg, tool: string, args: string[]): SpawnSyncReturns<string> {
  const cmd = path.join(pg.bin, tool);
  const [exe, argv] = pg.runAs ? ['runuser', ['-u', pg.runAs, '--', cmd, ...args]] : [cmd, args];
  return spawnSync(exe, argv, { encoding: 'utf8', cwd: pg.root, timeout: 120_000 });
}

const dataDir = (pg: ManagedPg) => path.join(pg.root, 'data');
export const pgLogFile = (root: string) => path.join(root, 'postgres.log');

export function managedPg(root: string, port: number): ManagedPg {
  return { root, port, bin: findPgBin(), runAs: runAsUser() };
}

/** initdb once (superuser `user` with a fresh password, stored in <root>/../secrets/pg-password); returns the target. */
export function initManagedPg(pg: ManagedPg, user: string, passwordFile: string): PgTarget {
  if (!fs.existsSync(path.join(dataDir(pg), 'PG_VERSION'))) {
    fs.mkdirSync(pg.root, { recursive: true, mode: 0o700 });
    const password = randomBytes(18).toString('base64url');
    const pwfile = path.join(pg.root, 'pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (pg.runAs) {
      spawnSync('chown', ['-R', `${pg.runAs}:`, pg.root]);
      const probe = spawnSync('runuser', ['-u', pg.runAs, '--', 'test', '-w', pg.root]);
      if (probe.status !== 0) {
        fs.rmSync(pg.root, { recursive: true, force: true });
        throw new PostgresError(
          `PostgreSQL runs as user ${pg.runAs}, which cannot reach ${pg.root}. Fix: make its parent folders ` +
            'traversable (chmod o+x), or choose another --dir (e.g. /srv/flywheel-cluster).',
        );
      }
    }
    const r = run(pg, 'initdb', [
      '-D',
      dataDir(pg),
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=peer',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    fs.rmSync(pwfile, { force: true });
    if (r.status !== 0) throw new PostgresError(`initdb failed:\n${(r.stderr || r.stdout).slice(-2000)}`);
    // TCP on loopback only; no Unix socket (its default folder may not exist or be writable).
    fs.appendFileSync(
      path.join(dataDir(pg), 'postgresql.conf'),
      `\n# flywheel cluster\nlisten_addresses = '127.0.0.1'\nport = ${pg.port}\nunix_socket_directories = ''\n` +
        'max_connections = 200\n',
    );
    fs.mkdirSync(path.dirname(passwordFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  return { host: '127.0.0.1', port: pg.port, user, password: fs.readFileSync(passwordFile, 'utf8').trim() };
}

export function managedPgRunning(pg: ManagedPg): boolean {
  return fs.existsSync(dataDir(pg)) && run(pg, 'pg_ctl', ['-D', dataDir(pg), 'status']).status === 0;
}

/** Starts the managed PostgreSQL; false when it was already running. */
export function startManagedPg(pg: ManagedPg): boolean {
  if (managedPgRunning(pg)) return false;
  const r = run(pg, 'pg_ctl', ['-D', dataDir(pg), '-l', pgLogFile(pg.root), '-w', '-t', '60', 'start']);
  if (r.status !== 0) {
    const log = fs.existsSync(pgLogFile(pg.root))
      ? fs.readFileSync(pgLogFile(pg.root), 'utf8').slice(-1500)
      : '';
    throw new PostgresError(
      `PostgreSQL did not start (port ${pg.port}):\n${(r.stderr || r.stdout).trim()}\n${log}`,
    );
  }
  return true;
}

export function stopManagedPg(pg: ManagedPg): void {
  if (!managedPgRunning(pg)) return;
  const r = run(pg, 'pg_ctl', ['-D', dataDir(pg), '-m', 'fast', '-w', '-t', '60', 'stop']);
  if (r.status !== 0) throw new PostgresError(`pg_ctl stop failed: ${(r.stderr || r.stdout).trim()}`);
}

/** True when something accepts TCP connections at host:port. */
export function tcpOpen(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}
