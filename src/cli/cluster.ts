// `flywheel cluster up|down|status`: Temporal on PostgreSQL without Docker (src/cluster/), for a shared server.
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ClusterBinariesMissing } from '../cluster/binaries';
import {
  ClusterError,
  clusterDown,
  clusterStatus,
  clusterUp,
  readState,
  type ClusterStatus,
} from '../cluster/cluster';
import { PostgresError } from '../cluster/postgres';
import { action, EXIT, settingsOrExit, UserError } from './common';
import { splitAddress } from './embedded';

interface DirOption {
  dir?: string;
}
interface UpOptions extends DirOption {
  port?: number;
  pgPort?: number;
  ip?: string;
  uiPort?: number;
  ui: boolean;
  build: boolean;
  json?: boolean;
}

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 32_000)
    throw new InvalidArgumentError('expected a port number (1024-32000; Temporal stores ports as smallint).');
  return n;
};

const DIR_HELP =
  'cluster folder: state, pid, logs, the managed PostgreSQL (default: <FLYWHEEL_DATA_DIR>/cluster)';

export function register(program: Command): void {
  const cluster = program
    .command('cluster')
    .exitOverride()
    .description(
      'Temporal on PostgreSQL without Docker: the same server and schemas as docker-compose.yml, run natively ' +
        '(temporal-server v1.29.1, built once with Go into ~/.cache/flywheel), for stage and audit workers on ' +
        'one or several machines.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  flywheel cluster up\n  flywheel cluster status --json\n' +
        '  FLYWHEEL_CLUSTER_PG_URL=postgres://temporal:secret@db:5432 flywheel cluster up --ip 0.0.0.0\n' +
        '  flywheel cluster down\n\nSee docs/production.md ("Cluster mode without Docker").',
    );

  cluster
    .command('up')
    .exitOverride()
    .description(
      'Start (or resume) the cluster: PostgreSQL (a managed one in <dir>/pg, or FLYWHEEL_CLUSTER_PG_URL), the ' +
        'Temporal schemas, the Temporal server (PostgreSQL persistence, SQL advanced visibility, dynamic config ' +
        'from deploy/temporal/), the TEMPORAL_NAMESPACE namespace and Flywheel search attributes, then the Web UI. ' +
        'Safe to re-run: what already runs is kept. Ports are chosen on the first `up` and kept.',
    )
    .option('--dir <path>', DIR_HELP)
    .option(
      '--port <port>',
      'Temporal frontend gRPC port (default: the port of TEMPORAL_ADDRESS, 7233)',
      port,
    )
    .option('--pg-port <port>', 'port of the managed PostgreSQL (default 5433)', port)
    .option(
      '--ip <address>',
      'address the server binds to; 0.0.0.0 for workers on other machines',
      '127.0.0.1',
    )
    .option('--ui-port <port>', 'Web UI port (default: TEMPORAL_UI_PORT, 8233)', port)
    .option('--no-ui', 'do not start the Web UI')
    .option('--no-build', 'fail instead of building the server with Go when it is not cached')
    .option('--json', 'print the cluster state as JSON at the end')
    .addHelpText(
      'after',
      `\nExit codes: 0 up, ${EXIT.USAGE} bad settings, ${EXIT.ERROR} setup failed, ${EXIT.UNAVAILABLE} a port is busy or PostgreSQL/the server is unreachable.`,
    )
    .action(action(up));

  cluster
    .command('down')
    .exitOverride()
    .description(
      'Stop the Web UI, the Temporal server, then the managed PostgreSQL. Data is kept unless --purge.',
    )
    .option('--dir <path>', DIR_HELP)
    .option('--purge', 'also delete the cluster folder (the managed database: every workflow history)')
    .action(action(down));

  cluster
    .command('status')
    .exitOverride()
    .description(
      'Show whether PostgreSQL, the server and the Web UI run, the namespace and the search attributes.',
    )
    .option('--dir <path>', DIR_HELP)
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      `\nExit codes: 0 everything up, ${EXIT.FAIL} something is down or no cluster exists.`,
    )
    .action(action(status));
}

const dirOf = (o: DirOption) => path.resolve(o.dir ?? path.join(settingsOrExit().dataDir, 'cluster'));
const say = (line: string) => process.stderr.write(`${line}\n`);

async function up(o: UpOptions): Promise<number> {
  const settings = settingsOrExit();
  const dir = dirOf(o);
  const created = Boolean(readState(dir)); // an existing cluster keeps its ports; defaults apply to a new one
  let state;
  try {
    state = await clusterUp({
      dir,
      namespace: settings.TEMPORAL_NAMESPACE,
      ip: o.ip,
      port: o.port ?? (created ? undefined : splitAddress(settings.TEMPORAL_ADDRESS).port),
      pgPort: o.pgPort,
      pgUrl: settings.FLYWHEEL_CLUSTER_PG_URL,
      ui: o.ui,
      uiPort: o.uiPort ?? (created ? undefined : settings.TEMPORAL_UI_PORT),
      allowBuild: o.build,
      say,
    });
  } catch (e) {
    if (e instanceof ClusterError) throw new UserError(e.message, e.exitCode);
    if (e instanceof PostgresError) throw new UserError(e.message, EXIT.ERROR);
    if (e instanceof ClusterBinariesMissing) throw new UserError(e.message, EXIT.ERROR);
    throw e;
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(state, null, 2) + '\n');
    return EXIT.OK;
  }
  const pg = state.pg.managed
    ? `managed PostgreSQL at ${state.pg.host}:${state.pg.port} (data in ${path.join(dir, 'pg')})`
    : `PostgreSQL at ${state.pg.host}:${state.pg.port}`;
  const addr = state.address;
  process.stdout.write(
    [
      `Cluster up: Temporal ${state.serverVersion} at ${addr}, namespace ${state.namespace}, ${pg}.`,
      'Workers (same FLYWHEEL_TASK_QUEUE; stage workers share <data>/work, see docs/production.md):',
      `  TEMPORAL_ADDRESS=${addr} FLYWHEEL_WORKER_ROLE=audit flywheel worker    # exactly one per data folder`,
      `  TEMPORAL_ADDRESS=${addr} FLYWHEEL_WORKER_ROLE=stages flywheel worker   # as many as you like`,
      `Runs: TEMPORAL_ADDRESS=${addr} flywheel run "<task>"`,
      state.ui?.pid
        ? `Web UI: ${state.ui.url}`
        : `Web UI: ${o.ui ? 'not running (see above)' : 'off (--no-ui)'}; \`flywheel dashboard\` shows the runs.`,
      ...(state.ip === '0.0.0.0'
        ? [`From other machines: TEMPORAL_ADDRESS=<this host's address>:${state.ports.frontend}`]
        : []),
      `Stop: flywheel cluster down${o.dir ? ` --dir ${o.dir}` : ''}`,
      '',
    ].join('\n'),
  );
  return EXIT.OK;
}

async function down(o: DirOption & { purge?: boolean }): Promise<number> {
  const dir = dirOf(o);
  const had = await clusterDown(dir, { purge: o.purge, say });
  process.stdout.write(
    had ? `Cluster in ${dir} stopped${o.purge ? ' and deleted' : ''}.\n` : `No cluster in ${dir}.\n`,
  );
  return EXIT.OK;
}

async function status(o: DirOption & { json?: boolean }): Promise<number> {
  const s = await clusterStatus(dirOf(o));
  if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
  else process.stdout.write(formatStatus(s));
  return s.ok ? EXIT.OK : EXIT.FAIL;
}

function formatStatus(s: ClusterStatus): string {
  if (!s.exists) return `No cluster in ${s.dir}. Start one: flywheel cluster up --dir ${s.dir}\n`;
  const mark = (ok: boolean | undefined) => (ok ? 'ok  ' : 'DOWN');
  const srv = s.server!;
  return [
    `cluster ${s.dir}`,
    `  ${mark(s.postgres!.running)} PostgreSQL ${s.postgres!.address}${s.postgres!.managed ? ' (managed)' : ''}`,
    `  ${mark(srv.answers)} Temporal server ${s.address}${srv.version ? ` v${srv.version}` : ''}${
      srv.pid ? ` (pid ${srv.pid})` : srv.answers ? '' : ' — start it: flywheel cluster up'
    }`,
    `  ${mark(s.namespaceReady)} namespace ${s.namespace}`,
    `  ${mark(s.ok)} search attributes: ${s.searchAttributes!.join(', ') || 'none'}`,
    ...(s.ui ? [`  ${mark(s.ui.answers)} Web UI ${s.ui.url}`] : []),
    '',
  ].join('\n');
}
