// The model server's idle share: for a multi-round harness run on the real demo model,
// (wall time − the sum of Ollama's total_duration over the run's calls) ÷ wall time. Target ≤ 5%.
// That is the price of orchestration as a user feels it: time the model server waits on Flywheel.
// Run alone: npx tsx bench/idle-share.ts   (BENCH_IDLE_ROUNDS, BENCH_IDLE_NUM_PREDICT to change the run)
import fs from 'node:fs';
import path from 'node:path';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { harnessEnv, stopOwnServer } from '../test/support/harness-env';
import { realModelEnv, realOllama } from '../test/support/real-ollama';

interface Call {
  purpose: string;
  startMs: number;
  endMs: number;
  loadMs: number;
  promptEvalMs: number;
  evalMs: number;
  totalMs: number;
  inputTokens: number;
  outputTokens: number;
}

const TARGET = 0.05;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const s = (ms: number) => Math.round(ms) / 1000;

export async function benchIdleShare(): Promise<object> {
  const rounds = Number(process.env.BENCH_IDLE_ROUNDS ?? 3);
  const numPredict = Number(process.env.BENCH_IDLE_NUM_PREDICT ?? 128);
  const ollama = await realOllama();
  // One evaluator: Ollama serves one request at a time, so a second evaluator's wait would count as busy.
  const env = await harnessEnv({ env: realModelEnv(ollama.host) });
  try {
    const input = resolveHarnessInput('How do LLM agents decide when to call a tool?', env.settings, {
      maxRounds: rounds,
      threshold: 10, // rarely reached by a 135M model's honest scores, so most runs go every round
      numPredict,
      maxQueries: 2,
      resultsPerQuery: 2,
    });
    // Runs one after another until `rounds` rounds are scored in all (a round no evaluator can score before any scored one ends a run early).
    const runs: { runId: string; t0: number; t1: number; final: string; rounds: number }[] = [];
    while (runs.length < 3 && sum(runs.map((r) => r.rounds)) < rounds) {
      const t0 = Date.now();
      const result = await (
        await startHarnessRun(env.client, env.taskQueue, { ...input, runId: undefined })
      ).result();
      runs.push({
        runId: result.runId,
        t0,
        t1: Date.now(),
        final: result.final,
        rounds: result.scores.length,
      });
    }
    const calls = runs.flatMap((r) =>
      fs
        .readFileSync(path.join(env.dataDir, 'traces', `${r.runId}.spans.jsonl`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Call & { type: string; ok: boolean })
        .filter((l) => l.type === 'llm' && l.ok)
        .sort((a, b) => a.endMs - a.totalMs - (b.endMs - b.totalMs)),
    );

    const wallMs = sum(runs.map((r) => r.t1 - r.t0));
    const totalMs = sum(calls.map((c) => c.totalMs));
    const idleShare = (wallMs - totalMs) / wallMs;
    // Where the idle time is: the gaps between the server's busy intervals ([end − total_duration, end]).
    const gaps: { between: string; ms: number }[] = [];
    for (const r of runs) {
      let busyUntil = r.t0;
      let prev = 'start';
      for (const c of calls.filter((x) => x.endMs > r.t0 && x.endMs <= r.t1)) {
        const from = c.endMs - c.totalMs;
        if (from > busyUntil) gaps.push({ between: `${prev} → ${c.purpose}`, ms: from - busyUntil });
        busyUntil = Math.max(busyUntil, c.endMs);
        prev = c.purpose;
      }
      if (r.t1 > busyUntil) gaps.push({ between: `${prev} → end`, ms: r.t1 - busyUntil });
    }
    const idleByGaps = sum(gaps.map((g) => g.ms));

    const out = {
      model: env.settings.FLYWHEEL_PRODUCER_MODEL,
      runs: runs.map((r) => ({
        run_id: r.runId,
        final: r.final,
        scored_rounds: r.rounds,
        wall_s: s(r.t1 - r.t0),
      })),
      rounds: sum(runs.map((r) => r.rounds)),
      num_predict: numPredict,
      calls: calls.length,
      wall_s: s(wallMs),
      ollama_total_s: s(totalMs),
      ollama_load_s: s(sum(calls.map((c) => c.loadMs))),
      ollama_prompt_eval_s: s(sum(calls.map((c) => c.promptEvalMs))),
      ollama_eval_s: s(sum(calls.map((c) => c.evalMs))),
      input_tokens: sum(calls.map((c) => c.inputTokens)),
      output_tokens: sum(calls.map((c) => c.outputTokens)),
      idle_s: s(wallMs - totalMs),
      idle_share: Math.round(idleShare * 10000) / 10000,
      idle_s_from_gaps: s(idleByGaps),
      largest_gaps: gaps
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((g) => ({ between: g.between, s: s(g.ms) })),
      target: TARGET,
      within_target: idleShare <= TARGET,
    };
    process.stdout.write(
      `idle share of the model server: ${(idleShare * 100).toFixed(2)}% (target ≤ ${TARGET * 100}%)\n` +
        `  wall ${out.wall_s} s − Σ total_duration ${out.ollama_total_s} s over ${out.calls} calls = idle ${out.idle_s} s\n` +
        `  Σ load ${out.ollama_load_s} s · prompt ${out.ollama_prompt_eval_s} s · eval ${out.ollama_eval_s} s; ` +
        `${out.input_tokens} in / ${out.output_tokens} out tokens; ${out.rounds} scored rounds in ${runs.length} run(s)\n` +
        `  largest gaps: ${out.largest_gaps.map((g) => `${g.between} ${g.s} s`).join('; ')}\n`,
    );
    return out;
  } finally {
    await env.close();
    await ollama.stop();
    await stopOwnServer();
  }
}

if (require.main === module) {
  benchIdleShare().then(
    () => process.exit(0),
    (e: Error) => {
      process.stderr.write(`idle-share: ${e.message}\n`);
      process.exit(1);
    },
  );
}
