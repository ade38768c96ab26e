// Prepares the real-model setup once (used by .ci/run): the Ollama binary, the demo model and its evaluator alias.
// Usage: tsx scripts/ensure-ollama.ts [--port 11434] [--models-dir <dir>]
import { parseArgs } from 'node:util';
import {
  DEFAULT_DEMO_MODEL,
  DEMO_EVAL_ALIAS,
  ensureDemoModel,
  ensureModelAlias,
  isOllamaUp,
  resolveOllama,
  startManagedOllama,
} from '../src/ollama';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '11434' }, 'models-dir': { type: 'string' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port: expected 1-65535, got ${values.port}`);
  const host = `http://127.0.0.1:${port}`;
  const timings: [string, number][] = [];
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const out = await fn();
    timings.push([label, Date.now() - t0]);
    console.log(`${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return out;
  };

  const binary = await timed('ollama binary', resolveOllama);
  console.log(`  ${binary.path} (${binary.source})`);
  const alreadyUp = await isOllamaUp(host);
  const server = alreadyUp
    ? undefined
    : await timed('start ollama serve', () =>
        startManagedOllama({ ollamaPath: binary.path, host, modelsDir: values['models-dir'] }),
      );
  if (alreadyUp) console.log(`using the Ollama already answering at ${host}`);
  try {
    const model = await timed(`model ${DEFAULT_DEMO_MODEL}`, () =>
      ensureDemoModel({ host, ollamaPath: binary.path }),
    );
    console.log(`  ${model.imported ? 'imported' : 'already present'}`);
    await timed(`alias ${DEMO_EVAL_ALIAS}`, () => ensureModelAlias(host, binary.path, DEMO_EVAL_ALIAS));
  } finally {
    if (server) await timed('stop ollama serve', server.stop);
  }
  const total = timings.reduce((s, [, ms]) => s + ms, 0);
  console.log(`ensure-ollama done in ${(total / 1000).toFixed(1)} s`);
}

main().catch((e: Error) => {
  console.error(`ensure-ollama: ${e.message}`);
  process.exit(1);
});
