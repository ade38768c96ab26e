// Training on this machine: LoRA SFT and DPO throughput (tokens/s) on the demo model, the import into Ollama,
// and the wall time of the whole loop (train → import → generate on a 3-task battery with base and tuned).
// The ratio is training tokens/s against Ollama's prompt-reading tokens/s for the same model, in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/temporal/dev-server';
import { DEFAULT_DEMO_MODEL, ensureDemoModel, resolveOllama, startManagedOllama } from '../src/ollama';
import { ensureDemoHfWeights, ensureTrainEnv } from '../src/train/env';
import { importIntoOllama } from '../src/train/import';
import { DEFAULT_TRAIN_ARGS, runTraining } from '../src/train/run';

const BATTERY = [
  'How do LLM agents use external tools?',
  'Compare memory designs for long-running agents.',
  'What are the failure modes of multi-agent debate?',
];

function writeExports(dir: string): { sft: string; dpo: string } {
  const sft = path.join(dir, 'sft');
  const dpo = path.join(dir, 'dpo');
  fs.mkdirSync(sft, { recursive: true });
  fs.mkdirSync(dpo, { recursive: true });
  const answer = (i: number) =>
    `Agents choose tool ${i} when the task needs fresh facts: they plan a query, call the tool, read the ` +
    `result, and cite it. Evaluation compares cited claims with the sources [${i}].`;
  const sftRows = Array.from({ length: 32 }, (_, i) => ({
    messages: [
      { role: 'user', content: `Survey question ${i}: how do agents decide to call a tool?` },
      { role: 'assistant', content: answer(i) },
    ],
  }));
  const dpoRows = Array.from({ length: 32 }, (_, i) => ({
    prompt: [{ role: 'user', content: `Survey question ${i}: how do agents decide to call a tool?` }],
    chosen: [{ role: 'assistant', content: answer(i) }],
    rejected: [{ role: 'assistant', content: `Lambas, Portugal. ${i}` }],
  }));
  fs.writeFileSync(path.join(sft, 'train.jsonl'), sftRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(path.join(dpo, 'train.jsonl'), dpoRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return { sft, dpo };
}

async function generate(host: string, model: string, prompt: string) {
  const res = await fetch(new URL('/api/chat', host), {
    method: 'POST',
    body: JSON.stringify({
      model,
      stream: false,
      options: { temperature: 0, seed: 1, num_predict: 64 },
      messages: [{ role: 'user', content: prompt }],
    }),
  });
  const j = (await res.json()) as {
    prompt_eval_count: number;
    prompt_eval_duration: number;
    eval_count: number;
  };
  return j;
}

export async function benchTrain(): Promise<object> {
  const t0 = Date.now();
  const python = await ensureTrainEnv();
  const hf = await ensureDemoHfWeights();
  const setupS = (Date.now() - t0) / 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-train-'));
  const ex = writeExports(dir);
  const loop0 = Date.now();
  const args = { ...DEFAULT_TRAIN_ARGS, steps: 20, saveSteps: 10, batch: 4, maxLen: 256 };
  const sft = await runTraining({
    python,
    datasetDir: ex.sft,
    base: hf,
    outDir: path.join(dir, 'out-sft'),
    args: { ...args, kind: 'sft' },
  });
  const dpo = await runTraining({
    python,
    datasetDir: ex.dpo,
    base: hf,
    outDir: path.join(dir, 'out-dpo'),
    args: { ...args, kind: 'dpo', steps: 10 },
  });

  const binary = await resolveOllama({ allowBuild: false });
  const server = await startManagedOllama({
    ollamaPath: binary.path,
    host: `127.0.0.1:${await freePort()}`,
    modelsDir: path.join(dir, 'models'),
  });
  try {
    await ensureDemoModel({ host: server.host, ollamaPath: binary.path });
    const i0 = Date.now();
    const tuned = 'smollm2-ft-bench:latest';
    await importIntoOllama({
      host: server.host,
      ollamaPath: binary.path,
      name: tuned,
      weightsDir: sft.merged,
      baseModel: DEFAULT_DEMO_MODEL,
    });
    const importS = (Date.now() - i0) / 1000;
    let promptTokens = 0;
    let promptNs = 0;
    for (const m of [DEFAULT_DEMO_MODEL, tuned])
      for (const p of BATTERY) {
        const r = await generate(server.host, m, p);
        promptTokens += r.prompt_eval_count;
        promptNs += r.prompt_eval_duration;
      }
    const loopS = (Date.now() - loop0) / 1000;
    const inferTps = promptTokens / (promptNs / 1e9);
    const out = {
      machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'cpu'}`,
      setup_s_cached_or_first: Math.round(setupS * 10) / 10,
      sft: {
        steps: sft.steps,
        tokens: sft.tokens,
        seconds: sft.seconds,
        tokens_per_s: sft.tokens_per_s,
        final_loss: sft.final_loss,
        threads: sft.threads,
      },
      dpo: {
        steps: dpo.steps,
        tokens: dpo.tokens,
        seconds: dpo.seconds,
        tokens_per_s: dpo.tokens_per_s,
        final_loss: dpo.final_loss,
      },
      import_s: Math.round(importS * 10) / 10,
      ollama_prompt_tokens_per_s: Math.round(inferTps),
      sft_vs_inference_ratio: Math.round(((sft.tokens_per_s ?? 0) / inferTps) * 1000) / 1000,
      loop_wall_s: Math.round(loopS * 10) / 10,
    };
    console.log(JSON.stringify(out, null, 2));
    return out;
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
