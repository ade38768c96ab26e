// Prepares `flywheel train` once (for .ci/run and test setup): the training venv and the demo model's HF weights.
// Usage: tsx scripts/ensure-train.ts
import { ensureDemoHfWeights, ensureTrainEnv } from '../src/train/env';

async function main(): Promise<void> {
  let t0 = Date.now();
  const python = await ensureTrainEnv();
  console.log(`training venv: ${python} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  t0 = Date.now();
  const weights = await ensureDemoHfWeights();
  console.log(`demo HF weights: ${weights} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(3);
});
