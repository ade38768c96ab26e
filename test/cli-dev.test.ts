// `flywheel dev` as a subprocess: Web UI served, a worker polling, Ctrl-C leaves no process behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../src/temporal/dev-server';
import { stopOwnServer, tempDir, temporalAddress } from './support/harness-env';
import { ScriptedOllama } from './support/scripted-ollama';
import { BIN, cleanEnv } from './support/cli';
import { waitFor } from './support/wait';

const pgrep = (pattern: string) =>
  spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

describe('flywheel dev', () => {
  after(() => stopOwnServer());

  test('serves the Web UI, runs a polling worker, and Ctrl-C stops everything it started', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const [port, uiPort] = [await freePort(), await freePort()];
    const ollama = await ScriptedOllama.start();
    const taskQueue = `dev-${path.basename(root)}`;
    const child = spawn(
      process.execPath,
      [BIN, 'dev', '--port', String(port), '--ui-port', String(uiPort), '--no-ollama'],
      {
        cwd: root,
        env: cleanEnv({
          FLYWHEEL_DATA_DIR: dataDir,
          OLLAMA_HOST: ollama.url,
          FLYWHEEL_TASK_QUEUE: taskQueue,
        }),
      },
    );
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stdout += b.toString()));
    const exited = once(child, 'exit');
    const connection = await waitFor('the dev server', async () => {
      if (!stdout.includes('Worker polling')) return undefined;
      return Connection.connect({ address: `127.0.0.1:${port}` }).catch(() => undefined); // not up yet
    });
    try {
      assert.match(stdout, new RegExp(`Temporal Web UI: http://127\\.0\\.0\\.1:${uiPort}`));
      const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
      assert.equal(ui.status, 200);
      assert.match(ui.headers.get('content-type') ?? '', /text\/html/);
      await ui.body?.cancel();

      const client = new Client({ connection });
      const pollers = await waitFor('a worker poller', async () => {
        const r = await client.workflowService
          .describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: taskQueue },
            taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
          })
          .catch(() => undefined);
        return r?.pollers?.length ? r.pollers : undefined;
      });
      assert.ok(pollers.length >= 1);
      assert.ok(fs.existsSync(path.join(dataDir, 'temporal.db')), 'state lives in <data>/temporal.db');
      assert.ok(
        pgrep(path.join(dataDir, 'temporal.db')).length > 0,
        'the temporal process runs while dev runs',
      );
    } finally {
      await connection.close();
      child.kill('SIGINT');
      const [code] = await exited;
      await ollama.close();
      assert.equal(code, 0, stdout);
    }
    await waitFor(
      'no temporal process left',
      () => pgrep(path.join(dataDir, 'temporal.db')).length === 0,
      10_000,
    );
    assert.match(stdout, /Stopped\./);
  });

  test('on a busy gRPC port it says a Temporal server already answers there and exits 5', async () => {
    const address = await temporalAddress();
    const port = address.split(':')[1];
    const r = spawnSync(
      process.execPath,
      [BIN, 'dev', '--port', port, '--ui-port', String(await freePort()), '--no-ollama'],
      {
        cwd: tempDir(),
        env: cleanEnv({ FLYWHEEL_DATA_DIR: path.join(tempDir(), 'data') }),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(r.status, 5);
    assert.match(r.stderr, new RegExp(`Port ${port} is busy: a Temporal server already answers`));
  });
});
