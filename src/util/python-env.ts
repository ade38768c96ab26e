// Project-managed Python environments: a venv per requirements file, keyed by the file's hash (a new pin makes a new
// venv), cached under ~/.cache/flywheel (FLYWHEEL_CACHE_DIR), built once under a cross-process lock. The system
// Python only creates them; nothing is installed into it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, runLogged, withBuildLock } from './tool-cache';

export interface VenvSpec {
  /** Folder-name prefix under the cache: `<name>-<hash>`. */
  name: string;
  /** The pinned requirements file installed into the venv. */
  requirements: string;
  /** What the install brings, for the progress line (e.g. "torch, transformers; ~6 GB"). */
  what?: string;
}

export function venvDir(spec: VenvSpec): string {
  const hash = crypto.createHash('sha256').update(fs.readFileSync(spec.requirements)).digest('hex');
  return cacheDir(`${spec.name}-${hash.slice(0, 12)}`);
}

export const venvPython = (venv: string) => path.join(venv, 'bin', 'python');

/** The venv's python when it is complete, else undefined (no build). */
export function readyVenvPython(spec: VenvSpec): string | undefined {
  const venv = venvDir(spec);
  return fs.existsSync(path.join(venv, '.flywheel-ok')) ? venvPython(venv) : undefined;
}

/** Creates the venv on first use (python3 -m venv, then pip install -r); returns its python. */
export async function ensureVenv(spec: VenvSpec): Promise<string> {
  const venv = venvDir(spec);
  const ok = path.join(venv, '.flywheel-ok');
  if (fs.existsSync(ok)) return venvPython(venv);
  return withBuildLock(`${venv}.lock`, async () => {
    if (fs.existsSync(ok)) return venvPython(venv);
    fs.rmSync(venv, { recursive: true, force: true });
    const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    await runLogged('python3', ['-m', 'venv', venv], { label: `python venv ${venv}`, env }).catch(
      (e: Error) => {
        throw new Error(
          `could not create a Python venv with \`python3 -m venv\` (needs Python ≥ 3.10 and, on Debian, ` +
            `the python3-venv package): ${e.message}`,
        );
      },
    );
    const file = path.basename(spec.requirements);
    await runLogged(venvPython(venv), ['-m', 'pip', 'install', '-q', '-r', spec.requirements], {
      label: `pip install -r ${file}${spec.what ? ` (${spec.what})` : ''}`,
      env,
    });
    fs.writeFileSync(ok, `${new Date().toISOString()}\n`);
    return venvPython(venv);
  });
}
