// Makes sure cluster mode can run: PostgreSQL's binaries (Debian's `postgresql`, installed with apt when missing and
// we are root) and temporal-server + temporal-sql-tool (built once with Go into ~/.cache/flywheel). Used by CI and
// by test/cluster.test.ts, so the tests install what they need whichever way they are started.
import { spawnSync } from 'node:child_process';
import {
  resolveServerBinaries,
  resolveUiBinary,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  type ServerBinaries,
} from '../src/cluster/binaries';
import { findPgBin, PostgresError } from '../src/cluster/postgres';

function aptInstallPostgres(say: (l: string) => void): void {
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new PostgresError(
      'PostgreSQL is not installed. Fix: `sudo apt-get install postgresql` (or your OS package).',
    );
  say('Installing PostgreSQL with apt-get (one time)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', '--no-install-recommends', 'postgresql'],
  ]) {
    const r = spawnSync('apt-get', args, {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 15 * 60_000,
    });
    if (r.status !== 0) throw new PostgresError(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
  }
}

export async function ensureClusterPrerequisites(
  say: (line: string) => void = () => {},
): Promise<{ pgBin: string; binaries: ServerBinaries; ui?: string }> {
  let pgBin: string;
  try {
    pgBin = findPgBin();
  } catch {
    aptInstallPostgres(say);
    pgBin = findPgBin();
  }
  const binaries = await resolveServerBinaries({ allowBuild: true, say });
  const ui = await resolveUiBinary({ allowBuild: true, say });
  return { pgBin, binaries, ui };
}

if (require.main === module) {
  const t0 = Date.now();
  ensureClusterPrerequisites((l) => process.stderr.write(`${l}\n`))
    .then(({ pgBin, binaries, ui }) => {
      process.stdout.write(
        `PostgreSQL: ${pgBin}\ntemporal-server v${TEMPORAL_SERVER_VERSION}: ${binaries.server} (from ${binaries.source}, ` +
          `${((Date.now() - t0) / 1000).toFixed(1)} s)\nWeb UI v${TEMPORAL_UI_VERSION}: ${ui ?? 'not available'}\n`,
      );
    })
    .catch((e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    });
}
