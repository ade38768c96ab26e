import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIMENSIONS,
  emptyWiggumDimensions,
  FeedbackRecord,
  RUN_ID_RE,
  RunRecord,
  SCHEMA_VERSION,
  SecurityEvent,
} from '../src/audit/records';
import { newRunId } from '../src/run-trace/run-id';
import { SEED_RECORD } from './fixtures/seed-record';

// The seed's example record, completed with the fields the seed does not show.
function seedRecord(): Record<string, unknown> {
  return {
    ...SEED_RECORD,
    kind: 'run',
    evaluator_models: ['glm4:latest'],
    error: null,
    failed_stage: null,
    rubric_version: '1',
    evaluator_scores: [
      { model: 'glm4:latest', round: 1, composite: 6.87, dimensions: { relevance: 7.5 } },
      { model: 'glm4:latest', round: 2, composite: 8.31, dimensions: { relevance: 8.0 } },
    ],
    score_spread: [0, 0],
    stages: { plan: { duration_s: 3.2, input_tokens: 900, output_tokens: 210, attempts: 1 } },
    workflow_id: 'run-20260522T143027_a4f2b1c3',
    parent_id: null,
    session_id: null,
    trace_path: 'traces/20260522T143027_a4f2b1c3.trace.json',
    started_at: '2026-05-22T14:30:27.000Z',
    schema_version: SCHEMA_VERSION,
  };
}

void test("the seed's example record, completed, is a valid run record", () => {
  const r = RunRecord.parse(seedRecord());
  assert.equal(r.wiggum_dimensions.specificity[0], 5.5);
  assert.equal(r.final, 'PASS');
});

void test('unknown fields are kept through parsing', () => {
  const r = RunRecord.parse({ ...seedRecord(), imported_from: 'python-harness' });
  assert.equal((r as Record<string, unknown>).imported_from, 'python-harness');
});

void test('an ERROR record with no scored round is valid with every dimension present and empty', () => {
  const r = RunRecord.parse({
    ...seedRecord(),
    final: 'ERROR',
    error: 'model "qwen3:32b" not found',
    failed_stage: 'synthesize',
    wiggum_rounds: 0,
    wiggum_scores: [],
    wiggum_dimensions: emptyWiggumDimensions(),
    evaluator_scores: [],
    score_spread: [],
    output_path: null,
    draft_path: null,
  });
  assert.deepEqual(Object.keys(r.wiggum_dimensions), [...DIMENSIONS]);
});

void test('dimension lists that do not match the scores, or a missing dimension, are rejected', () => {
  const dims = { ...(seedRecord().wiggum_dimensions as Record<string, number[]>), depth: [7.0] };
  assert.equal(RunRecord.safeParse({ ...seedRecord(), wiggum_dimensions: dims }).success, false);
  const { specificity: _, ...missing } = seedRecord().wiggum_dimensions as Record<string, number[]>;
  assert.equal(RunRecord.safeParse({ ...seedRecord(), wiggum_dimensions: missing }).success, false);
});

void test('bad run ids, statuses and kinds are rejected', () => {
  assert.equal(RunRecord.safeParse({ ...seedRecord(), run_id: '2026-05-22_a4f2b1c3' }).success, false);
  assert.equal(RunRecord.safeParse({ ...seedRecord(), final: 'OK' }).success, false);
  assert.equal(RunRecord.safeParse({ ...seedRecord(), kind: 'batch' }).success, false);
});

void test('run ids are the UTC time plus 8 hex digits', () => {
  const now = new Date(Date.UTC(2026, 4, 22, 14, 30, 27));
  assert.equal(newRunId(now, 'a4f2b1c3'), '20260522T143027_a4f2b1c3');
  const a = newRunId(now);
  const b = newRunId(now);
  assert.match(a, RUN_ID_RE);
  assert.notEqual(a, b);
  assert.throws(() => newRunId(now, 'XYZ'), TypeError);
});

void test('security events and feedback records validate their enums and ranges', () => {
  const ev = {
    ts: '2026-05-22T14:30:27.000Z',
    run_id: null,
    event_type: 'injection_scanner',
    layer: 'fetch',
    severity: 'block',
    detail: 'instruction override in https://example.org/page',
  };
  assert.equal(SecurityEvent.safeParse(ev).success, true);
  assert.equal(SecurityEvent.safeParse({ ...ev, severity: 'info' }).success, false);
  const fb = { ts: '2026-05-22T14:30:27Z', target: 'run', id: '20260522T143027_a4f2b1c3', rating: 7 };
  assert.equal(FeedbackRecord.parse(fb).comment, '');
  assert.equal(FeedbackRecord.safeParse({ ...fb, rating: 11 }).success, false);
  assert.equal(FeedbackRecord.safeParse({ ...fb, rating: 0 }).success, false);
});
