import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { aptInstall } from '../util/apt';
import { cacheDir, hasGo, isExecutable, runLogged, whichOnPath, withBuildLock } from '../util/tool-cache';

/** The one place the Ollama version is pinned (built from the Go module proxy when not installed). */
export const OLLAMA_VERSION = '0.17.4';
const GO_MODULE = 'github.com/ollama/ollama';
/** Supplies `miniaudio.h`, which the module zip of Ollama lacks (llama.cpp's vendor/ folder is not in it). */
const MINIAUDIO_MODULE = 'github.com/gen2brain/malgo@v0.11.24';
/** Debian packages giving the other vendored headers, and the header each one must provide. */
const DEB_HEADERS: Record<string, string> = {
  'nlohmann-json3-dev': '/usr/include/nlohmann/json.hpp',
  'libstb-dev': '/usr/include/stb/stb_image.h',
};

export class OllamaNotFound extends Error {}

export interface ResolvedOllama {
  path: string;
  source: 'PATH' | 'cache' | 'go-build';
}

/**
 * The cgo build compiles ggml's CPU code with the compiler's baseline (SSE2) unless told otherwise; built for this
 * CPU it reads prompts ~9x and writes ~2x faster (measured on 2 cores: 8 → 70 prompt tokens/s). The tag keeps such
 * a build apart from a baseline one; a cache copied to a different CPU must be rebuilt (delete the folder).
 */
const CPU_FLAGS =
  '-O3 -march=native' +
  // On CPUs with AMX (Xeon Sapphire Rapids and later) ggml-cpu.cpp then calls the AMX buffer type, whose source the
  // cgo package does not compile, and the link fails; ggml's AMX kernels are for quantized batches we do not run.
  (process.arch === 'x64' ? ' -mno-amx-tile -mno-amx-int8 -mno-amx-bf16' : '');
export const ollamaCacheDir = () => cacheDir('bin', `ollama-${OLLAMA_VERSION}-native`);
const cachedBinary = () => path.join(ollamaCacheDir(), 'ollama');

/** Gets an `ollama` binary, in order: `ollama` on PATH, the cached build, a cgo build from the Go module proxy. */
export async function resolveOllama(opts: { allowBuild?: boolean } = {}): Promise<ResolvedOllama> {
  const tried: string[] = [];
  const onPath = whichOnPath('ollama');
  if (onPath) return { path: onPath, source: 'PATH' };
  tried.push('`ollama` on PATH: not found');

  const cached = cachedBinary();
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  tried.push(`cache ${cached}: empty`);

  if (opts.allowBuild === false) tried.push('Go build: not allowed here');
  else if (!hasGo()) tried.push('Go build: `go` not found');
  else if (!hasCxx()) tried.push('Go build: no C/C++ compiler (`gcc` and `g++`) for cgo');
  else {
    try {
      await withBuildLock(cached + '.lock', () => buildOllama(cached));
      if (isExecutable(cached)) return { path: cached, source: 'go-build' };
      tried.push('Go build: finished but no binary appeared');
    } catch (e) {
      tried.push(`Go build of ${GO_MODULE}@v${OLLAMA_VERSION}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new OllamaNotFound(
    `No Ollama found. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}\n` +
      `Fix: install Ollama (https://ollama.com/download) and put \`ollama\` on PATH, or start it and set OLLAMA_HOST; ` +
      `or install Go, gcc/g++ and the Debian packages ${Object.keys(DEB_HEADERS).join(' ')}, then run again to build it.`,
  );
}

function hasCxx(): boolean {
  return ['gcc', 'g++'].every((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
}

async function buildOllama(target: string): Promise<void> {
  if (isExecutable(target)) return;
  await ensureDebHeaders();
  const env = { ...process.env, GOTOOLCHAIN: 'local' };
  const include = path.join(ollamaCacheDir(), 'include');
  const malgoDir = goModDir(MINIAUDIO_MODULE, env);
  fs.mkdirSync(path.join(include, 'miniaudio'), { recursive: true });
  const header = path.join(include, 'miniaudio', 'miniaudio.h');
  fs.copyFileSync(path.join(malgoDir, 'miniaudio.h'), header);
  fs.chmodSync(header, 0o644); // the module cache is read-only; a re-copy must be able to overwrite it

  const srcDir = goModDir(`${GO_MODULE}@v${OLLAMA_VERSION}`, env);
  const tmp = `${target}.tmp-${process.pid}`;
  const buildEnv = {
    ...env,
    CGO_ENABLED: '1',
    CGO_CPPFLAGS: `-I${include}`,
    CGO_CFLAGS: CPU_FLAGS,
    CGO_CXXFLAGS: CPU_FLAGS,
  };
  const build = (cwd: string) =>
    runLogged(
      'go',
      ['build', `-ldflags=-s -w -X=${GO_MODULE}/version.Version=${OLLAMA_VERSION}`, '-o', tmp, '.'],
      { cwd, env: buildEnv, label: `Ollama v${OLLAMA_VERSION}: go build (one time, ~7 min on 2 cores)` },
    );
  try {
    // The module cache is read-only, but `go build -o <elsewhere>` writes nothing into the source folder.
    await build(srcDir);
  } catch (e) {
    if (!/permission denied|read-only/i.test((e as Error).message)) throw e;
    const copy = path.join(ollamaCacheDir(), 'src');
    fs.rmSync(copy, { recursive: true, force: true });
    fs.cpSync(srcDir, copy, { recursive: true });
    makeWritable(copy);
    await build(copy);
  }
  fs.renameSync(tmp, target);
}

/** Installs the header packages when they are missing (as root or with sudo); otherwise says what to install. */
async function ensureDebHeaders(): Promise<void> {
  const missing = Object.entries(DEB_HEADERS)
    .filter(([, h]) => !fs.existsSync(h))
    .map(([pkg]) => pkg);
  await aptInstall(missing, 'the Ollama build (C++ headers)');
  const still = Object.entries(DEB_HEADERS).filter(([, h]) => !fs.existsSync(h));
  if (still.length) throw new Error(`apt-get ran but ${still.map(([, h]) => h).join(', ')} is still missing`);
}

/** `go mod download -json <mod>` and its `Dir`: the unpacked module in the module cache. */
function goModDir(mod: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync('go', ['mod', 'download', '-json', mod], {
    env,
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    // reported below
  }
  if (!info.Dir)
    throw new Error(`go mod download ${mod} failed: ${info.Error ?? (r.stderr || r.stdout).trim()}`);
  return info.Dir;
}

function makeWritable(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    fs.chmodSync(p, e.isDirectory() ? 0o755 : 0o644);
    if (e.isDirectory()) makeWritable(p);
  }
}
