import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, hasGo, isExecutable, runLogged, whichOnPath, withBuildLock } from '../util/tool-cache';

/** The one place the Temporal CLI version is pinned. Later tags cannot be `go install`ed (their go.mod has a `replace`). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export class TemporalCliNotFound extends Error {}

export interface ResolvedCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go-build' | 'sdk-download';
}

const cachedBinary = () => path.join(cacheDir('bin', `temporal-${TEMPORAL_CLI_VERSION}`), 'temporal');

/**
 * Gets a `temporal` CLI binary, in order: $TEMPORAL_CLI_PATH, `temporal` on PATH, the cached build,
 * a Go build from the module proxy, the official binary via @temporalio/testing's cached-download.
 */
export async function resolveTemporalCli(opts: { allowBuild?: boolean } = {}): Promise<ResolvedCli> {
  const tried: string[] = [];
  const envPath = process.env.TEMPORAL_CLI_PATH;
  if (envPath) {
    if (isExecutable(envPath)) return { path: envPath, source: 'TEMPORAL_CLI_PATH' };
    tried.push(`TEMPORAL_CLI_PATH=${envPath}: not an executable file`);
  } else tried.push('TEMPORAL_CLI_PATH: not set');

  const onPath = whichOnPath('temporal');
  if (onPath) return { path: onPath, source: 'PATH' };
  tried.push('`temporal` on PATH: not found');

  const cached = cachedBinary();
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  tried.push(`cache ${cached}: empty`);

  if (opts.allowBuild !== false) {
    if (hasGo()) {
      try {
        await withBuildLock(cached + '.lock', async () => {
          if (isExecutable(cached)) return;
          await runLogged('go', ['install', `${GO_MODULE}@v${TEMPORAL_CLI_VERSION}`], {
            label: `Temporal CLI v${TEMPORAL_CLI_VERSION}: go install (one time, ~5 min)`,
            env: { ...process.env, GOTOOLCHAIN: 'local', GOBIN: path.dirname(cached), CGO_ENABLED: '0' },
          });
        });
        if (isExecutable(cached)) return { path: cached, source: 'go-build' };
        tried.push('go install: finished but no binary appeared');
      } catch (e) {
        tried.push(
          `go install ${GO_MODULE}@v${TEMPORAL_CLI_VERSION}: ${(e as Error).message.split('\n')[0]}`,
        );
      }
    } else tried.push('Go build: `go` not found');

    try {
      return { path: await downloadViaSdk(), source: 'sdk-download' };
    } catch (e) {
      tried.push(
        `official binary via @temporalio/testing cached-download: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
  throw new TemporalCliNotFound(
    `No Temporal CLI found. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
      `Fix: install it (https://docs.temporal.io/cli#install) and put \`temporal\` on PATH, set TEMPORAL_CLI_PATH, ` +
      `or install Go and run \`GOTOOLCHAIN=local go install ${GO_MODULE}@v${TEMPORAL_CLI_VERSION}\`.`,
  );
}

/** Lets the SDK download the official dev server, then finds the binary it stored. */
async function downloadViaSdk(): Promise<string> {
  const downloadDir = cacheDir('bin', 'sdk-download');
  fs.mkdirSync(downloadDir, { recursive: true });
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'cached-download', downloadDir } },
  });
  await env.teardown();
  const found = findFile(
    downloadDir,
    (f) => /^temporal(-cli)?[^/]*$/.test(path.basename(f)) && isExecutable(f),
  );
  if (!found) throw new Error(`download finished but no temporal binary in ${downloadDir}`);
  return found;
}

function findFile(dir: string, pred: (f: string) => boolean): string | undefined {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, pred);
      if (f) return f;
    } else if (pred(p)) return p;
  }
  return undefined;
}
