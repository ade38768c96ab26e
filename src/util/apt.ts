// Debian packages the project installs on first use (headers for the Ollama build, PostgreSQL for cluster mode,
// Chromium and python3-venv for the tests): one way to do it, as root or with passwordless sudo, else a clear fix.
import { spawnSync } from 'node:child_process';
import { runLogged, whichOnPath } from './tool-cache';

export class AptUnavailable extends Error {}

/** The command prefix that can run apt-get here: [] as root, ['sudo', '-n'] with passwordless sudo, else undefined. */
function aptPrefix(): string[] | undefined {
  if (!whichOnPath('apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  if (whichOnPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0)
    return ['sudo', '-n'];
  return undefined;
}

/** Installs `pkgs` with apt-get (refreshing the package lists once if the first try fails). */
export async function aptInstall(pkgs: string[], why: string): Promise<void> {
  if (pkgs.length === 0) return;
  const prefix = aptPrefix();
  if (!prefix)
    throw new AptUnavailable(
      `${why} needs the Debian packages ${pkgs.join(' ')}. Fix: sudo apt-get install -y ${pkgs.join(' ')} ` +
        `(or your OS's packages), then run again.`,
    );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => {
    const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
    return runLogged(cmd, rest, { label: `apt-get ${args[0]} (${why})`, env });
  };
  const install = ['install', '-y', '-q', ...pkgs];
  // A fresh container often has empty package lists: update once, then retry.
  await apt(install).catch(async () => {
    await apt(['update', '-q']);
    await apt(install);
  });
}
