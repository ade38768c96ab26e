// The project-managed Python environment for training and the demo model's Hugging Face weights.
// Both are cached under ~/.cache/flywheel (FLYWHEEL_CACHE_DIR) and built once, under a cross-process lock.
import fs from 'node:fs';
import path from 'node:path';
import { demoModelFile } from '../ollama';
import { ensureVenv, venvDir, type VenvSpec } from '../util/python-env';
import { cacheDir, runLogged, withBuildLock } from '../util/tool-cache';

const ROOT = path.resolve(__dirname, '..', '..');
export const REQUIREMENTS = path.join(ROOT, 'requirements-train.txt');
export const TRAIN_SCRIPT = path.join(ROOT, 'python', 'flywheel_train.py');

const TRAIN_VENV: VenvSpec = {
  name: 'train-venv',
  requirements: REQUIREMENTS,
  what: 'torch, transformers, trl, peft; ~6 GB, a few minutes',
};

/** The venv folder for the current requirements file (it may not exist yet). */
export const trainVenvDir = (): string => venvDir(TRAIN_VENV);

/** Creates the training venv on first use; returns its python. */
export const ensureTrainEnv = (): Promise<string> => ensureVenv(TRAIN_VENV);

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
