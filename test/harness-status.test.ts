// Exit statuses other than PASS/FAIL: ERROR, CANCELLED, and TERMINATED found by the sweeper.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sweeperActivities, type SweepResult } from '../src/activities/sweeper';
import { DIMENSIONS } from '../src/harness/rubric';
import { ensureSweeperSchedule, sweeperScheduleId } from '../src/harness/sweeper-schedule';
import { FlywheelStatus } from '../src/temporal/search-attributes';
import { AUDIT_ACTIVITIES } from '../src/worker';
import { MODELS, stopOwnServer } from './support/harness-env';
import { onlyRecord, rawLines, readTrace, waitFor, withHarnessEnv } from './support/harness-checks';
import {
  cancelledDuringSynthesis,
  draft,
  errorMissingProducer,
  MISSING_MODEL,
  scriptPlanner,
  scriptProducer,
  startRun,
  waitForProducerCall,
} from './support/harness-scenarios';

after(() => stopOwnServer());

describe('harness run: ERROR, CANCELLED, TERMINATED', () => {
  test('a producer model that does not exist fails synthesis at once and leaves an ERROR record with the remedy', async () => {
    await withHarnessEnv({}, async (env) => {
      const { handle, failure } = await errorMissingProducer(env);
      assert.ok(failure instanceof WorkflowFailedError, 'the workflow run failed (no task retrying forever)');
      const cause = failure.cause as ApplicationFailure;
      assert.equal(cause.type, 'RunError');
      assert.match(cause.message, /^synthesize: Model "missing:model" is not available/);
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'ERROR');
      assert.equal(r.failed_stage, 'synthesize');
      assert.match(
        r.error,
        /^synthesize: Model "missing:model" is not available at .*ollama pull missing:model/,
      );
      assert.equal(r.producer_model, MISSING_MODEL);
      assert.equal(r.output_path, null);
      assert.deepEqual(r.wiggum_scores, []);
      for (const d of DIMENSIONS) assert.deepEqual(r.wiggum_dimensions[d], [null]);
      // Non-retryable: exactly one attempt at the model.
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MISSING_MODEL }), 1);
      assert.equal(r.stages.synthesize.attempts, 1);
      assert.equal(r.tool_calls.length, 2, 'what happened before the failure is kept');
      const described = await handle.describe();
      assert.equal(described.status.name, 'FAILED');
      assert.equal(described.typedSearchAttributes.get(FlywheelStatus), 'ERROR');
      const trace = readTrace(env.dataDir, r);
      const run = trace.traceEvents.find((e: any) => e.ph === 'B' && e.cat === 'run');
      assert.equal(run.args.status, 'ERROR');
    });
  });

  test('a run cancelled during synthesis leaves a CANCELLED record and a cancelled workflow', async () => {
    await withHarnessEnv({}, async (env) => {
      const { handle, failure } = await cancelledDuringSynthesis(env);
      assert.ok(failure instanceof WorkflowFailedError);
      assert.ok(failure.cause instanceof CancelledFailure);
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'CANCELLED');
      assert.equal(r.error, 'cancelled');
      assert.equal(r.output_path, null);
      assert.ok(r.stages.synthesize, 'the stage it was in is recorded');
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      assert.equal((await handle.describe()).typedSearchAttributes.get(FlywheelStatus), 'CANCELLED');
    });
  });

  test('cancelling a run aborts its in-flight model call', async () => {
    await withHarnessEnv({}, async (env) => {
      await cancelledDuringSynthesis(env);
      // Heartbeats deliver the cancellation to the activity within the heartbeat throttle (≤ 16 s).
      await waitFor('the producer call to be aborted', () => env.ollama.pending() === 0, 40_000);
    });
  });

  test('a terminated run has no record until the sweeper writes one from its history, status TERMINATED', async () => {
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)], { latencyMs: 120_000 });
      const handle = await startRun(env);
      await waitForProducerCall(env.ollama);
      await handle.terminate('operator says stop');
      assert.equal(rawLines(env.dataDir).length, 0, 'terminate skips the workflow’s own finalize');

      const deps = { settings: env.settings, client: env.client };
      const sweep = (): Promise<SweepResult> =>
        new MockActivityEnvironment().run(sweeperActivities(deps).sweepRuns, {
          runQueue: env.taskQueue,
          lookbackHours: 1,
        });
      // Visibility is eventually consistent: sweep until the terminated run is listed.
      const swept = await waitFor('the sweeper to find the terminated run', async () => {
        const res = await sweep();
        return res.written.length ? res : null;
      });
      const r = await onlyRecord(env.dataDir);
      assert.deepEqual(swept.written, [r.run_id]);
      assert.equal(r.final, 'TERMINATED');
      assert.equal(r.error, 'synthesize: terminated: operator says stop');
      assert.equal(r.failed_stage, 'synthesize');
      assert.equal(r.workflow_id, handle.workflowId);
      assert.equal(r.task, 'survey tool use in LLM agents');
      assert.equal(r.producer_model, MODELS.producer);
      assert.equal(r.tool_calls.length, 2, 'tool calls come back from the research result in the history');
      assert.ok(r.stages.plan && r.stages.research && r.stages.synthesize);
      assert.ok(r.run_duration_s >= 0);
      // The planner's tokens were spooled by the worker and are in the record.
      assert.ok(r.input_tokens > 0);
      // The rebuilt record carries each evaluator's qualification as of the run, like finalizeRun's.
      assert.equal(r.evaluator_qualifications[MODELS.evaluator].status, 'unknown');

      // A second sweep finds nothing new.
      const again = await sweep();
      assert.deepEqual(again.written, []);
      assert.equal(rawLines(env.dataDir).length, 1);
    });
  });

  test('the sweeper workflow writes the record of a terminated run through the audit queue', async () => {
    assert.ok(
      (AUDIT_ACTIVITIES as readonly string[]).includes('sweepRuns'),
      'sweepRuns is served by the audit writer',
    );
    await withHarnessEnv({}, async (env) => {
      scriptPlanner(env.ollama);
      scriptProducer(env.ollama, [draft(1)], { latencyMs: 120_000 });
      const handle = await startRun(env);
      await waitForProducerCall(env.ollama);
      await handle.terminate('operator says stop');
      await waitFor('the sweeper workflow to record the run', async () => {
        await env.client.workflow.execute('sweeper', {
          taskQueue: env.taskQueue,
          workflowId: `sweeper-test-${handle.workflowId}-${Date.now()}`,
          args: [{ lookbackHours: 1 }],
        });
        return rawLines(env.dataDir).length > 0;
      });
      const r = await onlyRecord(env.dataDir);
      assert.equal(r.final, 'TERMINATED');
    });
  });

  test('ensureSweeperSchedule creates one 5-minute schedule per task queue and leaves it alone after', async () => {
    await withHarnessEnv({ startWorker: false }, async (env) => {
      const first = await ensureSweeperSchedule(env.client, env.taskQueue);
      try {
        assert.deepEqual(first, { scheduleId: sweeperScheduleId(env.taskQueue), created: true });
        const second = await ensureSweeperSchedule(env.client, env.taskQueue);
        assert.equal(second.created, false);
        const d = await env.client.schedule.getHandle(first.scheduleId).describe();
        assert.equal(d.action.type, 'startWorkflow');
        assert.equal(d.action.type === 'startWorkflow' && d.action.workflowType, 'sweeper');
        assert.equal(d.action.type === 'startWorkflow' && d.action.taskQueue, env.taskQueue);
        assert.equal(d.spec.intervals?.[0]?.every, 300_000);
      } finally {
        await env.client.schedule.getHandle(first.scheduleId).delete();
      }
    });
  });
});
