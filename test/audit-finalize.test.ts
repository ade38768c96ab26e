import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeRunRecord } from '../src/run-trace/finalize';
import type { SpoolLine } from '../src/run-trace/activity';
import type { FinalizeInput } from '../src/activities/types';
import { readJsonl } from '../src/audit/jsonl';
import { checkTrace } from '../src/audit/trace';
import { tempDir } from './support/harness-env';

const RUN = '20261126T120000_0badc0de';
const T0 = Date.parse('2026-11-26T12:00:00Z');

const llm = (stage: string, startMs: number, inputTokens: number, outputTokens: number): SpoolLine => ({
  type: 'llm',
  activity: stage,
  stage,
  attempt: 1,
  op: 'chat',
  model: 'qwen3:8b',
  startMs,
  endMs: startMs + 500,
  loadMs: 0,
  promptEvalMs: 100,
  evalMs: 300,
  totalMs: 500,
  inputTokens,
  outputTokens,
  ok: true,
});
const attempt = (stage: string, startMs: number, worker: string): SpoolLine => ({
  type: 'attempt',
  activity: stage,
  stage,
  attempt: 1,
  startMs,
  endMs: startMs + 600,
  ok: true,
  worker,
});
const security = (id: string): SpoolLine => ({
  type: 'security',
  activity: 'research',
  stage: 'research',
  attempt: 1,
  event: {
    ts: new Date(T0 + 1500).toISOString(),
    run_id: RUN,
    event_type: 'injection_scanner',
    layer: 'fetch',
    severity: 'block',
    detail: 'instruction_override: ignore all previous instructions',
    event_id: id,
  },
});

function finalizeInput(): FinalizeInput {
  return {
    runId: RUN,
    workflowId: `run-${RUN}`,
    temporalRunId: 'r-1',
    parentId: null,
    input: { kind: 'run', task: 't', producerModel: 'qwen3:8b', evaluatorModels: ['qwen3:8b'] },
    status: 'FAIL',
    error: null,
    failedStage: null,
    startedAtMs: T0,
    endedAtMs: T0 + 5000,
    rounds: [],
    toolCalls: [],
    outputPath: null,
    draftPath: null,
    evaluatorErrors: [],
    spans: [{ name: 'plan', cat: 'stage', startMs: T0, endMs: T0 + 1000, lane: 'stages' }],
  };
}

const write = (dataDir: string, rel: string, lines: SpoolLine[]) => {
  fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dataDir, rel), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
};

async function lines(file: string): Promise<any[]> {
  const out: any[] = [];
  for await (const l of readJsonl(file)) out.push(l);
  return out;
}

void test('finalizeRun merges every attempt spool file (and the pre-upgrade one), appends its security events once, and writes one record however often it runs', async () => {
  const dataDir = tempDir();
  // Two stage workers' attempt files, written out of time order, and one from before the per-attempt layout.
  write(dataDir, `work/${RUN}/spans/aaaaaaaa-2-1.jsonl`, [
    llm('research', T0 + 1200, 30, 3),
    security('e-1'),
    security('e-2'),
    attempt('research', T0 + 1100, '12@host-b'),
  ]);
  write(dataDir, `work/${RUN}/spans/aaaaaaaa-1-1.jsonl`, [
    llm('plan', T0 + 100, 100, 10),
    attempt('plan', T0 + 50, '34@host-a'),
  ]);
  write(dataDir, `traces/${RUN}.spans.jsonl`, [llm('plan', T0 + 700, 5, 1)]);

  assert.deepEqual(await writeRunRecord(dataDir, finalizeInput()), { recordWritten: true });
  // A retried finalize (or the sweeper after it) writes nothing twice.
  assert.deepEqual(await writeRunRecord(dataDir, finalizeInput()), { recordWritten: false });

  const recs = await lines(path.join(dataDir, 'runs.jsonl'));
  assert.equal(recs.length, 1);
  assert.equal(recs[0].input_tokens, 135);
  assert.equal(recs[0].output_tokens, 14);
  assert.deepEqual(recs[0].stages.plan, { duration_s: 1, input_tokens: 105, output_tokens: 11, attempts: 1 });
  assert.equal(recs[0].stages.research.attempts, 1);

  const events = await lines(path.join(dataDir, 'security_events.jsonl'));
  assert.deepEqual(
    events.map((e) => e.event_id),
    ['e-1', 'e-2'],
  );
  assert.ok(events.every((e) => e.run_id === RUN && e.layer === 'fetch'));

  const trace = JSON.parse(fs.readFileSync(path.join(dataDir, recs[0].trace_path), 'utf8'));
  assert.deepEqual(checkTrace(trace), []);
  const workers = trace.traceEvents.filter((e: any) => e.cat === 'attempt' && e.args?.worker);
  assert.deepEqual(workers.map((e: any) => e.args.worker).sort(), ['12@host-b', '34@host-a']);
});
