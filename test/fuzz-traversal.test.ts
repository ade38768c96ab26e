// Path traversal against the live dashboard: every classic payload, sent raw to every endpoint that takes a
// path input, must be refused with a 4xx; canary files planted outside the data folder must never be served,
// and a canary path must never be created. Records and governance files pointing outside (paths, symlinks)
// too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendJsonl } from '../src/audit/jsonl';
import { DEFAULT_WEB_ROOT } from '../src/dashboard/static';
import { httpRequest, type HttpReply } from './support/dashboard-data';
import { stopOwnServer } from './support/harness-env';
import { startFuzzTarget, type FuzzTarget } from './fuzz/target';
import { rawPath, SYSTEM_FILE_MARKERS, traversalPayloads } from './fuzz/traversal-payloads';

interface Endpoint {
  method: string;
  path: (payload: string) => string;
  body?: unknown;
  /** The web page server: answers page routes with the app shell. */
  web?: boolean;
}

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: (p) => `/api/runs/${p}` },
  { method: 'GET', path: (p) => `/api/runs/${p}/trace` },
  { method: 'POST', path: (p) => `/api/runs/${p}/feedback`, body: { rating: 5, comment: 'fuzz' } },
  { method: 'GET', path: (p) => `/api/sessions/${p}` },
  { method: 'GET', path: (p) => `/api/memories/${p}` },
  { method: 'PATCH', path: (p) => `/api/memories/${p}`, body: { quality: 5 } },
  { method: 'DELETE', path: (p) => `/api/memories/${p}` },
  { method: 'POST', path: (p) => `/api/memories/${p}/feedback`, body: { rating: 5 } },
  { method: 'GET', path: (p) => `/api/system/files/${p}` },
  { method: 'GET', path: (p) => `/${p}`, web: true },
  { method: 'GET', path: (p) => `/assets/${p}`, web: true },
];
const PUT_FILE: Endpoint = { method: 'PUT', path: (p) => `/api/system/files/${p}` };

const decodeOnce = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: width }, lane));
}

function walk(dir: string, out: string[] = []): string[] {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    out.push(p);
    if (d.isDirectory()) walk(p, out);
  }
  return out;
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    walk(dir).map((p) => {
      const st = fs.lstatSync(p);
      const what = st.isFile() ? createHash('sha256').update(fs.readFileSync(p)).digest('hex') : 'dir';
      return [path.relative(dir, p), what];
    }),
  );
}

describe('fuzz: path traversal against the dashboard API', () => {
  let t: FuzzTarget;
  const id = randomBytes(6).toString('hex');
  const marker = `canary-${randomBytes(12).toString('hex')}`;
  const canaryName = `fw-canary-${id}.txt`;
  const traceCanaryName = `fw-canary-${id}.trace.json`;
  const writeName = `fw-written-${id}.md`;
  const writeMarker = `written-${randomBytes(12).toString('hex')}`;
  let canaries: string[] = [];
  let shell = '';
  let govBefore: Record<string, string> = {};
  let rootBefore: string[] = [];

  const send = (method: string, p: string, body?: unknown): Promise<HttpReply> =>
    httpRequest(t.dash.url, method, rawPath(p), {
      body,
      headers: { authorization: `Bearer ${t.token}` },
    });

  /** Why a reply shows a leak, or null. */
  const leak = (r: HttpReply): string | null => {
    if (r.text.includes(marker)) return 'served the canary file';
    if (r.text.includes(writeMarker)) return 'echoed the write canary';
    const sys = SYSTEM_FILE_MARKERS.find((m) => m.test(r.text));
    return sys ? `served a system file (${sys})` : null;
  };

  before(async () => {
    t = await startFuzzTarget();
    // The same canary one level above the data folder and in the temp folder (two and three steps up from
    // data/governance), and a canary trace file a record could point to.
    canaries = [path.join(t.root, canaryName), path.join(os.tmpdir(), canaryName)];
    for (const c of canaries) fs.writeFileSync(c, `${marker}\n`);
    fs.writeFileSync(path.join(t.root, traceCanaryName), JSON.stringify({ traceEvents: [], marker }));
    shell = (await httpRequest(t.dash.url, 'GET', '/')).text;
    govBefore = snapshot(path.join(t.data.dataDir, 'governance'));
    rootBefore = fs.readdirSync(t.root).sort();
  });

  after(async () => {
    for (const c of canaries) fs.rmSync(c, { force: true });
    await t?.close();
    await stopOwnServer();
  });

  test('every traversal payload on every path-taking endpoint is refused with a 4xx and serves no file outside', async () => {
    const payloads = traversalPayloads(canaryName, canaries[0]);
    assert.ok(payloads.length > 300, `only ${payloads.length} payloads`);
    const cases = ENDPOINTS.flatMap((e) => payloads.map((p) => ({ e, p })));
    const failures: string[] = [];
    await pool(cases, 4, async ({ e, p }) => {
      const shown = `${e.method} ${e.path(p)}`;
      let r: HttpReply;
      try {
        r = await send(e.method, e.path(p), e.body);
      } catch (err) {
        failures.push(`${shown}: no answer (${(err as Error).message})`);
        return;
      }
      const leaked = leak(r);
      if (leaked) failures.push(`${shown}: ${leaked}`);
      else if (r.status >= 500) failures.push(`${shown}: ${r.status} ${r.text.slice(0, 120)}`);
      else if (!e.web && (r.status < 400 || r.status >= 500))
        failures.push(`${shown}: answered ${r.status}, expected a 4xx`);
      else if (e.web && r.status < 400) {
        // A page route may get the app shell (it carries no data); a traversal the server decodes may not.
        const decoded = decodeOnce(p);
        const traversal = decoded === null || /(^|[/\\])\.\.([/\\]|$)|\0/.test(decoded);
        if (r.status !== 200 || r.text !== shell || traversal)
          failures.push(`${shown}: answered ${r.status} (${r.text.length} bytes), expected a 4xx`);
      }
    });
    assert.deepEqual(failures.slice(0, 25), [], `${failures.length} of ${cases.length} requests failed`);
  });

  test('no traversal payload on PUT /api/system/files creates or changes a file anywhere', async () => {
    const payloads = traversalPayloads(writeName, path.join(t.root, writeName));
    const failures: string[] = [];
    await pool(payloads, 4, async (p) => {
      const r = await send(PUT_FILE.method, PUT_FILE.path(p), { content: `${writeMarker}\n` });
      if (r.status < 400 || r.status >= 500) failures.push(`PUT ${p}: answered ${r.status}`);
    });
    assert.deepEqual(
      failures.slice(0, 25),
      [],
      `${failures.length} of ${payloads.length} writes not refused`,
    );

    const places = [
      t.root,
      os.tmpdir(),
      process.cwd(),
      DEFAULT_WEB_ROOT,
      path.dirname(DEFAULT_WEB_ROOT),
      '/',
    ];
    const created = [
      ...walk(t.root).filter((p) => path.basename(p).startsWith(writeName)),
      ...places.flatMap((d) =>
        fs
          .readdirSync(d)
          .filter((n) => n.startsWith(writeName))
          .map((n) => path.join(d, n)),
      ),
    ];
    assert.deepEqual(created, [], 'a refused write created a file');
    assert.deepEqual(
      snapshot(path.join(t.data.dataDir, 'governance')),
      govBefore,
      'governance files changed',
    );
    assert.deepEqual(fs.readdirSync(t.root).sort(), rootBefore, 'files appeared beside the data folder');
    for (const c of canaries) assert.equal(fs.readFileSync(c, 'utf8'), `${marker}\n`);
  });

  test('refused file names are recorded as path_sandbox security events', async () => {
    const r = await send('GET', '/api/security/events?event_type=path_sandbox&layer=file_api&limit=1');
    assert.equal(r.status, 200);
    assert.ok(r.json.total > 100, `only ${r.json.total} path_sandbox events`);
    assert.equal(leak(r), null);
  });

  test('records whose output, draft or trace paths point outside the data folder serve none of it', async () => {
    const dataDir = t.data.dataDir;
    const runs = path.join(dataDir, 'runs.jsonl');
    const base = JSON.parse(fs.readFileSync(runs, 'utf8').split('\n')[0]);
    fs.symlinkSync(canaries[0], path.join(dataDir, 'outputs', `link-${id}.md`));
    fs.symlinkSync(path.join(t.root, traceCanaryName), path.join(dataDir, 'traces', `link-${id}.trace.json`));
    const via = (name: string, link: string) => [
      `../${name}`,
      path.join(t.root, name),
      `outputs/../../${name}`,
      `%2e%2e%2f${name}`,
      `..%2f${name}`,
      `outputs\\..\\..\\${name}`,
      `....//${name}`,
      `outputs/${name}\0.md`,
      `file://${path.join(t.root, name)}`,
      link,
    ];
    const texts = via(canaryName, `outputs/link-${id}.md`);
    const traces = via(traceCanaryName, `traces/link-${id}.trace.json`);
    const ids = texts.map((_, i) => `20000101T0000${String(i).padStart(2, '0')}_${id.slice(0, 6)}aa`);
    for (const [i, runId] of ids.entries())
      await appendJsonl(
        runs,
        {
          ...base,
          run_id: runId,
          workflow_id: `run-${runId}`,
          output_path: texts[i],
          draft_path: texts[i],
          trace_path: traces[i],
        },
        { key: 'run_id' },
      );

    for (const [i, runId] of ids.entries()) {
      const d = await send('GET', `/api/runs/${runId}`);
      assert.equal(d.status, 200, `${texts[i]}: ${d.text.slice(0, 200)}`);
      assert.equal(d.json.output, null, texts[i]);
      assert.equal(d.json.draft, null, texts[i]);
      assert.equal(leak(d), null, texts[i]);
      const tr = await send('GET', `/api/runs/${runId}/trace`);
      assert.equal(tr.status, 404, `${traces[i]}: ${tr.status}`);
      assert.equal(leak(tr), null, traces[i]);
    }
  });

  test('a governance file or wiki folder that is a symlink out of the data folder is neither read nor written through', async () => {
    const gov = path.join(t.data.dataDir, 'governance');
    fs.rmSync(path.join(gov, 'profile.md'), { force: true });
    fs.symlinkSync(canaries[0], path.join(gov, 'profile.md'));
    fs.symlinkSync(canaries[0], path.join(gov, 'knowledge', `leak-${id}.md`));

    const read = await send('GET', '/api/system/files/profile.md');
    assert.ok(read.status >= 400 && read.status < 500, `GET profile.md: ${read.status}`);
    assert.equal(leak(read), null);
    const write = await send('PUT', '/api/system/files/profile.md', { content: writeMarker });
    assert.ok(write.status >= 400 && write.status < 500, `PUT profile.md: ${write.status}`);
    assert.ok(fs.lstatSync(path.join(gov, 'profile.md')).isSymbolicLink());
    for (const c of canaries) assert.equal(fs.readFileSync(c, 'utf8'), `${marker}\n`);
    const wiki = await send('GET', `/api/system/files/knowledge%2fleak-${id}.md`);
    assert.equal(wiki.status, 404);
    assert.equal(leak(wiki), null);

    // The whole wiki folder swapped for a link to a folder outside.
    const outside = path.join(t.root, `wiki-${id}`);
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'leak.md'), `${marker}\n`);
    fs.rmSync(path.join(gov, 'knowledge'), { recursive: true });
    fs.symlinkSync(outside, path.join(gov, 'knowledge'));
    const page = await send('GET', '/api/system/files/knowledge%2fleak.md');
    assert.ok(page.status >= 400 && page.status < 500, `GET knowledge/leak.md: ${page.status}`);
    assert.equal(leak(page), null);

    // The list still answers, showing the linked files as absent.
    const list = await send('GET', '/api/system/files');
    assert.equal(list.status, 200, list.text.slice(0, 200));
    assert.equal(list.json.items.find((f: any) => f.name === 'profile.md').exists, false);
    assert.equal(leak(list), null);
  });
});
