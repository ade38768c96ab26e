// Replays recorded histories of every workflow type (harnessRun's scenarios and the others') with the current workflow code and the RunTrace interceptors (the
// worker's own bundle): a change that would break running workflows fails here. Histories of every shape still
// running in the field stay here (`<scenario>.json`, and `<scenario>.<tag>.json` recorded after later compatible
// changes, e.g. `one-writer`: data-folder activities on the audit queue). See test/support/record-histories.ts.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { logger } from '../src/log';
import { installTemporalRuntime } from '../src/temporal/runtime';
import { workflowBundle } from '../src/worker';
import { IDS_FILE } from './support/record-histories';

const DIR = path.join(__dirname, 'fixtures', 'histories');
// Recorded before the audit queue took the data-folder activities, and again after (`.one-writer`).
const SCENARIOS = [
  'cancelled-during-synthesis',
  'error-missing-producer',
  'fail-max-rounds',
  'pass-two-rounds',
];
// Recorded once: a stage's security events ride on its result and the audit worker appends them at once.
const LATER_SCENARIOS = ['pass-with-security-events'];
// Every other workflow type the worker registers, each with at least one history (test/support/replay-scenarios.ts).
const OTHER_TYPES: Record<string, string> = {
  litReview: 'lit-review-pass',
  litReviewBatch: 'lit-review-pass--batch',
  rolloutBatch: 'rollout-one-task',
  rolloutTask: 'rollout-one-task--task',
  rolloutCandidate: 'rollout-one-task--candidate',
  sweeper: 'sweeper-after-terminate',
  judgeQualify: 'judge-qualify-four',
  evalBattery: 'eval-two-tasks',
  // Recorded by test/train.test.ts (FLYWHEEL_RECORD_HISTORIES=1): they need the training environment.
  promoteLoop: 'promote-loop',
  trainWorkflow: 'promote-loop--train',
};

function load(name: string): temporal.api.history.v1.History {
  const json = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
  return temporal.api.history.v1.History.fromObject(json);
}

describe('harness run: replay', () => {
  // The replay worker's own chatter (and the expected nondeterminism warning) is not test output.
  before(() => installTemporalRuntime(logger({ level: 'silent', pretty: false })));

  test('each workflow type has a recorded history of its own type', () => {
    for (const [type, name] of Object.entries(OTHER_TYPES)) {
      const started = load(name).events[0].workflowExecutionStartedEventAttributes;
      assert.equal(started?.workflowType?.name, type, name);
    }
  });

  test('every recorded history (every workflow type) replays with the current workflow code', async () => {
    const names = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith('.json') && f !== path.basename(IDS_FILE))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    for (const s of SCENARIOS) assert.ok(names.includes(s) && names.includes(`${s}.one-writer`), s);
    for (const s of [...LATER_SCENARIOS, ...Object.values(OTHER_TYPES)]) assert.ok(names.includes(s), s);
    const results: ReplayResult[] = [];
    const ids = JSON.parse(fs.readFileSync(IDS_FILE, 'utf8')) as Record<string, string>;
    const histories = names.map((n) => ({ workflowId: ids[n] ?? n, history: load(n) }));
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories))
      results.push(r);
    assert.equal(results.length, names.length);
    for (const r of results) assert.equal(r.error, undefined, `${r.workflowId}: ${r.error?.message}`);
  });

  test('a history whose commands no longer match the code is reported as nondeterministic', async () => {
    const history = load('pass-two-rounds');
    // As if the recorded run had scheduled a different activity where the code schedules synthesize.
    const synth = history.events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'synthesize',
    );
    synth!.activityTaskScheduledEventAttributes!.activityType!.name = 'summarize';
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, 'tampered'),
      DeterminismViolationError,
    );
  });
});
