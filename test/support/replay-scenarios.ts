// Scenarios for the replay fixtures of every workflow type other than harnessRun (whose scenarios are in
// harness-scenarios.ts): a literature review and its batches, a rollout batch with its task and candidate, the
// sweeper, an evaluator qualification and a battery eval. Each returns the handles whose histories are kept.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { createBattery } from '../../src/flywheel/battery';
import { buildEvalInput, startEval } from '../../src/flywheel/eval-start';
import { buildBatchInput, startRolloutBatch } from '../../src/flywheel/rollout-start';
import { EVAL_SYSTEM } from '../../src/harness/prompts';
import { buildQualifyInput, startQualification } from '../../src/judge/start';
import { resolveLitReviewInput } from '../../src/lit-review/input';
import { startLitReview } from '../../src/lit-review/start';
import { scriptRollout } from '../fixtures/flywheel/rollout-script';
import { MODELS, tempDir } from './harness-env';
import {
  dims,
  draft,
  evalReply,
  scriptPlanner,
  scriptProducer,
  startRun,
  waitForProducerCall,
  type ScenarioEnv,
} from './harness-scenarios';
import { scriptLitReview, sharedPapers, writeCorpus } from './lit-review-script';

export interface Recorded {
  handle: WorkflowHandle;
  /** More histories to keep, by file-name suffix (`<scenario>--<suffix>.json`). */
  more?: Record<string, WorkflowHandle>;
}

/** The workflow ids of the children a finished workflow started, in order. */
async function childIds(handle: WorkflowHandle): Promise<string[]> {
  const h = await handle.fetchHistory();
  return (h.events ?? []).flatMap((e) => {
    const id = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    return id ? [id] : [];
  });
}

export async function litReviewPass(env: ScenarioEnv): Promise<Recorded> {
  const papers = sharedPapers()
    .filter((p) => p.published >= '2024-01-01' && /\bagents?\b/i.test(p.title))
    .slice(0, 3);
  const corpus = writeCorpus(path.join(tempDir(), 'corpus.jsonl'), papers);
  scriptLitReview(env.ollama, { score: () => 4, reviews: [6, 9] });
  const input = resolveLitReviewInput('LLM agents', env.settings, {
    from: '2024-01-01',
    to: '2026-12-31',
    corpus,
    maxRounds: 2,
    threshold: 8,
  });
  const handle = await startLitReview(env.client, env.taskQueue, input);
  await handle.result();
  const [batch] = await childIds(handle);
  return { handle, more: { batch: env.client.workflow.getHandle(batch) } };
}

export async function rolloutOneTask(env: ScenarioEnv): Promise<Recorded> {
  scriptRollout(env.ollama);
  const input = buildBatchInput(env.settings, {
    tasks: ['survey tool use in LLM agents'],
    concurrency: 1,
    storeAs: 'rollouts/tasks/replay',
  });
  const handle = await startRolloutBatch(env.client, env.taskQueue, `replay-${Date.now()}`, input);
  await handle.result();
  const task = env.client.workflow.getHandle((await childIds(handle))[0]);
  const candidate = env.client.workflow.getHandle((await childIds(task))[0]);
  return { handle, more: { task, candidate } };
}

export async function sweeperAfterTerminate(env: ScenarioEnv): Promise<Recorded> {
  scriptPlanner(env.ollama);
  scriptProducer(env.ollama, [draft(1)], { latencyMs: 120_000 });
  const run = await startRun(env);
  await waitForProducerCall(env.ollama);
  await run.terminate('replay fixture');
  // The sweeper is recorded whether or not visibility lists the run yet: its commands are the same.
  const handle = await env.client.workflow.start('sweeper', {
    taskQueue: env.taskQueue,
    workflowId: `sweeper-replay-${Date.now()}`,
    args: [{ lookbackHours: 1 }],
  });
  await handle.result();
  return { handle };
}

export async function judgeQualifyFour(env: ScenarioEnv): Promise<Recorded> {
  const pairs = [1, 2, 3, 4].map((i) => ({
    input: `question ${i}`,
    output_1: `a careful answer ${i} with reasons`,
    output_2: `no ${i}`,
    label: 1,
  }));
  const file = path.join(tempDir('fw-pairs-'), 'pairs.jsonl');
  fs.writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  env.ollama.rule({
    model: MODELS.evaluator,
    respond: (r) =>
      String(r.body.messages[0].content) === EVAL_SYSTEM
        ? evalReply(dims(/careful/.test(r.lastMessage ?? '') ? 8 : 3))
        : { better: 'A' },
  });
  const input = buildQualifyInput(env.settings, {
    pairsFile: file,
    models: [MODELS.evaluator],
    concurrency: 2,
  });
  const handle = await startQualification(env.client, env.taskQueue, input, `replay-${Date.now()}`);
  await handle.result();
  return { handle };
}

export async function evalTwoTasks(env: ScenarioEnv & { dataDir: string }): Promise<Recorded> {
  scriptPlanner(env.ollama);
  scriptProducer(env.ollama, [draft(1), draft(1)]);
  env.ollama.rule({ model: MODELS.evaluator, respond: evalReply(dims(8.5)) });
  const { battery } = createBattery(env.dataDir, `replay-${Date.now()}`, ['t1: tool use', 't2: memory'], {
    source: 'test',
  });
  const input = await buildEvalInput(env.settings, {
    battery,
    model: MODELS.producer,
    evaluatorModels: [MODELS.evaluator],
    trainTasks: [],
    allowUnqualified: true,
    concurrency: 1,
  });
  const handle = await startEval(env.client, env.taskQueue, input);
  await handle.result();
  return { handle };
}
