// One error contract for activities: an error that says a retry cannot help fails the activity at once, typed by
// its class (and kind); everything else is left to the retry policy. Checked through the real activity interceptor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { RunTraceActivityInbound } from '../src/run-trace/activity';
import { LlmError } from '../src/llm/client';
import { PaperSourceError } from '../src/papers';
import { SearchError } from '../src/search/types';
import { EncoderUnavailableError } from '../src/security/encoder';
import { PathSandboxError } from '../src/security/sandbox';
import { tempDir } from './support/harness-env';

/** What the activity interceptor lets out when the activity throws `err` (traced: with a run id; untraced: without). */
async function thrownThrough(err: Error, traced: boolean): Promise<unknown> {
  const env = new MockActivityEnvironment();
  const input = { args: [traced ? { runId: 'r-contract', stage: 'research' } : {}], headers: {} };
  try {
    await env.run(() =>
      new RunTraceActivityInbound(Context.current(), tempDir('fw-contract-')).execute(
        input as unknown as ActivityExecuteInput,
        () => Promise.reject(err),
      ),
    );
  } catch (e) {
    return e;
  }
  assert.fail('the activity should have failed');
}

const cannotHelp: [string, Error][] = [
  ['LlmError.model_not_found', new LlmError('model "x" not found', false, 'model_not_found')],
  ['SearchError', new SearchError('SearXNG URL is not set', { retryable: false })],
  ['PaperSourceError', new PaperSourceError('arxiv', 'not an Atom feed', { retryable: false, status: 200 })],
  ['PathSandboxError', new PathSandboxError('path leaves the data folder', '/etc/passwd')],
  ['EncoderUnavailableError', new EncoderUnavailableError('injection encoder: cannot read /x (ENOENT)')],
];

for (const traced of [true, false])
  for (const [type, err] of cannotHelp)
    void test(`a ${type} that no retry can fix fails the ${traced ? 'traced' : 'untraced'} activity at once, typed ${type}`, async () => {
      const failure = await thrownThrough(err, traced);
      assert.ok(failure instanceof ApplicationFailure, String(failure));
      assert.equal(failure.nonRetryable, true);
      assert.equal(failure.type, type);
      assert.equal(failure.message, err.message);
    });

void test('errors a retry can fix (timeouts, 429s, unknown errors) reach the retry policy unchanged', async () => {
  for (const err of [
    new LlmError('timed out after 30 s', true, 'timeout'),
    new PaperSourceError('semanticscholar', 'HTTP 429', { retryable: true, status: 429 }),
    new Error('ECONNRESET'),
  ])
    assert.equal(await thrownThrough(err, true), err);
});

/** Every line of every file under `dir` that mentions `needle`, parsed. */
function linesWith(dir: string, needle: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    for (const l of fs.readFileSync(path.join(f.parentPath, f.name), 'utf8').split('\n'))
      if (l.includes(needle)) out.push(JSON.parse(l) as Record<string, unknown>);
  }
  return out;
}

for (const traced of [true, false])
  void test(`a path the sandbox refuses in ${traced ? 'a traced' : 'an untraced'} activity leaves one path_sandbox security event`, async () => {
    const dataDir = tempDir('fw-refused-');
    const env = new MockActivityEnvironment({ activityType: 'retrievePapers' });
    const input = { args: [traced ? { runId: 'r-refused', stage: 'research' } : {}], headers: {} };
    const err = new PathSandboxError('path leaves the data folder', '../../etc/passwd');
    await assert.rejects(
      env.run(() =>
        new RunTraceActivityInbound(Context.current(), dataDir).execute(
          input as unknown as ActivityExecuteInput,
          () => Promise.reject(err),
        ),
      ),
      (e: unknown) => e instanceof ApplicationFailure && e.type === 'PathSandboxError',
    );
    const found = linesWith(dataDir, 'path_sandbox');
    assert.equal(found.length, 1);
    // Traced: a spool line the audit writer appends at finalize; untraced: straight into security_events.jsonl.
    const ev = (traced ? found[0].event : found[0]) as Record<string, unknown>;
    assert.equal(ev.event_type, 'path_sandbox');
    assert.equal(ev.severity, 'block');
    assert.equal(ev.run_id, traced ? 'r-refused' : null);
    assert.equal(ev.layer, traced ? 'research' : 'retrievePapers'); // the stage, else the activity
    assert.match(String(ev.detail), /^retrievePapers: path leaves the data folder: \.\.\/\.\.\/etc\/passwd/);
    if (!traced) assert.ok(fs.existsSync(path.join(dataDir, 'security_events.jsonl')));
  });
