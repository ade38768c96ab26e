import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildTrace, checkTrace, writeTraceFile, type Span } from '../src/audit/trace';

const meta = { runId: '20260522T143027_a4f2b1c3', processName: 'flywheel run' };

function threadNames(trace: { traceEvents: any[] }): Map<number, string> {
  return new Map(trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args.name]));
}

function tidOf(trace: { traceEvents: any[] }, name: string): number {
  const ev = trace.traceEvents.find((e) => e.ph === 'B' && e.name === name);
  assert.ok(ev, `no B event for ${name}`);
  return ev.tid;
}

void test('a run of sequential stages gives one thread with nested B/E pairs in microseconds', () => {
  const spans: Span[] = [
    { name: 'harnessRun', cat: 'workflow', startUs: 1_000, endUs: 10_000, lane: 'workflow' },
    { name: 'plan', cat: 'stage', startUs: 1_000, endUs: 3_000, lane: 'workflow' },
    { name: 'research', cat: 'stage', startUs: 3_000, endUs: 6_000.4, lane: 'workflow' },
    { name: 'synthesize', cat: 'stage', startUs: 6_500, endUs: 10_000, lane: 'workflow' },
  ];
  const trace = buildTrace(meta, spans);
  assert.deepEqual(checkTrace(trace), []);
  assert.equal(trace.displayTimeUnit, 'ms');
  assert.equal(trace.metadata.run_id, meta.runId);
  const timed = trace.traceEvents.filter((e) => e.ph !== 'M');
  assert.deepEqual(
    timed.map((e) => `${e.ph} ${e.name} ${e.ts}`),
    [
      'B harnessRun 1000',
      'B plan 1000',
      'E plan 3000',
      'B research 3000',
      'E research 6000',
      'B synthesize 6500',
      'E synthesize 10000',
      'E harnessRun 10000',
    ],
  );
  assert.ok(timed.every((e) => Number.isInteger(e.ts) && e.tid === timed[0].tid));
  const names = trace.traceEvents.filter((e) => e.ph === 'M').map((e) => e.name);
  assert.deepEqual(names, ['process_name', 'thread_name', 'thread_sort_index']);
});

void test('overlapping evaluators in one lane go to separate threads and args pass through', () => {
  const args = { 'gen_ai.request.model': 'qwen3:32b', 'gen_ai.usage.input_tokens': 1200, attempt: 1 };
  const trace = buildTrace(meta, [
    { name: 'evaluate', cat: 'stage', startUs: 0, endUs: 100, lane: 'evaluators' },
    { name: 'chat qwen3:32b', cat: 'llm', startUs: 10, endUs: 80, lane: 'evaluators', args },
    { name: 'chat glm4:latest', cat: 'llm', startUs: 12, endUs: 90, lane: 'evaluators' },
    { name: 'chat llama3:8b', cat: 'llm', startUs: 15, endUs: 95, lane: 'evaluators' },
  ]);
  assert.deepEqual(checkTrace(trace), []);
  const tids = new Set(['chat qwen3:32b', 'chat glm4:latest', 'chat llama3:8b'].map((n) => tidOf(trace, n)));
  assert.equal(tids.size, 3);
  assert.deepEqual([...threadNames(trace).values()], ['evaluators', 'evaluators #2', 'evaluators #3']);
  const b = trace.traceEvents.find((e) => e.ph === 'B' && e.name === 'chat qwen3:32b');
  assert.deepEqual(b.args, args);
});

void test('a child ending after its parent is moved to another thread, keeping its real times', () => {
  const trace = buildTrace(meta, [
    { name: 'synthesize', cat: 'stage', startUs: 0, endUs: 100 },
    { name: 'chat qwen3:32b', cat: 'llm', startUs: 50, endUs: 150 },
  ]);
  assert.deepEqual(checkTrace(trace), []);
  assert.notEqual(tidOf(trace, 'synthesize'), tidOf(trace, 'chat qwen3:32b'));
  const e = trace.traceEvents.find((x) => x.ph === 'E' && x.name === 'chat qwen3:32b');
  assert.equal(e.ts, 150);
});

void test('lanes get their own named threads and instants land on their lane', () => {
  const trace = buildTrace(
    meta,
    [
      { name: 'harnessRun', cat: 'workflow', startUs: 0, endUs: 100, lane: 'workflow' },
      { name: 'synthesize', cat: 'activity', startUs: 10, endUs: 60, lane: 'activity:synthesize' },
      { name: 'load qwen3:32b', cat: 'llm', startUs: 10, endUs: 40, lane: 'activity:synthesize' },
    ],
    [{ name: 'round 1 score', cat: 'wiggum', tsUs: 70, lane: 'workflow', args: { composite: 6.87 } }],
  );
  assert.deepEqual(checkTrace(trace), []);
  const names = threadNames(trace);
  assert.equal(names.get(tidOf(trace, 'harnessRun')), 'workflow');
  assert.equal(names.get(tidOf(trace, 'load qwen3:32b')), 'activity:synthesize');
  const instant = trace.traceEvents.find((e) => e.ph === 'i');
  assert.equal(instant.tid, tidOf(trace, 'harnessRun'));
  assert.equal(instant.s, 't');
  assert.deepEqual(instant.args, { composite: 6.87 });
});

void test('bad times are repaired or dropped, never producing an invalid trace', () => {
  const trace = buildTrace(meta, [
    { name: 'backwards', cat: 'x', startUs: 50, endUs: 40 },
    { name: 'negative', cat: 'x', startUs: -5, endUs: 10 },
    { name: 'nan', cat: 'x', startUs: Number.NaN, endUs: 10 },
  ]);
  assert.deepEqual(checkTrace(trace), []);
  assert.equal(trace.metadata.dropped_events, 1);
  assert.ok(!trace.traceEvents.some((e) => e.name === 'nan'));
});

void test('random spans in a few lanes always build a valid trace', () => {
  let seed = 42;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let round = 0; round < 200; round++) {
    const spans: Span[] = [];
    const n = 1 + Math.floor(rand() * 30);
    for (let i = 0; i < n; i++) {
      const start = Math.floor(rand() * 1000);
      const end = start + Math.floor(rand() * 300) * (rand() < 0.1 ? 0 : 1);
      spans.push({
        name: `s${i}`,
        cat: 'c',
        startUs: start,
        endUs: end,
        lane: `lane${Math.floor(rand() * 3)}`,
      });
    }
    const trace = buildTrace(meta, spans);
    assert.deepEqual(checkTrace(trace), [], JSON.stringify(spans));
    assert.equal(trace.traceEvents.filter((e) => e.ph === 'B').length, n);
  }
});

function base(): any[] {
  return [
    { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'p' } },
    { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 't' } },
  ];
}

void test('the checker rejects non-objects and a missing traceEvents array', () => {
  assert.equal(checkTrace(null).length, 1);
  assert.equal(checkTrace([]).length, 1);
  assert.match(checkTrace({ events: [] })[0], /traceEvents/);
});

void test('the checker rejects an unbalanced trace', () => {
  const open = checkTrace({ traceEvents: [...base(), { name: 'a', ph: 'B', ts: 0, pid: 1, tid: 1 }] });
  assert.equal(open.length, 1);
  assert.match(open[0], /never closed/);
  const stray = checkTrace({ traceEvents: [...base(), { name: 'a', ph: 'E', ts: 0, pid: 1, tid: 1 }] });
  assert.match(stray[0], /no open B/);
});

void test('the checker rejects crossed spans on one thread', () => {
  const errors = checkTrace({
    traceEvents: [
      ...base(),
      { name: 'a', ph: 'B', ts: 0, pid: 1, tid: 1 },
      { name: 'b', ph: 'B', ts: 5, pid: 1, tid: 1 },
      { name: 'a', ph: 'E', ts: 10, pid: 1, tid: 1 },
      { name: 'b', ph: 'E', ts: 15, pid: 1, tid: 1 },
    ],
  });
  assert.ok(errors.some((e) => /cross/.test(e)));
});

void test('the checker rejects a thread or process without its M event', () => {
  const noThread = checkTrace({
    traceEvents: [
      ...base(),
      { name: 'a', ph: 'B', ts: 0, pid: 1, tid: 2 },
      { name: 'a', ph: 'E', ts: 1, pid: 1, tid: 2 },
    ],
  });
  assert.deepEqual(noThread.length, 1);
  assert.match(noThread[0], /tid 1:2 .*thread_name/);
  const noProcess = checkTrace({
    traceEvents: [
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 't' } },
      { name: 'i', ph: 'i', ts: 0, pid: 1, tid: 1 },
    ],
  });
  assert.match(noProcess[0], /process_name/);
});

void test('the checker rejects bad fields and time going backwards on a thread', () => {
  const errors = checkTrace({
    traceEvents: [
      ...base(),
      { name: 'a', ph: 'B', ts: 10, pid: 1, tid: 1 },
      { name: 'a', ph: 'E', ts: 5, pid: 1, tid: 1 },
      { name: 'n', ph: 'i', ts: -1, pid: 1, tid: 1 },
      { name: 'n', ph: 'Q', ts: 1, pid: 1, tid: 1 },
      { ph: 'i', ts: 1, pid: 1, tid: 1 },
      { name: 'n', ph: 'i', ts: 1, pid: 'x', tid: 1 },
    ],
  });
  assert.equal(errors.length, 5, errors.join('\n'));
  assert.ok(errors.some((e) => /back in time/.test(e)));
  assert.ok(errors.some((e) => /ts must be/.test(e)));
  assert.ok(errors.some((e) => /unknown phase/.test(e)));
  assert.ok(errors.some((e) => /name must be/.test(e)));
  assert.ok(errors.some((e) => /pid and tid/.test(e)));
});

void test('a trace file is written whole, with no temp file left behind', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-'));
  const file = path.join(dir, 'traces', `${meta.runId}.trace.json`);
  const trace = buildTrace(meta, [{ name: 'plan', cat: 'stage', startUs: 0, endUs: 5 }]);
  await writeTraceFile(file, trace);
  await writeTraceFile(file, trace);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), trace);
  assert.deepEqual(checkTrace(JSON.parse(fs.readFileSync(file, 'utf8'))), []);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), [`${meta.runId}.trace.json`]);
});
