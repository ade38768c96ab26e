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
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { saveQualification } from '../src/judge/qualification';
import { batteryTaskHashes } from '../src/flywheel/battery';
import { promotionsLog } from '../src/flywheel/promotion';
import { promoteProgressQuery, type promoteLoop } from '../src/workflows/promote';
import { buildBatchInput } from '../src/flywheel/rollout-start';
import { qualification } from './support/qualifications';
import { saveHistory } from './support/record-histories';
import { modelRouter, type ModelRouter } from './support/model-router';
import type { RecordedRequest } from './support/scripted-ollama';
import { REAL_MODELS, realOllama, type RealOllama } from './support/real-ollama';

const ROOT = path.resolve(__dirname, '..');

async function readJsonlAll(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const r of readJsonl(file)) out.push(r);
  return out;
}

const readEvals = async (dataDir: string) => (await readJsonlAll(evalsLog(dataDir))) as EvalRecord[];

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
  /** While set, the scripted evaluator passes every draft (training-distribution runs for the export). */
  let passAll = false;

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
        const v = passAll ? 9 : Math.min(10, 4 + (req.lastMessage ?? '').length / 400);
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
  void test('flywheel promote turns the loop: export without battery tasks, train, eval tuned vs current, gate, alias', async () => {
    // Runs after the eval test: runs.jsonl already holds the battery's own runs, which must not be trained on.
    const alias = 'flywheel-ci-promoted:latest';
    const del = (model: string) =>
      fetch(new URL('/api/delete', ollama.host), { method: 'DELETE', body: JSON.stringify({ model }) });
    await del(alias);
    await saveQualification(env.dataDir, qualification(MODELS.evaluator, 'qualified'));
    passAll = true;
    // Two training-distribution tasks, and one battery task run outside an eval: all three PASS.
    const tasks = [
      'How do agents recover from tool errors?',
      'What makes an agent memory useful?',
      'Why do agents plan?',
    ];
    for (const task of tasks)
      await (
        await startHarnessRun(
          env.client,
          env.taskQueue,
          resolveHarnessInput(task, env.settings, { producerModel: REAL_MODELS.producer }),
        )
      ).result();
    passAll = false;
    // The loop starts with a small rollout batch of the real producer (its candidates score low: not exported).
    const rollout = buildBatchInput(env.settings, {
      tasks: ['How do agents cite their sources?'],
      n: 2,
      storeAs: 'rollouts/tasks/promote-ci',
    });
    rollout.harness = { ...rollout.harness, producerModel: REAL_MODELS.producer, numPredict: 32 };
    const handle = await env.client.workflow.start<typeof promoteLoop>('promoteLoop', {
      taskQueue: env.taskQueue,
      workflowId: `promote-ci-${Date.now()}`,
      args: [
        {
          base: REAL_MODELS.producer,
          alias,
          battery: 'ci3',
          args: { ...DEFAULT_TRAIN_ARGS, kind: 'sft', steps: 4, maxLen: 128 },
          rollout,
          minScore: 8,
          trainSample: 2,
          concurrency: 1,
          maxRounds: 1,
        },
      ],
    });
    let stage = '';
    for (let i = 0; i < 600 && stage !== 'train'; i++, await sleep(200))
      stage = (await handle.query(promoteProgressQuery)).stage;
    assert.equal(stage, 'train', 'the loop reports its stage');
    const r = await handle.result();
    if (process.env.FLYWHEEL_RECORD_HISTORIES === '1') {
      // The replay fixtures of promoteLoop and trainWorkflow (test/harness-replay.test.ts).
      await saveHistory('promote-loop', handle);
      await saveHistory('promote-loop--train', env.client.workflow.getHandle(`${handle.workflowId}-train`));
      await saveHistory('promote-loop--eval', env.client.workflow.getHandle(r.eval_id));
    }
    try {
      assert.match(r.model, /^smollm2-ft-[0-9a-f]{8}:latest$/);
      const rolled = (await readJsonlAll(path.join(env.dataDir, 'runs.jsonl'))) as { kind: string }[];
      assert.equal(
        rolled.filter((x) => x.kind === 'rollout').length,
        2,
        'the rollout batch ran first: two candidates',
      );
      assert.equal(
        r.baseline,
        REAL_MODELS.producer,
        'no alias yet: the tuned model is compared with the base',
      );
      // The export trained on the two training-distribution runs, never on a battery task.
      const rows = fs
        .readFileSync(path.join(r.dataset, 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { provenance: { task_hash: string } });
      const held = batteryTaskHashes(env.dataDir);
      assert.equal(rows.length, 2);
      assert.ok(rows.every((row) => !held.has(row.provenance.task_hash)));
      assert.match(
        fs.readFileSync(path.join(r.dataset, 'README.md'), 'utf8'),
        /withheld because their task is in a held-out battery: 1\b/,
      );
      assert.deepEqual(r.leaked_tasks, []);
      // The eval paired tuned vs base on the battery and measured the training sample too.
      const ev = (await readEvals(env.dataDir)).find((e) => e.eval_id === r.eval_id)!;
      assert.equal(ev.model, r.model);
      assert.equal(ev.battery_figures.diff?.n, 3);
      assert.ok(ev.train_figures && ev.train_figures.model.n === 2, 'the training-distribution sample ran');
      // The gate's decision follows the interval, and the alias moves exactly when it promotes.
      const ci = ev.battery_figures.diff!.ci95!;
      assert.equal(r.promote, ci[0] > 0, JSON.stringify(r));
      assert.equal(await hasModel(ollama.host, alias), r.promote);
      if (!r.promote) assert.match(r.reasons.join('; '), /not above zero/);
      const [decision] = (await readJsonlAll(promotionsLog(env.dataDir))) as {
        model: string;
        promote: boolean;
      }[];
      assert.deepEqual([decision.model, decision.promote], [r.model, r.promote]);
      const [lineage] = (await readModels(env.dataDir)).filter((m) => m.name === r.model);
      assert.equal(lineage.dataset.rows, 2);
      assert.equal(lineage.evaluator_qualifications[MODELS.evaluator]?.status, 'qualified');
    } finally {
      await del(alias);
      await del(r.model); // a new name every loop: do not pile them up in the shared model store
    }
  });
});
