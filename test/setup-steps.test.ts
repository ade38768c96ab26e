// The test setup and first-run builds: one line per step (what, time, log path); output only in the log; the log's
// tail on the terminal only when a step fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runStep } from './setup';
import { tempDir } from './support/harness-env';

const ROOT = path.resolve(__dirname, '..');

function collector() {
  const lines: string[] = [];
  return { out: { write: (s: string) => lines.push(s), isTTY: false }, text: () => lines.join('') };
}

const shStep = (id: string, script: string) => ({ id, what: `step ${id}`, cmd: ['sh', '-c', script] });

void test('a setup step that succeeds prints one line with its time and log path, and its output only in the log', async () => {
  const c = collector();
  const id = `ok-${process.pid}`;
  assert.equal(await runStep(shStep(id, 'for i in 1 2 3; do echo "compiler warning $i"; done'), c.out), true);
  const lines = c.text().trimEnd().split('\n');
  assert.equal(lines.length, 1, c.text());
  const m = /^✔ step ok-\d+ {2}\d+\.\d s {2}\(log (.+)\)$/.exec(lines[0]);
  assert.ok(m, lines[0]);
  assert.doesNotMatch(c.text(), /compiler warning/);
  assert.equal(fs.readFileSync(m[1], 'utf8'), 'compiler warning 1\ncompiler warning 2\ncompiler warning 3\n');
});

void test('a setup step that fails prints its line, the tail of its log and where the full log is', async () => {
  const c = collector();
  const id = `fail-${process.pid}`;
  const script = 'for i in $(seq 1 50); do echo "line $i"; done; echo "fatal: headers missing" >&2; exit 3';
  assert.equal(await runStep(shStep(id, script), c.out), false);
  const text = c.text();
  assert.match(text.split('\n')[0], /^✖ step fail-\d+ {2}\d+\.\d s {2}\(log .+\)$/);
  assert.match(text, /fatal: headers missing/);
  assert.match(text, /line 50\n/);
  assert.doesNotMatch(text, /line 20\n/, 'only the tail (30 lines), not the whole log');
  assert.match(text, /\(full log: .+\.log\)/);
});

/** runLogged in a child process, so its stderr (where the progress line goes) can be read. */
function runLoggedInChild(script: string) {
  const code =
    `require('./src/util/tool-cache').runLogged('sh', ['-c', ${JSON.stringify(script)}], { label: 'demo build' })` +
    `.then(() => process.exit(0), (e) => { process.stdout.write(e.message); process.exit(1); });`;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FLYWHEEL_CACHE_DIR: tempDir('fw-cache-'), FLYWHEEL_VERBOSE_BUILD: '' },
  });
}

void test('a first-run build shows one progress line on stderr and keeps the build output in its log', () => {
  const r = runLoggedInChild('echo "warning: unused variable" >&2; echo built');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /^✔ demo build {2}\d+\.\d s {2}\(log .+demo-build\.log\)\n$/);
  const log = /\(log (.+)\)/.exec(r.stderr)![1];
  const text = fs.readFileSync(log, 'utf8');
  assert.match(text, /^\$ sh -c /, 'the command heads the log');
  // stdout and stderr are separate pipes: both lines are there, in either order.
  assert.match(text, /^warning: unused variable$/m);
  assert.match(text, /^built$/m);
});

void test('a failed build says which command failed, shows the tail and names the full log', () => {
  const r = runLoggedInChild('echo "error: cannot find -lstdc++" >&2; exit 2');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^✖ demo build/);
  assert.match(
    r.stdout,
    /^sh -c .+ exited with 2:\n(.|\n)*error: cannot find -lstdc\+\+\n\(full log: .+demo-build\.log\)$/,
  );
});
