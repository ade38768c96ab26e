// Lit-review throughput: 50 papers, a scripted model with fixed latency L per call, C calls in flight.
// Prints the ideal time (calls × L ÷ C) over the actual stage time: the utilisation the scheduler achieves.
import { readJsonl } from '../src/audit/jsonl';
import { resolveLitReviewInput } from '../src/lit-review/input';
import { startLitReview } from '../src/lit-review/start';
import { startDevServer, type DevServer } from '../src/temporal/dev-server';
import { harnessEnv } from '../test/support/harness-env';
import { personaCalls, scriptLitReview } from '../test/support/lit-review-script';
import path from 'node:path';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

export async function benchLitReview(): Promise<object> {
  const papers = num('BENCH_LIT_PAPERS', 50);
  const latencyMs = num('BENCH_LIT_LATENCY_MS', 500);
  const concurrency = num('BENCH_LIT_CONCURRENCY', 8);
  const batchSize = num('BENCH_LIT_BATCH_SIZE', 25);
  // Its own dev server unless the test runner's is given, so it runs alone or after other benches.
  let server: DevServer | undefined;
  if (!process.env.FLYWHEEL_TEST_TEMPORAL_ADDRESS) {
    server = await startDevServer();
    process.env.FLYWHEEL_TEST_TEMPORAL_ADDRESS = server.address;
  }
  const env = await harnessEnv({ ollama: { loadDurationMs: 0 } });
  try {
    // Every paper passes curation, so extraction also runs 50 calls.
    scriptLitReview(env.ollama, { score: () => 4, paperLatencyMs: latencyMs, localQueries: [] });
    const input = resolveLitReviewInput('LLM agents', env.settings, {
      maxPapers: papers,
      concurrency,
      batchSize,
      maxRounds: 1,
    });
    const t0 = Date.now();
    const handle = await startLitReview(env.client, env.taskQueue, input);
    const result = await handle.result();
    const wallS = (Date.now() - t0) / 1000;
    const id = handle.workflowId.replace(/^litreview-/, '');
    let rec: any;
    for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl'))) if (r.run_id === id) rec = r;

    const curateCalls = [...personaCalls(env.ollama).values()].reduce((a, b) => a + b, 0);
    const extractCalls = env.ollama.countRequests({ endpoint: 'chat', match: /^Extract problem/ });
    const stage = (name: string, calls: number) => {
      const ideal = (calls * latencyMs) / 1000 / concurrency;
      const actual = rec.stages[name]?.duration_s ?? NaN;
      return { calls, ideal_s: round(ideal), actual_s: round(actual), utilisation: round(ideal / actual) };
    };
    const curate = stage('curate', curateCalls);
    const extract = stage('extract', extractCalls);
    const both = {
      calls: curateCalls + extractCalls,
      ideal_s: round(curate.ideal_s + extract.ideal_s),
      actual_s: round(curate.actual_s + extract.actual_s),
      utilisation: round((curate.ideal_s + extract.ideal_s) / (curate.actual_s + extract.actual_s)),
    };
    const out = {
      papers: result.candidates,
      latency_ms: latencyMs,
      concurrency,
      batch_size: batchSize,
      curate,
      extract,
      curate_and_extract: both,
      whole_review_wall_s: round(wallS),
      final: result.final,
    };
    const line = (n: string, s: typeof curate) =>
      `${n.padEnd(18)} ${String(s.calls).padStart(4)} calls × ${latencyMs} ms ÷ ${concurrency} = ideal ${s.ideal_s.toFixed(2)} s, actual ${s.actual_s.toFixed(2)} s, utilisation ${s.utilisation.toFixed(2)}\n`;
    process.stdout.write(
      `lit-review, ${result.candidates} papers, scripted model L=${latencyMs} ms, C=${concurrency}, batches of ${batchSize}\n` +
        line('curate', curate) +
        line('extract', extract) +
        line('curate + extract', both) +
        `whole review (plan … publish): ${wallS.toFixed(2)} s\n`,
    );
    return out;
  } finally {
    await env.close();
    if (server) {
      await server.stop();
      delete process.env.FLYWHEEL_TEST_TEMPORAL_ADDRESS;
    }
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

if (require.main === module)
  benchLitReview().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
