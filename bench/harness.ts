// Harness runs (zero-latency scripted model) vs a bare Temporal workflow with the same number of activities and
// no interceptors, vs the same stages called in-process with no Temporal (the price of durability).
// Also Temporal's own latencies from the histories: workflow-task and activity schedule-to-start, execution, end-to-end.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker, NativeConnection } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../src/activities';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { harnessEnv, MODELS, stopOwnServer } from '../test/support/harness-env';

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN;
const ms = (t: any) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0);
const scores = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

export async function benchHarness(): Promise<object> {
  const runs = Number(process.env.BENCH_RUNS ?? 40);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
  const env = await harnessEnv({ ollama: { loadDurationMs: 0 } });
  env.ollama.rule({ model: MODELS.planner, respond: { search_queries: ['agents'], synthesis_notes: 'n' } });
  env.ollama.rule({ model: MODELS.producer, respond: '# Answer\n\nShort and grounded [1].' });
  env.ollama.rule({ model: MODELS.evaluator, respond: { scores, issues: [], feedback: 'ok' } });
  try {
    // 1. Harness runs through Temporal.
    const input = resolveHarnessInput('survey tool use in LLM agents', env.settings);
    const t0 = Date.now();
    const harnessLat = await pool(runs, concurrency, async () => {
      const s = Date.now();
      const h = await startHarnessRun(env.client, env.taskQueue, { ...input, runId: undefined });
      await h.result();
      return Date.now() - s;
    });
    const harnessWall = Date.now() - t0;

    // Temporal's own latencies, from the histories of those runs.
    const wfSched: number[] = [];
    const actSched: number[] = [];
    const actExec: number[] = [];
    const e2e: number[] = [];
    const perStage: Record<string, number[]> = {};
    for await (const wf of env.client.workflow.list({ query: `TaskQueue = '${env.taskQueue}'` })) {
      const hist = await env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const ev = hist.events ?? [];
      const byId = new Map(ev.map((e) => [Number(e.eventId), e]));
      for (const e of ev) {
        if (e.workflowTaskStartedEventAttributes)
          wfSched.push(
            ms(e.eventTime) -
              ms(byId.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId ?? 0))?.eventTime),
          );
        if (e.activityTaskStartedEventAttributes)
          actSched.push(
            ms(e.eventTime) -
              ms(byId.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId ?? 0))?.eventTime),
          );
        const done = e.activityTaskCompletedEventAttributes;
        if (done) {
          const sched = byId.get(Number(done.scheduledEventId ?? 0));
          const started = byId.get(Number(done.startedEventId ?? 0));
          actExec.push(ms(e.eventTime) - ms(started?.eventTime));
          const type = sched?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
          (perStage[type] ??= []).push(ms(e.eventTime) - ms(sched?.eventTime));
        }
      }
      if (ev.length) e2e.push(ms(ev[ev.length - 1].eventTime) - ms(ev[0].eventTime));
    }

    // 2. Bare workflow, same activity count, no interceptors, same server.
    const steps = Math.round(actExec.length / Math.max(1, e2e.length)) || 8;
    const connection = await NativeConnection.connect({ address: env.settings.TEMPORAL_ADDRESS });
    const bareQueue = `bench-bare-${randomUUID()}`;
    const bareWorker = await Worker.create({
      connection,
      taskQueue: bareQueue,
      workflowsPath: path.join(__dirname, 'workflows', 'bare.ts'),
      activities: { noop: async (i: number) => i },
    });
    const bareDone = bareWorker.run();
    const t1 = Date.now();
    const bareLat = await pool(runs, concurrency, async () => {
      const s = Date.now();
      await env.client.workflow.execute('bareRun', {
        taskQueue: bareQueue,
        workflowId: `bare-${randomUUID()}`,
        args: [steps],
      });
      return Date.now() - s;
    });
    const bareWall = Date.now() - t1;
    bareWorker.shutdown();
    await bareDone;
    await connection.close();

    // 3. The same stages called in-process, no Temporal (activities run in a mock activity context).
    const acts = createActivities({ settings: env.settings });
    const t2 = Date.now();
    const inprocLat = await pool(runs, concurrency, async (i) => {
      const s = Date.now();
      const mock = new MockActivityEnvironment();
      const call = <F extends (...a: any[]) => Promise<any>>(f: F, ...a: Parameters<F>) =>
        mock.run(f, ...a) as ReturnType<F>;
      const runId = `20260101T000000_${(0xa0000000 + i).toString(16)}`;
      const m = await call(acts.recallMemories, {
        runId,
        stage: 'plan',
        task: input.task,
        embedModel: input.embedModel,
      });
      const p = await call(acts.plan, {
        runId,
        stage: 'plan',
        task: input.task,
        model: input.plannerModel,
        temperature: 0,
        memoryPath: m.memoryPath,
        maxQueries: 2,
        numPredict: 64,
      });
      const r = await call(acts.research, {
        runId,
        stage: 'research',
        queries: p.queries,
        embedModel: input.embedModel,
        resultsPerQuery: 2,
        memoryPath: m.memoryPath,
      });
      const d = await call(acts.synthesize, {
        runId,
        stage: 'synthesize',
        round: 1,
        task: input.task,
        model: input.producerModel,
        temperature: 0.7,
        planPath: p.planPath,
        sourcesPath: r.sourcesPath,
        numPredict: 64,
      });
      await call(acts.evaluate, {
        runId,
        stage: 'evaluate',
        round: 1,
        task: input.task,
        draftPath: d.draftPath,
        evaluators: input.evaluatorModels,
        temperature: 0,
        numPredict: 64,
      });
      await call(acts.publishOutput, { runId, stage: 'finalize', draftPath: d.draftPath });
      return Date.now() - s;
    });
    const inprocWall = Date.now() - t2;

    const result = {
      runs,
      concurrency,
      activities_per_run: steps,
      harness: {
        runs_per_s: (runs * 1000) / harnessWall,
        p50_ms: pct(harnessLat, 50),
        p99_ms: pct(harnessLat, 99),
      },
      bare_temporal: {
        runs_per_s: (runs * 1000) / bareWall,
        p50_ms: pct(bareLat, 50),
        p99_ms: pct(bareLat, 99),
      },
      in_process: {
        runs_per_s: (runs * 1000) / inprocWall,
        p50_ms: pct(inprocLat, 50),
        p99_ms: pct(inprocLat, 99),
      },
      throughput_ratio_harness_vs_bare: bareWall / harnessWall,
      throughput_ratio_harness_vs_in_process: inprocWall / harnessWall,
      added_p50_ms_per_activity_vs_bare: (pct(harnessLat, 50) - pct(bareLat, 50)) / steps,
      added_p99_ms_per_activity_vs_bare: (pct(harnessLat, 99) - pct(bareLat, 99)) / steps,
      temporal_latencies_ms: {
        workflow_task_schedule_to_start: { p50: pct(wfSched, 50), p99: pct(wfSched, 99) },
        activity_schedule_to_start: { p50: pct(actSched, 50), p99: pct(actSched, 99) },
        activity_execution: { p50: pct(actExec, 50), p99: pct(actExec, 99) },
        workflow_end_to_end: { p50: pct(e2e, 50), p99: pct(e2e, 99) },
      },
      per_activity_schedule_to_close_ms: Object.fromEntries(
        Object.entries(perStage).map(([k, v]) => [k, { p50: pct(v, 50), p99: pct(v, 99) }]),
      ),
    };
    const f = (x: number) => x.toFixed(2);
    process.stdout.write(
      `harness ${f(result.harness.runs_per_s)} runs/s vs bare Temporal ${f(result.bare_temporal.runs_per_s)} vs in-process ${f(result.in_process.runs_per_s)}\n` +
        `throughput ratio harness/bare ${f(result.throughput_ratio_harness_vs_bare)}, harness/in-process ${f(result.throughput_ratio_harness_vs_in_process)}\n` +
        `added latency per activity vs bare: p50 ${f(result.added_p50_ms_per_activity_vs_bare)} ms, p99 ${f(result.added_p99_ms_per_activity_vs_bare)} ms\n` +
        `Temporal latencies (ms): ${JSON.stringify(result.temporal_latencies_ms)}\n` +
        `per-stage schedule-to-close (ms): ${JSON.stringify(result.per_activity_schedule_to_close_ms)}\n`,
    );
    return result;
  } finally {
    await env.close();
    await stopOwnServer();
  }
}

if (require.main === module) void benchHarness().then(() => process.exit(0));
