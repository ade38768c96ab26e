// The Dockerfile without a container engine (none here, and no registry for node:20-slim): its build stage's
// COPY and RUN steps are replayed on this host in a scratch /app, its runtime stage's `COPY --from=build` picks
// the files, and the result runs as an unprivileged user, the way the image would: `--help`, a worker that
// polls, the dashboard serving the built web page. What this cannot check: the base image and apt-get.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopOwnServer, tempDir, temporalAddress } from './support/harness-env';

after(() => stopOwnServer());

const ROOT = path.resolve(__dirname, '..');

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped, grouped by stage (FROM). */
function stages(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, ' ').split('\n');
  const out: Instruction[][] = [];
  for (const line of joined.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const [op, ...rest] = line.split(/\s+/);
    const ins = { op: op.toUpperCase(), args: rest.join(' ') };
    if (ins.op === 'FROM') out.push([]);
    out[out.length - 1].push(ins);
  }
  return out;
}

/** .dockerignore, enough for ours: `dir/sub` prefixes, `*.ext` globs, `!` exceptions. */
function ignored(rel: string, patterns: string[]): boolean {
  let hit = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const p = neg ? raw.slice(1) : raw;
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    if (re.test(rel) || (!p.includes('/') && re.test(path.basename(rel)))) hit = !neg;
  }
  return hit;
}

function copyTree(from: string, to: string, filter: (abs: string) => boolean = () => true): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true, filter: (src) => filter(src) });
}

function run(cmd: string, cwd: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync('sh', ['-c', cmd], { cwd, env, encoding: 'utf8', timeout: 480_000 });
  assert.equal(r.status, 0, `${cmd}\n${r.stdout}\n${r.stderr}`);
}

const words = (s: string) => s.split(/\s+/).filter((w) => w && !w.startsWith('--'));

/** `COPY src… dest` from `fromDir` into `toDir`: a dest ending in `/` is a folder the sources go into. */
function copyStep(args: string, fromDir: string, toDir: string, filter?: (abs: string) => boolean): void {
  const parts = words(args);
  const dest = parts[parts.length - 1];
  for (const src of parts.slice(0, -1)) {
    const from = path.join(fromDir, src.startsWith('/app/') ? path.relative('/app', src) : src);
    const to = dest.endsWith('/') ? path.join(toDir, dest, path.basename(src)) : path.join(toDir, dest);
    copyTree(from, to, filter);
  }
}

describe('the Dockerfile, replayed without an engine', () => {
  const root = tempDir('fw-docker-');
  const build = path.join(root, 'build', 'app');
  const image = path.join(root, 'image', 'app');
  const data = path.join(root, 'data');
  let runtime: Instruction[] = [];
  let entrypoint: string[] = [];
  let imageEnv: Record<string, string> = {};
  // The image runs as `node`; here an unprivileged uid stands in for it when the tests run as root.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const children: ChildProcess[] = [];

  before(() => {
    const all = stages(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    assert.equal(all.length, 2, 'a build stage and a runtime stage');
    const patterns = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    fs.mkdirSync(build, { recursive: true });
    // Compilers for better-sqlite3 come from apt-get in the image; here from the host (Node headers in /usr).
    const env = { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' };
    for (const ins of all[0]) {
      if (ins.op === 'COPY')
        copyStep(ins.args, ROOT, build, (abs) => !ignored(path.relative(ROOT, abs), patterns));
      else if (ins.op === 'RUN' && !ins.args.includes('apt-get')) run(ins.args, build, env);
    }
    runtime = all[1];
    for (const ins of runtime) {
      if (ins.op === 'COPY') {
        assert.match(ins.args, /--from=build/, 'the runtime stage copies only from the build stage');
        copyStep(ins.args, build, image);
      } else if (ins.op === 'ENV') {
        for (const m of ins.args.matchAll(/(\w+)=(\S+)/g)) imageEnv[m[1]] = m[2];
      } else if (ins.op === 'ENTRYPOINT') entrypoint = JSON.parse(ins.args) as string[];
    }
    // Readable by the unprivileged user, as the image's root-owned files are; the data volume is its own.
    for (const d of [root, path.dirname(build), build, path.dirname(image), image]) fs.chmodSync(d, 0o755);
    fs.mkdirSync(path.join(data, 'work'), { recursive: true });
    if (asUser.uid !== undefined)
      for (const d of [data, path.join(data, 'work')]) fs.chownSync(d, asUser.uid, asUser.gid!);
    imageEnv = { ...imageEnv, FLYWHEEL_DATA_DIR: data, HOME: data, PATH: process.env.PATH ?? '' };
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sleep(100);
    fs.rmSync(root, { recursive: true, force: true });
  });

  function start(args: string[], env: Record<string, string> = {}) {
    const [cmd, ...rest] = entrypoint;
    const proc = spawn(cmd === 'node' ? process.execPath : cmd, [...rest, ...args], {
      cwd: image,
      env: { ...imageEnv, ...env },
      ...asUser,
    });
    children.push(proc);
    const out: string[] = [];
    proc.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => out.push(d));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    return { proc, out, exited };
  }

  async function until(what: string, out: string[], re: RegExp, ms = 120_000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = out.join('').match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${out.join('')}`);
      await sleep(100);
    }
  }

  test('the runtime stage runs as a non-root user, keeps only runtime packages and ships the built web page', () => {
    assert.deepEqual(
      runtime.filter((i) => i.op === 'USER').map((i) => i.args),
      ['node'],
    );
    assert.deepEqual(entrypoint, ['node', 'bin/flywheel.js']);
    for (const dev of ['vite', 'eslint', 'typescript-eslint', 'playwright-core'])
      assert.equal(fs.existsSync(path.join(image, 'node_modules', dev)), false, `${dev} is pruned`);
    assert.ok(fs.existsSync(path.join(image, 'node_modules', 'tsx')), 'tsx runs the sources');
    assert.ok(fs.existsSync(path.join(image, 'src', 'dashboard', 'web', 'dist', 'index.html')));
    assert.equal(fs.existsSync(path.join(image, 'test')), false, '.dockerignore keeps tests out');
  });

  test('the image explains itself: flywheel --help exits 0 and lists the commands', async () => {
    const c = start(['--help']);
    assert.equal(await c.exited, 0, c.out.join(''));
    for (const cmd of ['worker', 'dashboard', 'run', 'lit-review'])
      assert.match(c.out.join(''), new RegExp(cmd));
  });

  test('the image runs a worker as the unprivileged user: it bundles the workflows and polls the server', async () => {
    const c = start(['worker'], {
      TEMPORAL_ADDRESS: await temporalAddress(),
      FLYWHEEL_TASK_QUEUE: 'docker-replay',
    });
    await until('the worker to poll', c.out, /worker polling/);
    c.proc.kill('SIGTERM');
    assert.equal(await c.exited, 0, c.out.join(''));
  });

  test('the image serves the dashboard: the web page and the API over the data volume', async () => {
    const c = start(['dashboard', '--port', '0']);
    const [, url] = await until('the dashboard', c.out, /Flywheel dashboard: (http:\/\/\S+)/);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script/);
    const runs = await fetch(`${url}/api/runs`);
    assert.equal(runs.status, 200);
    assert.ok(Array.isArray(((await runs.json()) as { items: unknown[] }).items));
    c.proc.kill('SIGTERM');
    await c.exited;
  });
});
