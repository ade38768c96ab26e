// Dashboard API on a 1k- vs a 100k-record log: p50/p99 of a runs page (first, deep, filtered) and of the summary
// endpoints, over real HTTP, and the 100k/1k ratio of each. Records are synthetic and valid against the schemas.
// Run with `npm run bench -- dashboard` or `npx tsx bench/dashboard.ts`. Sizes: BENCH_DASHBOARD_SIZES=1000,100000.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIMENSIONS, RunRecord, SecurityEvent } from '../src/audit/records';
import { loadSettings } from '../src/config';
import { logger } from '../src/log';
import { encodeCursor } from '../src/dashboard/cursor';
import { startDashboard } from '../src/dashboard/server';

const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MODELS = ['qwen3:32b', 'qwen3:8b', 'llama3.1:8b', 'glm4:latest'];
const STATUSES = ['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'FAIL', 'FAIL', 'FAIL', 'ERROR'] as const;
const TOPICS = [
  'speculative decoding',
  'agent memory',
  'tool use',
  'retrieval augmentation',
  'planning',
  'evaluation',
];
const STAGES = ['plan', 'research', 'synthesize', 'evaluate', 'finalize'];

/** A deterministic pseudo-random stream, so both sizes have the same mix. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function runRecord(i: number, rand: () => number, t0: number) {
  const runId = `${new Date(t0 + i * 60_000).toISOString().replace(/[-:]/g, '').slice(0, 15)}_${i.toString(16).padStart(8, '0')}`;
  const final = STATUSES[i % STATUSES.length];
  const rounds = final === 'ERROR' ? 0 : 1 + (i % 3);
  const scores = Array.from({ length: rounds }, (_, r) => round(4 + rand() * 4 + r, 2));
  const dims = Object.fromEntries(
    DIMENSIONS.map((d) => [d, rounds ? scores.map((s) => round(Math.min(10, s + rand() - 0.5), 1)) : [null]]),
  );
  const rollout = i % 20 === 0;
  const stages = Object.fromEntries(
    STAGES.slice(0, final === 'ERROR' ? 3 : 5).map((s) => [
      s,
      {
        duration_s: round(rand() * 30, 3),
        input_tokens: 500 + (i % 900),
        output_tokens: 100 + (i % 400),
        attempts: 1,
      },
    ]),
  );
  return {
    run_id: runId,
    kind: rollout ? 'rollout' : 'run',
    task: `survey ${TOPICS[i % TOPICS.length]} techniques, variant ${i}`,
    producer_model: MODELS[i % MODELS.length],
    evaluator_model: 'glm4:latest',
    evaluator_models: ['glm4:latest'],
    run_duration_s: round(20 + rand() * 200, 2),
    input_tokens: 5000 + (i % 9000),
    output_tokens: 1000 + (i % 3000),
    wiggum_rounds: rounds,
    wiggum_scores: scores,
    wiggum_dimensions: dims,
    final,
    error: final === 'ERROR' ? 'synthesize: the model server dropped the connection' : null,
    failed_stage: final === 'ERROR' ? 'synthesize' : null,
    tool_calls: [
      {
        name: 'search',
        query: `${TOPICS[i % TOPICS.length]} survey`,
        urls: ['https://arxiv.org/abs/2402.08005'],
        novelty_score: round(rand() * 10, 1),
      },
    ],
    output_path: final === 'ERROR' ? null : `outputs/${runId}.md`,
    draft_path: final === 'ERROR' ? null : `outputs/${runId}.r1.md`,
    rubric_version: 'wiggum-v1',
    evaluator_scores: scores.map((s, r) => ({
      model: 'glm4:latest',
      round: r + 1,
      composite: s,
      dimensions: null,
    })),
    score_spread: scores.map(() => 0),
    stages,
    workflow_id: `run-${runId}`,
    parent_id: rollout ? `rollout-batch${Math.floor(i / 200)}` : null,
    session_id: rollout ? null : `cli-${Math.floor(i / 10)}`,
    trace_path: `traces/${runId}.trace.json`,
    started_at: new Date(t0 + i * 60_000).toISOString(),
    schema_version: 1,
  };
}

function securityEvent(i: number, t0: number) {
  return {
    ts: new Date(t0 + i * 30_000).toISOString(),
    run_id: i % 7 === 0 ? null : `20260101T000000_${(i >> 1).toString(16).padStart(8, '0')}`,
    event_type: ['injection_scanner', 'path_sandbox', 'ast_guard', 'cdp_guard'][i % 4],
    layer: ['fetch', 'memory_write', 'synthesis_write', 'file_api'][(i >> 2) % 4],
    severity: i % 3 === 0 ? 'block' : 'warn',
    detail: `rule_${i % 11}: excerpt of the flagged text number ${i}`,
  };
}

/** Writes runs.jsonl and security_events.jsonl with n records each; checks records against the schemas. */
function buildLogs(dataDir: string, n: number): { bytes: number } {
  fs.mkdirSync(dataDir, { recursive: true });
  const rand = rng(42);
  // Validate all of a small log, and a sample of a big one (zod on 100k records only slows the setup).
  const every = n <= 10_000 ? 1 : 97;
  let bytes = 0;
  const write = (file: string, make: (i: number) => object, schema: { parse(v: unknown): unknown }) => {
    const fd = fs.openSync(path.join(dataDir, file), 'w');
    const chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      const rec = make(i);
      if (i % every === 0) schema.parse(rec);
      chunk.push(JSON.stringify(rec));
      if (chunk.length === 1000 || i === n - 1) {
        const text = `${chunk.join('\n')}\n`;
        bytes += Buffer.byteLength(text);
        fs.writeSync(fd, text);
        chunk.length = 0;
      }
    }
    fs.closeSync(fd);
  };
  write('runs.jsonl', (i) => runRecord(i, rand, T0), RunRecord);
  write('security_events.jsonl', (i) => securityEvent(i, T0), SecurityEvent);
  return { bytes };
}

interface Stat {
  p50_ms: number;
  p99_ms: number;
}

async function measure(url: string | ((i: number) => string), iterations: number): Promise<Stat> {
  const times: number[] = [];
  for (let i = 0; i < iterations + 3; i++) {
    const t = performance.now();
    const r = await fetch(typeof url === 'string' ? url : url(i));
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
    if (i >= 3) times.push(performance.now() - t); // the first calls warm the JIT and caches
  }
  return { p50_ms: round(pct(times, 50), 3), p99_ms: round(pct(times, 99), 3) };
}

async function benchSize(n: number, iterations: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-dash-'));
  try {
    const dataDir = path.join(root, 'data');
    const t0 = performance.now();
    const { bytes } = buildLogs(dataDir, n);
    const buildMs = performance.now() - t0;
    const settings = loadSettings({ FLYWHEEL_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, root);
    const dash = await startDashboard({
      settings,
      host: '127.0.0.1',
      port: 0,
      log: logger({ level: 'warn', pretty: false }),
    });
    try {
      const t1 = performance.now();
      const health = (await (await fetch(`${dash.url}/api/health`)).json()) as { runs: number };
      const indexMs = performance.now() - t1;
      if (health.runs !== n) throw new Error(`indexed ${health.runs} runs of ${n}`);
      // A cursor in the middle of the list (newest first), to time a deep page.
      const m = runRecord(Math.floor(n / 2), rng(1), T0);
      const cursor = encodeCursor({ s: 'started_at', o: 'desc', v: Date.parse(m.started_at), id: m.run_id });
      const deep = `${dash.url}/api/runs?limit=50&cursor=${cursor}`;
      const endpoints: Record<string, string | ((i: number) => string)> = {
        'runs page (first 50)': `${dash.url}/api/runs?limit=50`,
        'runs page (middle, by cursor)': deep,
        'runs page (status=FAIL, same filter)': `${dash.url}/api/runs?limit=50&status=FAIL`,
        // A new filter each time: the match count is not cached, one pass over the index per request.
        'runs page (status=FAIL, new filter)': (i) =>
          `${dash.url}/api/runs?limit=50&status=FAIL&to=2999-01-01T00:00:${String(i % 60).padStart(2, '0')}.${i}Z`,
        'runs page (text search, new query)': (i) => `${dash.url}/api/runs?limit=50&q=variant%20${i}7`,
        'runs page (sorted by score)': `${dash.url}/api/runs?limit=50&sort=score`,
        'run detail': `${dash.url}/api/runs/${m.run_id}`,
        'sessions page': `${dash.url}/api/sessions?limit=50`,
        'analytics summary': `${dash.url}/api/analytics/summary`,
        'analytics failure-rate': `${dash.url}/api/analytics/failure-rate`,
        'analytics first-round-scores': `${dash.url}/api/analytics/first-round-scores`,
        'analytics score-distribution': `${dash.url}/api/analytics/score-distribution`,
        'analytics stages': `${dash.url}/api/analytics/stages`,
        'security summary': `${dash.url}/api/security/summary`,
        'security events page': `${dash.url}/api/security/events?limit=50`,
      };
      const results: Record<string, Stat> = {};
      for (const [name, url] of Object.entries(endpoints)) results[name] = await measure(url, iterations);
      return {
        records: n,
        log_mb: round(bytes / 1024 / 1024, 1),
        build_logs_s: round(buildMs / 1000, 2),
        first_index_s: round(indexMs / 1000, 2),
        endpoints: results,
      };
    } finally {
      await dash.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export async function benchDashboard(): Promise<object> {
  const sizes = (process.env.BENCH_DASHBOARD_SIZES ?? '1000,100000').split(',').map(Number);
  const iterations = Number(process.env.BENCH_DASHBOARD_ITERATIONS ?? 100);
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  await benchSize(200, 5); // warms the JIT, so the first size measured is not the cold one
  const a = await benchSize(small, iterations);
  const b = await benchSize(large, iterations);
  const out = (s: string) => process.stdout.write(s);
  out(
    `dashboard API, ${iterations} sequential requests per endpoint over HTTP; logs: ${a.records} vs ${b.records} ` +
      `runs (+ as many security events), ${a.log_mb} vs ${b.log_mb} MB\n`,
  );
  out(
    `first index of the logs (one pass, then only appended bytes are read): ${a.first_index_s} s vs ${b.first_index_s} s
`,
  );
  const w = Math.max(...Object.keys(a.endpoints).map((k) => k.length));
  out(
    `${'endpoint'.padEnd(w)}  ${'p50 1k'.padStart(8)} ${'p50 100k'.padStart(9)} ${'ratio'.padStart(6)}   ${'p99 1k'.padStart(8)} ${'p99 100k'.padStart(9)} ${'ratio'.padStart(6)}\n`,
  );
  const ratios: Record<string, { p50_ratio: number; p99_ratio: number }> = {};
  for (const k of Object.keys(a.endpoints)) {
    const x = a.endpoints[k];
    const y = b.endpoints[k];
    ratios[k] = { p50_ratio: round(y.p50_ms / x.p50_ms), p99_ratio: round(y.p99_ms / x.p99_ms) };
    out(
      `${k.padEnd(w)}  ${x.p50_ms.toFixed(2).padStart(8)} ${y.p50_ms.toFixed(2).padStart(9)} ${ratios[k].p50_ratio.toFixed(2).padStart(6)}   ` +
        `${x.p99_ms.toFixed(2).padStart(8)} ${y.p99_ms.toFixed(2).padStart(9)} ${ratios[k].p99_ratio.toFixed(2).padStart(6)}\n`,
    );
  }
  out(
    '(ms; ratio = large / small. A new filter costs one pass over the in-memory index to count its total;\n' +
      ' the same filter again, e.g. its next page, reuses the count until the log grows.)\n',
  );
  return { iterations, small: a, large: b, ratios };
}

if (require.main === module) {
  benchDashboard().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
