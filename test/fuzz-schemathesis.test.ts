// schemathesis against the live dashboard, from its own OpenAPI document: no 5xx, every answer valid against
// its schema, with a documented status and content type, and auth never ignored. The dashboard runs in this
// process over a temp data folder from real harness runs, with a bearer token, so mutating endpoints are
// fuzzed safely.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { httpRequest } from './support/dashboard-data';
import { stopOwnServer } from './support/harness-env';
import { startFuzzTarget, type FuzzTarget } from './fuzz/target';
import { reportTail, runSchemathesis, schemathesisVersion } from './fuzz/schemathesis';

interface RequestLine {
  msg: string;
  method?: string;
  path?: string;
  status?: number;
}

describe('fuzz: schemathesis against the dashboard API', () => {
  let t: FuzzTarget;
  let cwd: string;
  const lines: RequestLine[] = [];
  let runsBefore = '';
  let rootBefore: string[] = [];

  before(async () => {
    const installed = schemathesisVersion();
    assert.ok(installed.version, installed.error);
    // The dashboard's own request log (method, path, status), captured to see what the fuzzer reached.
    const log = pino(
      { level: 'debug', base: undefined },
      { write: (s: string) => void lines.push(JSON.parse(s) as RequestLine) },
    );
    t = await startFuzzTarget({ log });
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-fuzz-'));
    runsBefore = fs.readFileSync(path.join(t.data.dataDir, 'runs.jsonl'), 'utf8');
    rootBefore = fs.readdirSync(t.root).sort();
  });

  after(async () => {
    await t?.close();
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
    await stopOwnServer();
  });

  test('schemathesis finds no server error and no answer outside the OpenAPI document', async () => {
    const doc = await httpRequest(t.dash.url, 'GET', '/api/openapi.json', {
      headers: { authorization: `Bearer ${t.token}` },
    });
    assert.equal(doc.status, 200);
    const operations = Object.values(doc.json.paths as Record<string, object>).reduce<number>(
      (n, ops) => n + Object.keys(ops).length,
      0,
    );

    const run = await runSchemathesis({ url: t.dash.url, token: t.token, cwd });
    assert.equal(run.code, 0, `schemathesis exited with ${run.code}:\n${reportTail(run.output)}`);
    const tested = /Tested:\s+(\d+)/.exec(run.output);
    assert.equal(
      Number(tested?.[1]),
      operations,
      `not every operation was tested:\n${reportTail(run.output)}`,
    );

    const requests = lines.filter((l) => l.msg === 'dashboard request');
    const failed = lines.filter((l) => l.msg === 'dashboard request failed');
    assert.deepEqual(failed, [], 'the dashboard logged failed requests');
    assert.deepEqual(
      requests.filter((r) => r.status! >= 500),
      [],
      'a request answered 5xx',
    );
    // The token was accepted: every kind of write went through at least once, not only 401s and 400s.
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
      assert.ok(
        requests.some((r) => r.method === method && r.status! >= 200 && r.status! < 300),
        `no ${method} request succeeded (${requests.length} requests logged)`,
      );
  });

  test('the fuzzed writes stayed inside the temp data folder and never touched the run log', () => {
    assert.equal(fs.readFileSync(path.join(t.data.dataDir, 'runs.jsonl'), 'utf8'), runsBefore);
    assert.deepEqual(fs.readdirSync(t.root).sort(), rootBefore);
    assert.ok(fs.statSync(path.join(t.data.dataDir, 'feedback.jsonl')).size > 0, 'no feedback was written');
  });
});
