// Exports of a 100k-run log (SFT and DPO, reading every output file they keep) vs a plain sequential read of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { DIMENSIONS } from '../src/audit/records';
import { exportDataset } from '../src/flywheel/export';

function record(i: number) {
  const runId = `20260101T${String(Math.floor(i / 3600) % 24).padStart(2, '0')}${String(Math.floor(i / 60) % 60).padStart(2, '0')}${String(i % 60).padStart(2, '0')}_${i.toString(16).padStart(8, '0')}`;
  const pass = i % 4 !== 0;
  const scores = pass ? [7.1, 8.9] : [6.2, 6.8];
  return {
    run_id: runId,
    kind: 'run',
    task: `task ${i % 5000}: survey topic ${i}`,
    producer_model: 'qwen3:8b',
    evaluator_model: 'glm4',
    evaluator_models: ['glm4'],
    run_duration_s: 100,
    input_tokens: 1000,
    output_tokens: 300,
    wiggum_rounds: 2,
    wiggum_scores: scores,
    wiggum_dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, scores])),
    final: pass ? 'PASS' : 'FAIL',
    error: null,
    failed_stage: null,
    tool_calls: [],
    output_path: `outputs/${runId}.md`,
    draft_path: `outputs/${runId}.r1.md`,
    rubric_version: 'wiggum-v1',
    evaluator_scores: [],
    // A qualified evaluator, so the qualified-only step keeps the runs (and is part of what is timed).
    evaluator_qualifications: {
      glm4: {
        status: 'qualified',
        accuracy: 0.8,
        accuracy_ci95: [0.7, 0.88],
        digest: 'd',
        at: '2025-12-01T00:00:00.000Z',
        reason: null,
      },
    },
    score_spread: [0, 0],
    stages: {},
    workflow_id: `run-${runId}`,
    parent_id: null,
    session_id: null,
    trace_path: null,
    started_at: '2026-01-01T00:00:00.000Z',
    schema_version: 1,
  };
}

export async function benchExport(n = Number(process.env.BENCH_EXPORT_RUNS ?? 100_000)): Promise<object> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-export-'));
  fs.mkdirSync(path.join(dir, 'outputs'));
  const out = fs.createWriteStream(path.join(dir, 'runs.jsonl'));
  for (let i = 0; i < n; i++) {
    const r = record(i);
    out.write(JSON.stringify(r) + '\n');
    fs.writeFileSync(path.join(dir, r.output_path), `# Final ${i}\n\nA revised answer.\n`);
    fs.writeFileSync(path.join(dir, r.draft_path), `# Draft ${i}\n\nA first draft.\n`);
  }
  await new Promise((r) => out.end(r));
  const runsFile = path.join(dir, 'runs.jsonl');

  // Baseline: read every line and JSON.parse it, nothing else.
  let t = process.hrtime.bigint();
  let lines = 0;
  for await (const l of readline.createInterface({ input: fs.createReadStream(runsFile) }))
    if (l) lines += JSON.parse(l) ? 1 : 0;
  const plainS = Number(process.hrtime.bigint() - t) / 1e9;

  const timed = async (kind: 'sft' | 'dpo') => {
    t = process.hrtime.bigint();
    const s = await exportDataset({
      kind,
      runsFile,
      dataDir: dir,
      outDir: path.join(dir, `export-${kind}`),
      split: 0.1,
    });
    return { seconds: Number(process.hrtime.bigint() - t) / 1e9, rows: s.rows.train + s.rows.test };
  };
  const sft = await timed('sft');
  const dpo = await timed('dpo');
  fs.rmSync(dir, { recursive: true, force: true });
  const result = {
    runs: lines,
    plain_read_s: plainS,
    sft: { ...sft, ratio_vs_plain_read: sft.seconds / plainS },
    dpo: { ...dpo, ratio_vs_plain_read: dpo.seconds / plainS },
  };
  process.stdout.write(
    `export of a ${lines}-run log vs a plain sequential read (${plainS.toFixed(2)} s): ` +
      `sft ${sft.seconds.toFixed(2)} s (${sft.rows} rows, ratio ${result.sft.ratio_vs_plain_read.toFixed(1)}), ` +
      `dpo ${dpo.seconds.toFixed(2)} s (${dpo.rows} rows, ratio ${result.dpo.ratio_vs_plain_read.toFixed(1)})\n`,
  );
  return result;
}

if (require.main === module) void benchExport();
