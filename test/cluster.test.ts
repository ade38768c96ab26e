// Cluster mode: Temporal v1.29.1 on PostgreSQL, started by `flywheel cluster up` (no Docker). Installs what it needs
// (scripts/ensure-cluster.ts), then runs the harness, lit-review, rollout and schedule suites against it unchanged,
// and the chaos run with three stage workers, one audit worker and a SIGKILLed, restarted Temporal server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ensureClusterPrerequisites } from '../scripts/ensure-cluster';
import { portInUse } from '../src/cli/embedded';
import { freePort } from '../src/temporal/dev-server';
import {
  allPorts,
  clusterDown,
  defaultPorts,
  killServer,
  readState,
  type ClusterState,
} from '../src/cluster/cluster';
import { SEARCH_ATTRIBUTES } from '../src/temporal/search-attributes';
import { flywheel } from './support/cli';
import { tempDir } from './support/harness-env';

const ROOT = path.resolve(__dirname, '..');

/** A node subprocess to its end, its output collected (the nested runs print a lot). */
function node(args: string[], env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      // Without NODE_TEST_CONTEXT: a nested `node --test` would otherwise refuse to run its files.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
        ...env,
      },
      timeout: timeoutMs,
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** A frontend port whose derived ports (history, matching, worker, membership) are free too. */
async function freeFrontendPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const busy = await Promise.all(allPorts(defaultPorts(port)).map((p) => portInUse('127.0.0.1', p)));
    if (!busy.some(Boolean)) return port;
  }
}

describe('cluster mode: Temporal on PostgreSQL without Docker', () => {
  let root: string;
  let dir: string;
  let state: ClusterState;
  let env: Record<string, string>;

  before(async () => {
    await ensureClusterPrerequisites((l) => process.stderr.write(`${l}\n`));
    root = tempDir('fw-cluster-');
    fs.chmodSync(root, 0o755); // run as root, PostgreSQL runs as `postgres` and must reach <dir>/pg
    dir = path.join(root, 'cluster');
    env = { FLYWHEEL_DATA_DIR: path.join(root, 'data') };
  });
  after(async () => {
    await clusterDown(path.join(root, 'own-pg'), { purge: true }); // the last test's server, if it failed midway
    await clusterDown(dir, { purge: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('cluster up starts PostgreSQL, the schemas, the server, the namespace, the search attributes and the Web UI; status shows them', async () => {
    const port = await freeFrontendPort();
    const taken = new Set(allPorts(defaultPorts(port)));
    const [pgPort, uiPort] = [await freePort('127.0.0.1', taken), await freePort('127.0.0.1', taken)];
    const up = await flywheel(
      [
        'cluster',
        'up',
        '--dir',
        dir,
        '--port',
        `${port}`,
        '--pg-port',
        `${pgPort}`,
        '--ui-port',
        `${uiPort}`,
      ],
      env,
    );
    assert.equal(up.code, 0, up.stderr + up.stdout);
    for (const step of [
      'Creating a PostgreSQL cluster',
      'Setting up the schemas',
      'Starting the Temporal server',
    ])
      assert.match(up.stderr, new RegExp(step));
    assert.match(up.stdout, new RegExp(`Temporal 1\\.29\\.1 at 127\\.0\\.0\\.1:${port}, namespace default`));
    assert.match(up.stdout, /FLYWHEEL_WORKER_ROLE=audit flywheel worker/);
    assert.match(up.stdout, new RegExp(`Web UI: http://127\\.0\\.0\\.1:${uiPort}`));
    state = readState(dir)!;
    assert.equal(state.address, `127.0.0.1:${port}`);
    assert.deepEqual(state.pg, { managed: true, host: '127.0.0.1', port: pgPort, user: 'temporal' });

    const status = await flywheel(['cluster', 'status', '--dir', dir, '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout);
    assert.equal(s.ok, true);
    assert.equal(s.server.version, '1.29.1');
    assert.deepEqual(s.searchAttributes, SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    assert.deepEqual(s.ui, { url: `http://127.0.0.1:${uiPort}`, answers: true });
    const page = await fetch(`http://127.0.0.1:${uiPort}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);

    // The database password stays in files only its owner reads, never in output or the state file.
    const password = fs.readFileSync(path.join(dir, 'secrets', 'pg-password'), 'utf8').trim();
    assert.ok(password.length >= 20);
    for (const text of [
      up.stdout,
      up.stderr,
      status.stdout,
      fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'),
    ])
      assert.ok(!text.includes(password));
    assert.equal(fs.statSync(path.join(dir, 'config', 'flywheel.yaml')).mode & 0o077, 0);

    // A second `up` keeps what runs.
    const again = await flywheel(['cluster', 'up', '--dir', dir], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already running/);
    assert.equal(readState(dir)!.serverPid, state.serverPid);
  });

  test('the harness, lit-review, rollout and schedule suites pass unchanged against the cluster, and SQL visibility finds their runs', async () => {
    const files = ['harness-run', 'lit-review', 'flywheel-rollout', 'flywheel-schedule'].map((f) =>
      path.join('test', `${f}.test.ts`),
    );
    const res = await node(
      ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
      { FLYWHEEL_TEST_TEMPORAL_ADDRESS: state.address },
      8 * 60_000,
    );
    assert.equal(res.code, 0, res.out.slice(-6000));
    assert.match(res.out, /ℹ fail 0/);
    assert.ok(Number(/ℹ pass (\d+)/.exec(res.out)?.[1]) >= 13, res.out.slice(-2000));

    // Advanced visibility on PostgreSQL: queries on Flywheel's search attributes.
    const connection = await Connection.connect({ address: state.address });
    try {
      const client = new Client({ connection });
      const count = async (query: string) => (await client.workflow.count(query)).count;
      const counts = {
        runs: await count('FlywheelKind = "run"'),
        batches: await count('FlywheelKind = "rollout_batch"'),
        passed: await count('FlywheelStatus = "PASS" AND ExecutionStatus = "Completed"'),
      };
      assert.ok(counts.runs >= 7 && counts.batches >= 2 && counts.passed >= 1, JSON.stringify(counts));
      // The Web UI serves them through its API (what its workflow list shows).
      const q = encodeURIComponent('FlywheelKind = "rollout_batch"');
      const res = await fetch(`${state.ui!.url}/api/v1/namespaces/default/workflows?query=${q}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { executions: { type: { name: string } }[] };
      assert.equal(body.executions.length, counts.batches);
      assert.ok(
        body.executions.every((e) => e.type.name === 'rolloutBatch'),
        JSON.stringify(body.executions[0]),
      );
    } finally {
      await connection.close();
    }
  });

  test('a chaos run with three stage workers and one audit worker, SIGKILLs, model faults and a SIGKILLed, restarted Temporal server keeps exactly one record per run', async () => {
    const res = await node(
      [
        path.join('chaos', 'run.ts'),
        '--cluster',
        dir,
        '--workers',
        '3',
        '--audit-worker',
        '--runs',
        '20',
        '--concurrency',
        '10',
        '--kill-every',
        '6',
        '--restart-server-after',
        '10',
      ],
      {},
      10 * 60_000,
    );
    assert.equal(res.code, 0, res.out.slice(-6000));
    assert.match(res.out, /SIGKILL the Temporal server \([1-9]\d* runs open\)/); // mid-run, not after it
    assert.match(res.out, /Temporal server restarted/);
    assert.match(
      res.out,
      /runs submitted 20, records 20, duplicates 0, unreadable lines 0, invalid traces 0/,
    );
    assert.match(res.out, /server restarts 1, /);
    assert.match(res.out, /"TERMINATED":1/);
    assert.match(res.out, /"CANCELLED":1/);
    assert.match(res.out, /all invariants hold/);
    // The server really was replaced.
    assert.notEqual(readState(dir)!.serverPid, state.serverPid);
  });

  test('cluster down stops the UI, the server and PostgreSQL; up again resumes them with the histories kept', async () => {
    const connect = async () => {
      const connection = await Connection.connect({ address: state.address });
      return { connection, client: new Client({ connection }) };
    };
    let c = await connect();
    const before = (await c.client.workflow.count('FlywheelKind = "run"')).count;
    await c.connection.close();

    const down = await flywheel(['cluster', 'down', '--dir', dir], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(
      down.stderr,
      /Stopping the Web UI[\s\S]*Stopping the Temporal server[\s\S]*Stopping PostgreSQL/,
    );
    const status = await flywheel(['cluster', 'status', '--dir', dir], env);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /DOWN PostgreSQL/);
    assert.match(status.stdout, /DOWN Temporal server/);

    const up = await flywheel(['cluster', 'up', '--dir', dir], env);
    assert.equal(up.code, 0, up.stderr);
    c = await connect();
    try {
      assert.equal((await c.client.workflow.count('FlywheelKind = "run"')).count, before);
    } finally {
      await c.connection.close();
    }
  });

  test('clear errors: an unreachable FLYWHEEL_CLUSTER_PG_URL exits 5, a bad URL exits 2, and status of no cluster exits 1', async () => {
    const closed = await freePort();
    const other = path.join(root, 'other');
    const unreachable = await flywheel(['cluster', 'up', '--dir', other, '--no-build'], {
      ...env,
      FLYWHEEL_CLUSTER_PG_URL: `postgres://temporal:s3cret-value@127.0.0.1:${closed}`,
    });
    assert.equal(unreachable.code, 5, unreachable.stderr);
    assert.match(unreachable.stderr, new RegExp(`Cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closed}`));
    assert.ok(!unreachable.stderr.includes('s3cret-value'));

    const bad = await flywheel(['cluster', 'up', '--dir', other], {
      ...env,
      FLYWHEEL_CLUSTER_PG_URL: 'mysql://x',
    });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /FLYWHEEL_CLUSTER_PG_URL=\(hidden\): expected postgres:\/\/user:password@host:port/,
    );

    const none = await flywheel(['cluster', 'status', '--dir', path.join(root, 'none')], env);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No cluster in .*none\. Start one: flywheel cluster up/);
  });

  test("an operator's own PostgreSQL (FLYWHEEL_CLUSTER_PG_URL) serves the same histories to a server from another folder, and down leaves that PostgreSQL running", async () => {
    // The managed PostgreSQL above plays the operator's; its server goes away first (one server per database).
    await killServer(dir);
    const password = fs.readFileSync(path.join(dir, 'secrets', 'pg-password'), 'utf8').trim();
    const pgUrl = `postgres://temporal:${encodeURIComponent(password)}@127.0.0.1:${state.pg.port}`;
    const own = path.join(root, 'own-pg');
    const port = await freeFrontendPort();
    const ownEnv = { ...env, FLYWHEEL_CLUSTER_PG_URL: pgUrl };
    const up = await flywheel(['cluster', 'up', '--dir', own, '--port', `${port}`, '--no-ui'], ownEnv);
    assert.equal(up.code, 0, up.stderr);
    assert.match(
      up.stderr,
      new RegExp(`Using PostgreSQL at 127\\.0\\.0\\.1:${state.pg.port} \\(user temporal\\)`),
    );
    assert.doesNotMatch(up.stderr, /Creating a PostgreSQL cluster/);
    const ownState = readState(own)!;
    assert.deepEqual(ownState.pg, {
      managed: false,
      host: '127.0.0.1',
      port: state.pg.port,
      user: 'temporal',
    });
    for (const text of [up.stdout, up.stderr, fs.readFileSync(path.join(own, 'cluster.json'), 'utf8')])
      assert.ok(!text.includes(password));

    const connection = await Connection.connect({ address: ownState.address });
    try {
      const client = new Client({ connection });
      assert.ok((await client.workflow.count('FlywheelKind = "run"')).count >= 20); // the chaos runs, at least
    } finally {
      await connection.close();
    }
    const down = await flywheel(['cluster', 'down', '--dir', own], ownEnv);
    assert.equal(down.code, 0, down.stderr);
    assert.doesNotMatch(down.stderr, /Stopping PostgreSQL/);
    const status = await flywheel(['cluster', 'status', '--dir', dir], env);
    assert.match(status.stdout, /ok {3}PostgreSQL/);
    fs.rmSync(own, { recursive: true, force: true });
  });
});
