// Makes sure cluster mode can run: PostgreSQL's binaries (Debian's `postgresql`, installed with apt when missing)
// and temporal-server + temporal-sql-tool (built once with Go into ~/.cache/flywheel). Used by the test setup and
// by test/cluster.test.ts, so the tests install what they need whichever way they are started.
import {
  resolveServerBinaries,
  resolveUiBinary,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  type ServerBinaries,
} from '../src/cluster/binaries';
import { findPgBin } from '../src/cluster/postgres';
import { aptInstall } from '../src/util/apt';

export async function ensureClusterPrerequisites(
  say: (line: string) => void = () => {},
): Promise<{ pgBin: string; binaries: ServerBinaries; ui?: string }> {
  let pgBin: string;
  try {
    pgBin = findPgBin();
  } catch {
    await aptInstall(['postgresql'], 'cluster mode (PostgreSQL)');
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
