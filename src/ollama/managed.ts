import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { cacheDir } from '../util/tool-cache';

export interface ManagedOllama {
  /** Base URL, e.g. http://127.0.0.1:11434. */
  host: string;
  pid: number;
  /** SIGTERM to the server's process group, SIGKILL after 5 s; resolves when nothing of it is left. */
  stop(): Promise<void>;
}

/** `http://h:p` from `h:p` or a URL; Ollama's own default port when none is given. */
export function normalizeHost(host: string): string {
  const u = new URL(/^https?:\/\//.test(host) ? host : `http://${host}`);
  return `${u.protocol}//${u.hostname}:${u.port || '11434'}`;
}

/** True when an Ollama server answers GET /api/version at `host` within `timeoutMs`. */
export async function isOllamaUp(host: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetch(`${normalizeHost(host)}/api/version`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Runs `<ollamaPath> serve` on `host` with its models in `modelsDir`, in its own process group so its model
 * runners stop with it. The group is also killed when this process exits or gets SIGINT/SIGTERM.
 */
export async function startManagedOllama(opts: {
  ollamaPath: string;
  host: string;
  modelsDir?: string;
  /** Also append the server's output here. */
  logFile?: string;
  startTimeoutMs?: number;
}): Promise<ManagedOllama> {
  const host = normalizeHost(opts.host);
  const modelsDir = opts.modelsDir ?? cacheDir('ollama-models');
  fs.mkdirSync(modelsDir, { recursive: true });
  const { hostname, port } = new URL(host);
  const child = spawn(opts.ollamaPath, ['serve'], {
    env: { ...process.env, OLLAMA_HOST: `${hostname}:${port}`, OLLAMA_MODELS: modelsDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail: string[] = [];
  const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  const onData = (b: Buffer) => {
    log?.write(b);
    for (const line of b.toString().split('\n')) if (line.trim()) tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  let exited = false;
  const exitedP = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
    child.on('error', (e) => {
      tail.push(String(e));
      exited = true;
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exitedP;
    throw new Error(`could not start ${opts.ollamaPath} serve: ${tail.join('\n')}`);
  }

  const killGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // group already gone
    }
  };
  const onExit = () => stopSync(pid, killGroup);
  const onSignal = (sig: NodeJS.Signals) => {
    stopSync(pid, killGroup);
    // Keep the default "die on signal" unless someone else handles it.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unregister = () => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
      await exitedP;
      clearTimeout(timer);
      // The server is gone; make sure none of its model runners outlive it.
      killGroup('SIGKILL');
      unregister();
      log?.end();
    })());

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (!(await isOllamaUp(host, 1000))) {
    if (exited || Date.now() > deadline) {
      const why = exited ? `exited with ${child.exitCode ?? child.signalCode}` : 'did not answer in time';
      await stop();
      throw new Error(`managed \`ollama serve\` on ${host} ${why}. Its last output:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { host, pid, stop };
}

/** Synchronous stop for exit paths: SIGTERM, wait up to 3 s for the server, then SIGKILL the group. */
function stopSync(pid: number, killGroup: (sig: NodeJS.Signals) => void): void {
  killGroup('SIGTERM');
  const until = Date.now() + 3000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < until && isLiveProcess(pid)) Atomics.wait(nap, 0, 0, 50);
  killGroup('SIGKILL');
}

/** Alive and not a zombie (an exited child stays a zombie until Node reaps it, which cannot happen here). */
function isLiveProcess(pid: number): boolean {
  if (!fs.existsSync('/proc/self')) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}
