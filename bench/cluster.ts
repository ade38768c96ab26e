// Cluster mode vs the dev server: harness throughput with 1, 2 and 4 stage worker processes (plus one audit worker),
// against Temporal v1.29.1 on PostgreSQL (`flywheel cluster up`) and the CLI's dev server on SQLite (as `flywheel dev`
// runs it), in the same run: batches alternate between the two, and the median of BENCH_CLUSTER_REPEATS counts.
// A scripted model answers every call after a fixed latency.
// Run alone: npx tsx bench/run.ts cluster
//   (BENCH_CLUSTER_RUNS, BENCH_CLUSTER_LATENCY_MS, BENCH_CLUSTER_WORKERS, BENCH_CLUSTER_REPEATS)
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { ensureClusterPrerequisites } from '../scripts/ensure-cluster';
import { clusterDown, clusterUp } from '../src/cluster/cluster';
import { loadSettings, type Settings } from '../src/config';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { startDevServer } from '../src/temporal/dev-server';
import { MODEL_ENV, MODELS, tempDir } from '../test/support/harness-env';
import { ScriptedOllama } from '../test/support/scripted-ollama';
import { spawnWorker } from '../test/support/spawn-worker';

interface Backend {
  name: 'dev-server' | 'cluster';
  client: Client;
  settings: Settings;
  stageWorkers: ChildProcess[];
  audit?: ChildProcess;
}

interface Point {
  backend: Backend['name'];
  stage_workers: number;
  runs: number;
  failed: number;
  wall_s: number;
  runs_per_s: number;
  p50_ms: number;
}

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN;
const scores = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };

async function batch(b: Backend, n: number): Promise<Omit<Point, 'backend' | 'stage_workers'>> {
  const input = resolveHarnessInput('survey tool use in LLM agents', b.settings, { maxRounds: 1 });
  const t0 = Date.now();
  const handles = await Promise.all(
    Array.from({ length: n }, () => startHarnessRun(b.client, b.settings.FLYWHEEL_TASK_QUEUE, input)),
  );
  const lat = await Promise.all(
    handles.map((h) =>
      h.result().then(
        () => Date.now() - t0,
        () => NaN,
      ),
    ),
  );
  const wall = Date.now() - t0;
  const ok = lat.filter((x) => !Number.isNaN(x));
  return {
    runs: n,
    failed: n - ok.length,
    wall_s: wall / 1000,
    runs_per_s: (ok.length * 1000) / wall,
    p50_ms: pct(ok, 50),
  };
}

export async function benchCluster(): Promise<object> {
  const runs = num('BENCH_CLUSTER_RUNS', 40);
  const latencyMs = num('BENCH_CLUSTER_LATENCY_MS', 100);
  const counts = (process.env.BENCH_CLUSTER_WORKERS ?? '1,2,4').split(',').map(Number);
  const repeats = num('BENCH_CLUSTER_REPEATS', 3);
  await ensureClusterPrerequisites((l) => process.stdout.write(`${l}\n`));
  const root = tempDir('fw-bench-cluster-');
  fs.chmodSync(root, 0o755); // the managed PostgreSQL runs as `postgres` when we are root
  const ollama = await ScriptedOllama.start({ models: Object.values(MODELS), latencyMs, loadDurationMs: 0 });
  ollama.rule({ model: MODELS.planner, respond: { search_queries: ['agents'], synthesis_notes: 'n' } });
  ollama.rule({ model: MODELS.producer, respond: '# Answer\n\nShort and grounded [1].' });
  ollama.rule({ model: MODELS.evaluator, respond: { scores, issues: [], feedback: 'ok' } });

  const dev = await startDevServer({ dbFile: path.join(root, 'dev', 'temporal.db') });
  const clusterDir = path.join(root, 'cluster');
  const backends: Backend[] = [];
  try {
    const cluster = await clusterUp({ dir: clusterDir, namespace: 'default', freePorts: true, ui: false });
    for (const [name, address] of [
      ['dev-server', dev.address],
      ['cluster', cluster.address],
    ] as const) {
      const settings = loadSettings({
        TEMPORAL_ADDRESS: address,
        FLYWHEEL_TASK_QUEUE: `bench-${name}-${randomUUID().slice(0, 8)}`,
        FLYWHEEL_DATA_DIR: path.join(root, name, 'data'),
        OLLAMA_HOST: ollama.url,
        ...MODEL_ENV,
        LOG_LEVEL: 'warn',
      });
      const connection = await Connection.connect({ address });
      const b: Backend = { name, client: new Client({ connection }), settings, stageWorkers: [] };
      b.audit = await spawnWorker(settings, { role: 'audit' });
      backends.push(b);
    }

    const points: Point[] = [];
    for (const n of counts) {
      for (const b of backends) {
        while (b.stageWorkers.length < n)
          b.stageWorkers.push(await spawnWorker(b.settings, { role: 'stages' }));
        await batch(b, Math.min(8, runs)); // warm-up: workflow caches, connections, the new workers' first tasks
      }
      // Alternating batches, so both backends see the same machine load; the median of `repeats` counts.
      for (let r = 0; r < repeats; r++)
        for (const b of backends) {
          const p = { backend: b.name, stage_workers: n, ...(await batch(b, runs)) };
          points.push(p);
          process.stdout.write(
            `${b.name.padEnd(10)} ${n} stage worker(s): ${p.runs_per_s.toFixed(2)} runs/s, p50 ${p.p50_ms} ms, ` +
              `${p.failed} failed (${runs} runs, ${p.wall_s.toFixed(1)} s)\n`,
          );
        }
    }
    const at = (b: string, n: number) =>
      pct(
        points.filter((p) => p.backend === b && p.stage_workers === n).map((p) => p.runs_per_s),
        50,
      );
    const ratios = counts.map((n) => ({
      stage_workers: n,
      cluster_vs_dev: at('cluster', n) / at('dev-server', n),
      dev_scaling_vs_1: at('dev-server', n) / at('dev-server', counts[0]),
      cluster_scaling_vs_1: at('cluster', n) / at('cluster', counts[0]),
    }));
    for (const r of ratios)
      process.stdout.write(
        `${r.stage_workers} stage worker(s): cluster/dev ${r.cluster_vs_dev.toFixed(2)}x; scaling vs ${counts[0]}: ` +
          `dev ${r.dev_scaling_vs_1.toFixed(2)}x, cluster ${r.cluster_scaling_vs_1.toFixed(2)}x\n`,
      );
    return { runs, repeats, model_latency_ms: latencyMs, rounds: 1, points, ratios };
  } finally {
    for (const b of backends) {
      for (const w of [...b.stageWorkers, b.audit]) w?.kill('SIGTERM');
      await b.client.connection.close();
    }
    await dev.stop();
    await clusterDown(clusterDir, { purge: true });
    await ollama.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
