// Crashes and retries: a SIGKILLed worker, a finalize retried after its append, a torn last line.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { finalizeActivities } from '../src/run-trace/finalize';
import type { FinalizeInput } from '../src/activities/types';
import { checkTrace } from '../src/audit/trace';
import { MODELS, stopOwnServer } from './support/harness-env';
import { onlyRecord, rawLines, readData, readRecords, withHarnessEnv } from './support/harness-checks';
import {
  dims,
  draft,
  evalReply,
  passAfterTwoRounds,
  scriptEvaluator,
  scriptPlanner,
  startRun,
  waitForProducerCall,
} from './support/harness-scenarios';
import { killHard, spawnWorker } from './support/spawn-worker';

after(() => stopOwnServer());

describe('harness run: crashes and retries', () => {
  test('a worker SIGKILLed in the middle of synthesis is replaced, the run completes, and exactly one record exists', async () => {
    const children: ChildProcess[] = [];
    try {
      await withHarnessEnv({ startWorker: false }, async (env) => {
        scriptPlanner(env.ollama);
        // The first synthesis call hangs (the kill lands during it); the retry on the new worker is quick.
        env.ollama.rule({ model: MODELS.producer, respond: 'never sent', latencyMs: 300_000, times: 1 });
        env.ollama.rule({ model: MODELS.producer, respond: draft(1) });
        scriptEvaluator(env.ollama, [evalReply(dims(9), 'none')]);

        children.push(await spawnWorker(env.settings));
        const handle = await startRun(env);
        await waitForProducerCall(env.ollama);
        await killHard(children[0]);
        assert.equal(rawLines(env.dataDir).length, 0);

        children.push(await spawnWorker(env.settings));
        // The dead worker stops heartbeating: after the 20 s heartbeat timeout the attempt is retried.
        const result = await handle.result();
        assert.equal(result.final, 'PASS');
        const r = await onlyRecord(env.dataDir);
        assert.equal(r.final, 'PASS');
        assert.equal(readData(env.dataDir, r.output_path), draft(1));
        assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.producer }), 2);
        const history = await handle.fetchHistory();
        const started = (history.events ?? []).filter(
          (e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt === 2,
        );
        assert.equal(started.length, 1, 'one activity (synthesize) needed a second attempt');
        // The killed attempt left no span; the successful one is attempt 2.
        const trace = JSON.parse(readData(env.dataDir, r.trace_path));
        assert.ok(trace.traceEvents.some((e: any) => e.ph === 'B' && e.name === 'synthesize #2'));
      });
    } finally {
      for (const c of children) await killHard(c);
    }
  });

  test('a finalize activity retried after its append writes no second record', async () => {
    await withHarnessEnv({}, async (env) => {
      await passAfterTwoRounds(env);
      const first = await onlyRecord(env.dataDir);
      // The finalize input exactly as Temporal holds it for a retry: from the run's history.
      const history = await env.client.workflow.getHandle(first.workflow_id).fetchHistory();
      const scheduled = (history.events ?? []).find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'finalizeRun',
      )!.activityTaskScheduledEventAttributes!;
      const input = defaultPayloadConverter.fromPayload<FinalizeInput>(scheduled.input!.payloads![0]);
      const { finalizeRun } = finalizeActivities({ settings: env.settings });
      const retry = (attempt: number) =>
        new MockActivityEnvironment({ attempt, activityType: 'finalizeRun' }).run(finalizeRun, input);

      assert.deepEqual(await retry(2), { recordWritten: false });
      // Two retries racing each other: the exclusive lock still lets one record through at most.
      const both = await Promise.all([retry(3), retry(4)]);
      assert.deepEqual(both, [{ recordWritten: false }, { recordWritten: false }]);
      assert.equal(rawLines(env.dataDir).length, 1);
      assert.deepEqual(await onlyRecord(env.dataDir), first);
      assert.deepEqual(checkTrace(JSON.parse(readData(env.dataDir, first.trace_path))), []);
    });
  });

  test('two finalize attempts racing on a fresh log append exactly one record', async () => {
    await withHarnessEnv({}, async (env) => {
      await passAfterTwoRounds(env);
      const first = await onlyRecord(env.dataDir);
      const history = await env.client.workflow.getHandle(first.workflow_id).fetchHistory();
      const scheduled = (history.events ?? []).find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'finalizeRun',
      )!.activityTaskScheduledEventAttributes!;
      const input = defaultPayloadConverter.fromPayload<FinalizeInput>(scheduled.input!.payloads![0]);
      // As if the first attempt never got to write: the log is gone, two attempts start at once.
      fs.rmSync(path.join(env.dataDir, 'runs.jsonl'));
      const { finalizeRun } = finalizeActivities({ settings: env.settings });
      const results = await Promise.all(
        [2, 3].map((attempt) =>
          new MockActivityEnvironment({ attempt, activityType: 'finalizeRun' }).run(finalizeRun, input),
        ),
      );
      assert.deepEqual(results.map((x) => (x as { recordWritten: boolean }).recordWritten).sort(), [
        false,
        true,
      ]);
      assert.deepEqual(await onlyRecord(env.dataDir), first);
    });
  });

  test('a torn last line left by a crash is closed off and the new record is intact and readable', async () => {
    await withHarnessEnv({}, async (env) => {
      const torn = '{"run_id":"20260101T000000_deadbeef","task":"half a rec';
      fs.mkdirSync(env.dataDir, { recursive: true });
      fs.writeFileSync(path.join(env.dataDir, 'runs.jsonl'), torn);
      scriptPlanner(env.ollama);
      scriptEvaluator(env.ollama, [evalReply(dims(9), 'none')]);
      const result = await (await startRun(env)).result();
      const raw = fs.readFileSync(path.join(env.dataDir, 'runs.jsonl'), 'utf8');
      assert.ok(raw.startsWith(`${torn}\n`), 'the torn bytes are kept as they were, then closed off');
      const lines = raw.split('\n').filter(Boolean);
      assert.equal(lines.length, 2);
      assert.equal(JSON.parse(lines[1]).run_id, result.runId);
      const recs = await readRecords(env.dataDir);
      assert.deepEqual(
        recs.map((x) => [x.run_id, x.final]),
        [[result.runId, 'PASS']],
      );
    });
  });
});
