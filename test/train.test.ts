// `flywheel train` for real: the training venv (scripts/ensure-train.ts), the demo model's weights converted from
// its GGUF, a LoRA fine-tune through TRL in a Temporal activity, and the import into a real Ollama.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trainProgress } from '../src/cli/train';
import { hasModel } from '../src/ollama';
import { ensureDemoHfWeights, ensureTrainEnv } from '../src/train/env';
import { readModels } from '../src/train/lineage';
import { DEFAULT_TRAIN_ARGS } from '../src/train/run';
import { batteryPlotOf } from '../scripts/plot-battery';
import { evalsLog, type EvalRecord } from '../src/activities/eval';
import { readJsonl } from '../src/audit/jsonl';
import type { trainWorkflow } from '../src/workflows/train';
import { createBattery } from '../src/flywheel/battery';
import { buildEvalInput, startEval } from '../src/flywheel/eval-start';
import { harnessEnv, MODELS, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { modelRouter, type ModelRouter } from './support/model-router';
import type { RecordedRequest } from './support/scripted-ollama';
import { REAL_MODELS, realOllama, type RealOllama } from './support/real-ollama';

const ROOT = path.resolve(__dirname, '..');

async function readEvals(dataDir: string): Promise<EvalRecord[]> {
  const out: EvalRecord[] = [];
  for await (const r of readJsonl(evalsLog(dataDir))) out.push(r as EvalRecord);
  return out;
}

/** A small SFT export as `flywheel export sft` writes it: train.jsonl with provenance and a dataset card. */
function writeExport(dir: string, n: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const rows = Array.from({ length: n }, (_, i) => ({
    messages: [
      { role: 'user', content: `How does an LLM agent use tool number ${i}?` },
      { role: 'assistant', content: `It calls tool ${i}, reads the result and cites it in the answer.` },
    ],
    provenance: {
      source: 'run',
      run_ids: [`r${i}`],
      task_hash: `h${i}`,
      rubric_version: 'test-rubric',
      evaluator_models: ['judge-a:1b'],
      producer_model: REAL_MODELS.producer,
      scores: [9],
      session_id: 's',
    },
  }));
  fs.writeFileSync(path.join(dir, 'train.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(
    path.join(dir, 'README.md'),
    '# card\n\n## Filters\n\n- `minScore`: 8.5\n- `format`: "messages"\n\n## Other\n',
  );
  return dir;
}

void describe('flywheel train on the demo model (CPU)', { timeout: 30 * 60_000 }, () => {
  let ollama: RealOllama;
  let env: HarnessEnv;
  let router: ModelRouter;
  let tunedName = '';

  before(async () => {
    await ensureTrainEnv();
    await ensureDemoHfWeights();
    ollama = await realOllama();
    // The real Ollama serves the demo model and the tuned ones; the scripted server plays planner, evaluator, embedder.
    let scripted = '';
    router = await modelRouter({
      real: ollama.host,
      scripted: () => scripted,
      scriptedModels: [MODELS.planner, MODELS.evaluator, MODELS.embed],
    });
    env = await harnessEnv({
      env: { OLLAMA_HOST: router.url, FLYWHEEL_NUM_PREDICT: '32', FLYWHEEL_MAX_ROUNDS: '1' },
    });
    scripted = env.ollama.url;
    env.ollama.rule({ model: MODELS.planner, respond: { search_queries: ['agents'], synthesis_notes: 'n' } });
    env.ollama.rule({
      model: MODELS.evaluator,
      respond: (req: RecordedRequest) => {
        // The scripted evaluator: a longer draft scores higher (deterministic for a given draft).
        const v = Math.min(10, 4 + (req.lastMessage ?? '').length / 400);
        const d = { relevance: v, completeness: v, depth: v, specificity: v, structure: v, groundedness: v };
        return { scores: d, issues: [], feedback: 'ok' };
      },
    });
  });
  after(async () => {
    await env?.close();
    await router?.close();
    await ollama?.stop();
    await stopOwnServer();
  });

  void test('an SFT run stopped mid-way resumes from its checkpoint, is imported into Ollama and has its lineage', async () => {
    const dataset = writeExport(path.join(tempDir(), 'export-sft'), 6);
    const id = 'ab12cd34';
    const handle = await env.client.workflow.start<typeof trainWorkflow>('trainWorkflow', {
      taskQueue: env.taskQueue,
      workflowId: `train-${id}-${Date.now()}`,
      args: [
        {
          datasetDir: dataset,
          base: REAL_MODELS.producer,
          args: { ...DEFAULT_TRAIN_ARGS, kind: 'sft', steps: 16, saveSteps: 2, maxLen: 128 },
          id,
        },
      ],
    });
    // Once the first complete checkpoint is on disk, stop the worker: the training process is killed mid-run.
    const ckdir = path.join(env.dataDir, 'models', id, 'checkpoints');
    for (
      let i = 0;
      i < 1200 &&
      !(
        fs.existsSync(ckdir) &&
        // A complete checkpoint: the Trainer writes trainer_state.json last.
        fs
          .readdirSync(ckdir)
          .some((f) => /^checkpoint-\d+$/.test(f) && fs.existsSync(path.join(ckdir, f, 'trainer_state.json')))
      );
      i++
    )
      await sleep(250);
    const seen = await trainProgress(handle);
    assert.ok(seen && seen.max_steps === 16, 'the activity heartbeats its progress');
    await env.stopWorker();
    await env.startWorker();
    const rec = await handle.result();

    assert.equal(rec.name, `smollm2-ft-${id}:latest`);
    tunedName = rec.name;
    assert.ok(
      rec.resumed_from && /checkpoint-\d+$/.test(rec.resumed_from),
      `resumed, not ${rec.resumed_from}`,
    );
    assert.ok(await hasModel(ollama.host, rec.name), 'the tuned model is listed by Ollama');
    const res = await fetch(new URL('/api/chat', ollama.host), {
      method: 'POST',
      body: JSON.stringify({
        model: rec.name,
        stream: false,
        options: { temperature: 0, num_predict: 12, seed: 1 },
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
      }),
    });
    const reply = (await res.json()) as { message: { content: string } };
    assert.ok(reply.message.content.trim().length > 0, 'the tuned model answers through its chat template');

    const [lineage] = (await readModels(env.dataDir)).filter((m) => m.name === rec.name);
    assert.equal(lineage.base, REAL_MODELS.producer);
    assert.equal(lineage.dataset.rows, 6);
    assert.match(lineage.dataset.card_sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(lineage.dataset.filter, { minScore: 8.5, format: 'messages' });
    assert.deepEqual(lineage.dataset.rubric_versions, ['test-rubric']);
    assert.equal(lineage.evaluator_qualifications['judge-a:1b']?.status, 'unknown');
    assert.equal(lineage.training_args.steps, 16);
    assert.ok(typeof lineage.final_loss === 'number' && lineage.final_loss > 0);
    assert.ok((lineage.tokens_per_s ?? 0) > 0 && lineage.tokens > 0);
  });

  void test('base vs tuned on a 3-task battery: real producers, the scripted evaluator, a report in evals.jsonl', async () => {
    assert.ok(tunedName, 'the training test ran first');
    const battery = createBattery(
      env.dataDir,
      'ci3',
      [
        'How do LLM agents use external tools?',
        'What is retrieval-augmented generation?',
        'Why do agents plan?',
      ],
      { source: 'test' },
    ).battery;
    // Generation 0: the base model alone; generation 1: the tuned one, paired against the base.
    const baseEval = await buildEvalInput(env.settings, {
      battery,
      model: REAL_MODELS.producer,
      evaluatorModels: [MODELS.evaluator],
      trainTasks: [],
      allowUnqualified: true,
      concurrency: 1,
    });
    await (await startEval(env.client, env.taskQueue, baseEval)).result();
    const input = await buildEvalInput(env.settings, {
      battery,
      model: tunedName,
      baseline: REAL_MODELS.producer,
      evaluatorModels: [MODELS.evaluator],
      trainTasks: [],
      allowUnqualified: true,
      concurrency: 1,
    });
    const rec = await (await startEval(env.client, env.taskQueue, input)).result();
    assert.ok(
      rec.items.every((i) => i.final !== 'ERROR'),
      JSON.stringify(rec.items),
    );
    assert.equal(rec.battery_figures.model.n, 3);
    assert.equal(rec.battery_figures.diff?.n, 3, 'every task paired');
    const ci = rec.battery_figures.diff!.ci95!;
    assert.ok(ci[0] <= rec.battery_figures.diff!.mean! && rec.battery_figures.diff!.mean! <= ci[1]);
    // The plot of battery score by generation (README's figure comes from this run): two points, one interval.
    const plot = await batteryPlotOf(env.dataDir, 'ci3');
    assert.equal(plot.evals, 2);
    assert.equal((plot.svg.match(/class="point"/g) ?? []).length, 2);
    assert.equal((plot.svg.match(/class="interval"/g) ?? []).length, 1);
    fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-artifacts', 'battery-by-generation.svg'), `${plot.svg}\n`);
    fs.writeFileSync(
      path.join(ROOT, 'test-artifacts', 'battery-by-generation.json'),
      JSON.stringify(
        { base: (await readEvals(env.dataDir))[0]?.battery_figures, tuned: rec.battery_figures },
        null,
        1,
      ),
    );
    const seen = env.ollama.requests.map((r) => r.model);
    assert.ok(
      seen.filter((m) => m === MODELS.evaluator).length >= 6,
      'the scripted evaluator judged every run',
    );
    assert.ok(
      !seen.includes(REAL_MODELS.producer) && !seen.includes(tunedName),
      'the producers were the real models',
    );
  });
});
