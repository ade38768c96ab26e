// The standalone Temporal server and its SQL schema tool, built once from the Go module proxy and cached outside
// the repo (like the `temporal` CLI, src/temporal/binary.ts), with the PostgreSQL schema files copied beside them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasGo, isExecutable, runLogged, withBuildLock } from '../util/tool-cache';

/** The server version the pinned Temporal CLI (v1.5.1) embeds: the one place it is pinned for cluster mode. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = 'go.temporal.io/server';
const PACKAGES = [`${MODULE}/cmd/server`, `${MODULE}/cmd/tools/sql`];

export class ClusterBinariesMissing extends Error {}

export interface ServerBinaries {
  /** `temporal-server` (go package cmd/server). */
  server: string;
  /** `temporal-sql-tool` (go package cmd/tools/sql). */
  sqlTool: string;
  /** `schema/postgresql/v12` of the same module: `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
  source: 'FLYWHEEL_TEMPORAL_SERVER_DIR' | 'cache' | 'go-build';
}

const dirOf = () =>
  process.env.FLYWHEEL_TEMPORAL_SERVER_DIR ?? cacheDir('bin', `temporal-server-${TEMPORAL_SERVER_VERSION}`);

function found(dir: string): Omit<ServerBinaries, 'source'> | undefined {
  const b = {
    server: path.join(dir, 'server'),
    sqlTool: path.join(dir, 'sql'),
    schemaDir: path.join(dir, 'schema', 'postgresql', 'v12'),
  };
  const ok =
    isExecutable(b.server) &&
    isExecutable(b.sqlTool) &&
    fs.existsSync(path.join(b.schemaDir, 'temporal', 'versioned')) &&
    fs.existsSync(path.join(b.schemaDir, 'visibility', 'versioned'));
  return ok ? b : undefined;
}

/** One `go install` into `dir` (GOBIN) under the build lock, then `after` (in the lock); the caller checks the result. */
async function goInstall(
  dir: string,
  packages: string[],
  label: string,
  say: ((line: string) => void) | undefined,
  done: () => boolean,
  after?: (env: NodeJS.ProcessEnv) => void,
): Promise<void> {
  await withBuildLock(dir + '.lock', async () => {
    if (done()) return;
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOBIN: dir, CGO_ENABLED: '0' };
    await runLogged('go', ['install', ...packages], {
      label: `${label}: go install (one time, ~3 min)`,
      env,
    });
    after?.(env);
  });
}

/**
 * The server binaries, in order: $FLYWHEEL_TEMPORAL_SERVER_DIR (a folder with `server`, `sql`, `schema/`), the
 * cache, or a one-time `go install` (~3 min, heavy on CPU and memory) unless `allowBuild` is false.
 */
export async function resolveServerBinaries(
  opts: { allowBuild?: boolean; say?: (line: string) => void } = {},
): Promise<ServerBinaries> {
  const dir = dirOf();
  const have = found(dir);
  if (have)
    return {
      ...have,
      source: process.env.FLYWHEEL_TEMPORAL_SERVER_DIR ? 'FLYWHEEL_TEMPORAL_SERVER_DIR' : 'cache',
    };
  const pkgs = PACKAGES.map((p) => `${p}@v${TEMPORAL_SERVER_VERSION}`);
  const remedy =
    `Fix: run \`npx tsx scripts/ensure-cluster.ts\` (needs Go), or ` +
    `\`GOTOOLCHAIN=local GOBIN=${dir} go install ${pkgs.join(' ')}\` and copy schema/ from the module into ${dir}.`;
  if (opts.allowBuild === false)
    throw new ClusterBinariesMissing(`No Temporal server binaries in ${dir}.\n${remedy}`);
  if (!hasGo())
    throw new ClusterBinariesMissing(
      `No Temporal server binaries in ${dir}, and \`go\` is not installed.\n${remedy}`,
    );
  await goInstall(
    dir,
    pkgs,
    `temporal-server and temporal-sql-tool v${TEMPORAL_SERVER_VERSION} (~3 min)`,
    opts.say,
    () => Boolean(found(dir)),
    (env) => {
      const modCache = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8', env }).stdout.trim();
      const src = path.join(modCache, `${MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql');
      if (!fs.existsSync(src))
        throw new ClusterBinariesMissing(`The Go module cache has no schema folder at ${src}.`);
      fs.cpSync(src, path.join(dir, 'schema', 'postgresql'), { recursive: true });
      // Files from the module cache are read-only; the copy must stay removable.
      spawnSync('chmod', ['-R', 'u+w', path.join(dir, 'schema')]);
    },
  );
  const built = found(dir);
  if (!built) throw new ClusterBinariesMissing(`go install finished but ${dir} is incomplete.\n${remedy}`);
  return { ...built, source: 'go-build' };
}

/** The Web UI server the pinned Temporal CLI embeds (its go.mod), built standalone: it serves the UI for any frontend. */
export const TEMPORAL_UI_VERSION = '2.42.1';
const UI_PACKAGE = 'github.com/temporalio/ui-server/v2/cmd/server';

/** The UI server binary (cached, or built once, ~1 min), or undefined when it cannot be had (no Go, build failed). */
export async function resolveUiBinary(
  opts: { allowBuild?: boolean; say?: (line: string) => void } = {},
): Promise<string | undefined> {
  const bin = path.join(cacheDir('bin', `temporal-ui-${TEMPORAL_UI_VERSION}`), 'server');
  if (isExecutable(bin)) return bin;
  if (opts.allowBuild === false || !hasGo()) return undefined;
  try {
    await goInstall(
      path.dirname(bin),
      [`${UI_PACKAGE}@v${TEMPORAL_UI_VERSION}`],
      `the Temporal Web UI server v${TEMPORAL_UI_VERSION}`,
      opts.say,
      () => isExecutable(bin),
    );
  } catch (e) {
    opts.say?.(`The Web UI could not be built: ${(e as Error).message.split('\n')[0]}`);
  }
  return isExecutable(bin) ? bin : undefined;
}
