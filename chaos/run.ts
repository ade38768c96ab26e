// `npm run chaos [-- --runs 200]`: harness runs under fire. Several worker processes are SIGKILLed and restarted,
// one is SIGSTOPped past the heartbeat timeout, the model faults on 10% of calls, some runs are cancelled or
// terminated. Then every invariant is checked: one valid record per run, statuses match, traces valid.
// With --cluster <dir> it runs against cluster mode (Temporal on PostgreSQL, `flywheel cluster up`) and can SIGKILL
// and restart the Temporal server mid-run (--restart-server-after); --audit-worker splits the roles (N stages + 1 audit).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { readJsonl } from '../src/audit/jsonl';
import { newRunId } from '../src/run-trace/run-id';
import { checkTrace } from '../src/audit/trace';
import { loadSettings } from '../src/config';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { clusterUp, killServer, readState } from '../src/cluster/cluster';
import { startDevServer } from '../src/temporal/dev-server';
import { ScriptedOllama } from '../test/support/scripted-ollama';

const opts = new Command('chaos')
  .description(
    'Submit harness runs while killing, pausing and restarting workers and injecting model faults; verify every run has exactly one valid record.',
  )
  .option('--runs <n>', 'harness runs to submit', '200')
  .option('--workers <n>', 'worker processes', '3')
  .option('--concurrency <n>', 'runs in flight at once', '20')
  .option('--kill-every <s>', 'seconds between SIGKILLs', '4')
  .option('--fault-rate <r>', 'share of model calls that fault', '0.1')
  .option('--seed <n>', 'PRNG seed', '7')
  .option(
    '--cluster <dir>',
    'use the cluster-mode server whose state is in <dir> (flywheel cluster up) instead of a dev server',
  )
  .option(
    '--restart-server-after <s>',
    'with --cluster: SIGKILL the Temporal server after <s> seconds, then start it again',
  )
  .option('--audit-worker', 'worker processes run role `stages`, plus one more process with role `audit`')
  .parse()
  .opts();

const N = Number(opts.runs);
let seed = Number(opts.seed);
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const log = (m: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scores = (v: number) => ({
  relevance: v,
  completeness: v,
  depth: v,
  specificity: v,
  structure: v,
  groundedness: v,
});

async function main(): Promise<number> {
  const t0 = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-chaos-'));
  const cluster = opts.cluster ? readState(String(opts.cluster)) : undefined;
  if (opts.cluster && !cluster)
    throw new Error(`no cluster in ${opts.cluster}: run \`flywheel cluster up --dir ${opts.cluster}\``);
  const server = cluster
    ? { address: cluster.address, stop: async () => {} }
    : await startDevServer({
        dbFile: path.join(root, 'temporal.db'),
        logFile: path.join(root, 'temporal.log'),
      });
  const ollama = await ScriptedOllama.start({
    models: ['producer:chaos', 'judge:chaos'],
    latencyMs: 20,
    loadDurationMs: 0,
    faultRate: Number(opts.faultRate),
    faults: ['http500', 'hang', 'malformed', 'drop'],
    seed: Number(opts.seed),
  });
  // Alternate scores so some runs pass in round 1 and others revise.
  ollama.rule({
    model: 'producer:chaos',
    match: 'Give up to',
    respond: { search_queries: ['agent memory', 'tool use'], synthesis_notes: 'n' },
  });
  ollama.rule({ model: 'producer:chaos', respond: '# Draft\n\nSomething specific [1].' });
  let k = 0;
  ollama.rule({
    model: 'judge:chaos',
    respond: () => ({ scores: scores(k++ % 3 === 0 ? 6 : 9), issues: ['x'], feedback: 'more depth' }),
  });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: cluster?.namespace ?? 'default',
    // Its own queue: a cluster's namespace outlives this run, and the sweeper looks at one queue's runs.
    FLYWHEEL_TASK_QUEUE: `chaos-${path.basename(root).slice(9)}`,
    FLYWHEEL_DATA_DIR: path.join(root, 'data'),
    OLLAMA_HOST: ollama.url,
    FLYWHEEL_PRODUCER_MODEL: 'producer:chaos',
    FLYWHEEL_EVALUATOR_MODELS: 'judge:chaos',
    FLYWHEEL_EMBED_MODEL: 'producer:chaos',
    FLYWHEEL_LLM_TIMEOUT_S: '5',
    FLYWHEEL_MAX_ROUNDS: '2',
    LOG_LEVEL: 'error',
  };
  const settings = loadSettings(env, root);
  const workerLog = fs.openSync(path.join(root, 'workers.log'), 'a');
  const workers: (ChildProcess | undefined)[] = [];
  const stageWorkers = Number(opts.workers);
  const roleOf = (i: number) => (!opts.auditWorker ? 'all' : i < stageWorkers ? 'stages' : 'audit');
  const startWorker = (i: number) => {
    workers[i] = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'src', 'worker.ts')],
      { env: { ...env, FLYWHEEL_WORKER_ROLE: roleOf(i) }, stdio: ['ignore', workerLog, workerLog] },
    );
  };
  for (let i = 0; i < stageWorkers + (opts.auditWorker ? 1 : 0); i++) startWorker(i);

  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const input = resolveHarnessInput('chaos: survey agent memory', settings);
  const expected = new Map<string, string>(); // workflowId → how we expect it to end
  let kills = 0;
  let stops = 0;
  let serverRestarts = 0;
  let selfExits = 0; // workers that exited without being killed
  let next = 0; // runs submitted
  let finished = 0; // runs closed
  let done = false;

  // Calls to the server fail while it is down (--restart-server-after): retried until it answers again.
  const retry = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof WorkflowFailedError || i >= 120) throw e;
        if (i === 0) log(`${what}: ${(e as Error).message.split('\n')[0]} (retrying)`);
        await sleep(1000);
      }
    }
  };
  const closed = (handle: WorkflowHandle) =>
    retry(`result of ${handle.workflowId}`, () => handle.result()).catch(() => undefined);
  const serverRestart = (async () => {
    if (!cluster || !opts.restartServerAfter) return;
    await sleep(Number(opts.restartServerAfter) * 1000);
    if (done) return;
    log(`SIGKILL the Temporal server (${next - finished} runs open)`);
    await killServer(cluster.dir);
    await sleep(1000);
    const t = Date.now();
    await clusterUp({
      dir: cluster.dir,
      namespace: cluster.namespace,
      allowBuild: false,
      ui: Boolean(cluster.ui),
    });
    serverRestarts++;
    log(`Temporal server restarted (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  })();

  // The controller: SIGKILL a random worker every few seconds and restart it; once, SIGSTOP one past the heartbeat timeout.
  const controller = (async () => {
    let stopped = false;
    while (!done) {
      await sleep(Number(opts.killEvery) * 1000);
      if (done) break;
      const i = Math.floor(rand() * workers.length);
      if (!stopped && kills >= 1) {
        stopped = true;
        stops++;
        const w = workers[i]!;
        log(`SIGSTOP worker ${i} (pid ${w.pid}) for 25 s`);
        w.kill('SIGSTOP');
        setTimeout(() => {
          w.kill('SIGCONT');
          log(`SIGCONT worker ${i}`);
        }, 25_000);
        continue;
      }
      const w = workers[i]!;
      if (w.signalCode === 'SIGSTOP') continue;
      // A worker that exited by itself (e.g. while the server was down) is restarted, as a supervisor would.
      workers.forEach((x, j) => {
        if (x && x !== w && x.exitCode !== null) {
          log(`worker ${j} exited (${x.exitCode}); restarting it`);
          selfExits++;
          startWorker(j);
        }
      });
      w.kill('SIGKILL');
      kills++;
      startWorker(i);
    }
  })();

  const submit = async () => {
    while (next < N) {
      const n = next++;
      const runId = newRunId(new Date());
      // A fixed run id: a start retried after the server came back cannot start a second run.
      const handle = await retry(`start #${n}`, () =>
        startHarnessRun(client, settings.FLYWHEEL_TASK_QUEUE, {
          ...input,
          task: `${input.task} #${n}`,
          runId,
        }).catch((e: Error) => {
          if (e.name === 'WorkflowExecutionAlreadyStartedError')
            return client.workflow.getHandle(`run-${runId}`);
          throw e;
        }),
      );
      const wid = handle.workflowId;
      expected.set(wid, 'complete');
      if (n % 25 === 7) {
        await sleep(300);
        await retry('cancel', () => handle.cancel());
        expected.set(wid, 'cancelled');
      } else if (n % 25 === 13) {
        await sleep(300);
        await retry('terminate', () => handle.terminate('chaos'));
        expected.set(wid, 'terminated');
      }
      await closed(handle);
      if (++finished % 10 === 0) log(`${finished}/${N} runs closed (kills ${kills})`);
    }
  };
  await Promise.all(Array.from({ length: Number(opts.concurrency) }, submit));
  done = true;
  await controller;
  await serverRestart;

  // Terminated runs get their records from the sweeper.
  const { sweepOnce } = await import('../src/activities/sweeper').catch(() => ({
    sweepOnce: undefined as any,
  }));
  if (sweepOnce) await sweepOnce({ settings, client });
  for (const w of workers) w?.kill('SIGTERM');

  // Invariants.
  const violations: string[] = [];
  const runsFile = path.join(settings.dataDir, 'runs.jsonl');
  const raw = fs.existsSync(runsFile)
    ? fs
        .readFileSync(runsFile, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
    : [];
  let unreadable = 0;
  const seen = new Map<string, number>();
  for (const l of raw) {
    try {
      const r = JSON.parse(l);
      seen.set(r.workflow_id, (seen.get(r.workflow_id) ?? 0) + 1);
    } catch {
      unreadable++;
    }
  }
  const records = new Map<string, any>();
  for await (const r of readJsonl(runsFile, { key: 'run_id' })) records.set(r.workflow_id, r);
  const dups = [...seen.values()].filter((c) => c > 1).length;
  if (dups) violations.push(`${dups} runs have more than one record`);
  if (unreadable) violations.push(`${unreadable} unreadable lines in runs.jsonl`);
  if (records.size !== N) violations.push(`records ${records.size} != runs submitted ${N}`);
  let badTraces = 0;
  for (const [wid, how] of expected) {
    const r = records.get(wid);
    if (!r) {
      violations.push(`${wid}: no record`);
      continue;
    }
    const d = await client.workflow.getHandle(wid).describe();
    const st = d.status.name;
    let ok: boolean;
    if (st === 'COMPLETED') {
      const res = await client.workflow.getHandle(wid).result();
      ok = r.final === res.final;
    } else if (st === 'FAILED') ok = r.final === 'ERROR';
    else if (st === 'CANCELLED') ok = r.final === 'CANCELLED';
    else if (st === 'TERMINATED') ok = r.final === 'TERMINATED';
    else if (st === 'TIMED_OUT') ok = r.final === 'TIMED_OUT';
    else ok = false;
    if (!ok) violations.push(`${wid}: workflow ${st} (expected ${how}) but record says ${r.final}`);
    const tp = path.join(settings.dataDir, r.trace_path ?? '');
    if (!r.trace_path || !fs.existsSync(tp) || checkTrace(JSON.parse(fs.readFileSync(tp, 'utf8'))).length)
      badTraces++;
  }
  if (badTraces) violations.push(`${badTraces} traces missing or invalid`);
  const byStatus: Record<string, number> = {};
  for (const r of records.values()) byStatus[r.final] = (byStatus[r.final] ?? 0) + 1;
  const faults = ollama.requests.length;
  const wall = (Date.now() - t0) / 1000;
  log(
    `runs submitted ${N}, records ${records.size}, duplicates ${dups}, unreadable lines ${unreadable}, invalid traces ${badTraces}`,
  );
  log(
    `statuses ${JSON.stringify(byStatus)}; worker SIGKILLs ${kills}, SIGSTOPs ${stops}, server restarts ${serverRestarts}, workers that exited by themselves ${selfExits}; model requests ${faults}; wall ${wall.toFixed(1)} s`,
  );
  await connection.close();
  await ollama.close();
  await server.stop();
  if (violations.length) {
    log(`VIOLATIONS (${violations.length}):\n  ${violations.slice(0, 30).join('\n  ')}`);
    log(`kept for inspection: ${root}`);
    return 1;
  }
  fs.rmSync(root, { recursive: true, force: true });
  log('all invariants hold');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  },
);
