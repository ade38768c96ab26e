// The project-managed Python environment for training and the demo model's Hugging Face weights.
// The venv is keyed by a hash of requirements-train.txt, so a new pin makes a new venv; both are cached under
// ~/.cache/flywheel (FLYWHEEL_CACHE_DIR) and built once, under a cross-process lock.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { demoModelFile } from '../ollama';
import { cacheDir, runLogged, withBuildLock } from '../util/tool-cache';

const ROOT = path.resolve(__dirname, '..', '..');
export const REQUIREMENTS = path.join(ROOT, 'requirements-train.txt');
export const TRAIN_SCRIPT = path.join(ROOT, 'python', 'flywheel_train.py');

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

/** The venv folder for the current requirements file (it may not exist yet). */
export function trainVenvDir(): string {
  return cacheDir(`train-venv-${sha(fs.readFileSync(REQUIREMENTS)).slice(0, 12)}`);
}

export function venvPython(venv = trainVenvDir()): string {
  return path.join(venv, 'bin', 'python');
}

/** Creates the venv on first use (python3 -m venv + pip install of the pinned requirements); returns its python. */
export async function ensureTrainEnv(): Promise<string> {
  const venv = trainVenvDir();
  const ok = path.join(venv, '.flywheel-ok');
  if (fs.existsSync(ok)) return venvPython(venv);
  return withBuildLock(`${venv}.lock`, async () => {
    if (fs.existsSync(ok)) return venvPython(venv);
    fs.rmSync(venv, { recursive: true, force: true });
    process.stderr.write(
      `Creating the training environment in ${venv} (torch, transformers, trl, peft; ~6 GB, a few minutes)...\n`,
    );
    const env = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
    await runLogged('python3', ['-m', 'venv', venv], { label: 'venv', env }).catch((e: Error) => {
      throw new Error(
        `could not create a Python venv with \`python3 -m venv\` (needs Python ≥ 3.10): ${e.message}`,
      );
    });
    await runLogged(venvPython(venv), ['-m', 'pip', 'install', '-q', '-r', REQUIREMENTS], {
      label: 'pip install',
      env,
    });
    fs.writeFileSync(ok, `${new Date().toISOString()}\n`);
    return venvPython(venv);
  });
}

/** Hugging Face weights (safetensors + tokenizer) of the demo model, converted once from the pinned GGUF. */
export async function ensureDemoHfWeights(): Promise<string> {
  const gguf = await demoModelFile();
  const out = cacheDir('hf', `${path.basename(gguf, '.gguf')}`);
  if (fs.existsSync(path.join(out, 'model.safetensors'))) return out;
  const python = await ensureTrainEnv();
  return withBuildLock(`${out}.lock`, async () => {
    if (fs.existsSync(path.join(out, 'model.safetensors'))) return out;
    await runLogged(python, [TRAIN_SCRIPT, 'convert', '--gguf', gguf, '--out', out], { label: 'gguf→hf' });
    return out;
  });
}
