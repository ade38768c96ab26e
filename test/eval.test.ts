// `flywheel eval`: battery tasks and a training-distribution sample as child harness runs (scripted model server),
// the paired difference with a bootstrap interval, evals.jsonl, and the qualified-evaluator gate.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { evalsLog, type EvalRecord } from '../src/activities/eval';
import { createBattery } from '../src/flywheel/battery';
import { bootstrapCi, pairedDiff } from '../src/flywheel/eval-stats';
import { buildEvalInput, startEval, UnqualifiedEvaluators } from '../src/flywheel/eval-start';
import { RUBRIC } from '../src/harness/rubric';
import { evaluatorPromptHash, modelDigest, saveQualification } from '../src/judge/qualification';
import { MemoryStore } from '../src/memory/store';
import { harnessEnv, MODELS, stopOwnServer, type HarnessEnv } from './support/harness-env';
import type { RecordedRequest } from './support/scripted-ollama';

const TUNED = 'tuned-ft:1b';
const dims = (v: number) => ({
  relevance: v,
  completeness: v,
  depth: v,
  specificity: v,
  structure: v,
  groundedness: v,
});

after(() => stopOwnServer());

void describe('flywheel eval on a battery (scripted model server)', () => {
  let env: HarnessEnv;
  before(async () => {
    env = await harnessEnv({
      env: { FLYWHEEL_MAX_ROUNDS: '1' },
      ollama: { models: [...Object.values(MODELS), TUNED] },
    });
    const o = env.ollama;
    o.rule({ model: MODELS.planner, respond: { search_queries: ['agents'], synthesis_notes: 'n' } });
    // The producer names itself and the task number in the draft; the evaluator scores the tuned model 2.5 higher.
    const draft = (who: string) => (req: RecordedRequest) =>
      `# ${who}\n\n${who} answer to task ${/Task: t(\d+):/.exec(req.lastMessage ?? '')?.[1] ?? '0'} with methods [1].`;
    o.rule({ model: TUNED, respond: draft('TUNED') });
    o.rule({ model: MODELS.producer, respond: draft('BASE') });
    o.rule({
      model: MODELS.evaluator,
      respond: (req: RecordedRequest) => {
        const m = /# (TUNED|BASE)\n\n\w+ answer to task (\d+)/.exec(req.lastMessage ?? '')!;
        const v = (m[1] === 'TUNED' ? 9 : 6.5) + Number(m[2]) * 0.1;
        return { scores: dims(v), issues: [], feedback: 'ok' };
      },
    });
  });
  after(async () => env.close());

  const battery = () =>
    createBattery(env.dataDir, `b3-${Date.now()}`, ['t1: tool use', 't2: agent memory', 't3: planning'], {
      source: 'test',
    }).battery;

  void test('an unqualified evaluator is refused, and --allow-unqualified runs and records the override', async () => {
    const b = battery();
    await assert.rejects(
      buildEvalInput(env.settings, {
        battery: b,
        model: TUNED,
        evaluatorModels: [MODELS.evaluator],
        trainTasks: [],
        allowUnqualified: false,
        concurrency: 2,
      }),
      (e: Error) => e instanceof UnqualifiedEvaluators && e.message.includes('never qualified'),
    );
    const input = await buildEvalInput(env.settings, {
      battery: b,
      model: TUNED,
      evaluatorModels: [MODELS.evaluator],
      trainTasks: [],
      allowUnqualified: true,
      concurrency: 2,
    });
    const rec = await (await startEval(env.client, env.taskQueue, input)).result();
    assert.equal(rec.allow_unqualified, true);
    assert.equal((rec.evaluator_qualifications[MODELS.evaluator] as { status: string }).status, 'unknown');
    assert.equal(rec.battery_figures.model.n, 3);
    assert.equal(rec.baseline, null);
  });

  void test('tuned vs base on a 3-task battery: paired difference with its interval above zero, train sample and evals.jsonl', async () => {
    const digest = (await modelDigest(env.settings.OLLAMA_HOST, MODELS.evaluator))!;
    await saveQualification(env.dataDir, {
      qualification_id: 'q-test',
      kind: 'full',
      model: MODELS.evaluator,
      digest,
      rubric_version: RUBRIC.version,
      prompt_hash: evaluatorPromptHash(),
      at: new Date(Date.now() - 1000).toISOString(),
      pair_set: { name: 'test', sha256: 'x', n_total: 10 },
      metrics: {
        n_pairs: 10,
        accuracy: 0.9,
        accuracy_ci95: [0.7, 1],
        ties: 0,
        direct_accuracy: null,
        position_consistency: null,
        first_slot_rate: null,
        length_bias: {
          shorter_better_accuracy: null,
          shorter_better_n: 0,
          longer_better_accuracy: null,
          longer_better_n: 0,
        },
        repaired_share: 0,
        clamped_share: 0,
        degenerate_share: 0,
        unparseable: 0,
      },
      thresholds: { min_accuracy_lower_bound: 0.6, min_position_consistency: 0.8 },
      status: 'qualified',
      reason: null,
      workflow_id: null,
    });
    const input = await buildEvalInput(env.settings, {
      battery: battery(),
      model: TUNED,
      baseline: MODELS.producer,
      evaluatorModels: [MODELS.evaluator],
      trainTasks: ['t4: benchmarks', 't5: debate'],
      allowUnqualified: false,
      concurrency: 2,
    });
    assert.equal(input.jobs.length, 10, '(3 battery + 2 train tasks) × 2 models');
    // A memory an ordinary run would embed and may recall: an eval run neither recalls nor stores one.
    const store = new MemoryStore(env.dataDir);
    const seeded = store.add({ text: 'tool use: an earlier answer', task: 't1: tool use', score: 9 });
    const before = store.count();
    const rec = await (await startEval(env.client, env.taskQueue, input)).result();
    const bf = rec.battery_figures;
    assert.equal(rec.allow_unqualified, false);
    assert.equal(bf.model.n, 3);
    assert.equal(bf.model.pass_rate, 1);
    assert.equal(bf.baseline?.pass_rate, 0);
    assert.equal(bf.model.mean_composite, 9.2);
    assert.equal(bf.diff?.n, 3);
    assert.equal(bf.diff?.mean, 2.5);
    assert.ok(bf.diff!.ci95![0] > 0, 'the interval is above zero');
    assert.equal(rec.train_figures?.model.n, 2);
    assert.equal(rec.overfit_gap, Math.round((9.45 - 9.2) * 1000) / 1000);
    assert.ok(rec.items.every((i) => i.run_id && i.final !== 'ERROR'));
    const lines = fs
      .readFileSync(evalsLog(env.dataDir), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EvalRecord);
    assert.deepEqual(
      lines.find((l) => l.eval_id === rec.eval_id)?.battery_figures,
      bf,
      'the same figures are in evals.jsonl',
    );
    const runs = fs
      .readFileSync(path.join(env.dataDir, 'runs.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { run_id: string; kind: string; session_id: string });
    const mine = runs.filter((r) => rec.items.some((i) => i.run_id === r.run_id));
    assert.equal(mine.length, 10, 'the eval runs are audited runs');
    assert.ok(
      mine.every((r) => r.kind === 'eval' && r.session_id === rec.eval_id),
      'of kind eval, in the eval session',
    );
    assert.equal(store.count(), before, 'no memories stored by eval runs');
    assert.equal(store.get(seeded.id)?.embedding, null, 'nor recalled: the store was not even embedded');
    assert.equal(store.get(seeded.id)?.retrieved_count, 0);
    store.close();
  });

  void test('the bootstrap interval covers the mean, is deterministic, and straddles zero for mixed differences', () => {
    const ci = bootstrapCi([1, -1, 0.5, -0.5, 0.2], 2000, 7)!;
    assert.deepEqual(ci, bootstrapCi([1, -1, 0.5, -0.5, 0.2], 2000, 7));
    assert.ok(ci[0] < 0 && ci[1] > 0, `mixed differences straddle zero: ${ci.join(', ')}`);
    const mk = (model: string, task_hash: string, score: number | null) => ({
      model,
      set: 'battery' as const,
      task_hash,
      run_id: 'r',
      final: score === null ? ('ERROR' as const) : ('PASS' as const),
      score,
    });
    const d = pairedDiff([mk('a', 'x', 9), mk('a', 'y', null)], [mk('b', 'x', 7), mk('b', 'y', 5)]);
    assert.deepEqual(d, { n: 1, mean: 2, ci95: [2, 2] }, 'an errored run leaves its task out of the pairs');
  });
});
