import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendJsonl, JsonlTail, readJsonl, type SkippedLine } from '../src/audit/jsonl';

function tmpFile(name = 'runs.jsonl'): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-')), name);
}

async function readAll(file: string, opts: Parameters<typeof readJsonl>[1] = {}): Promise<any[]> {
  const out: any[] = [];
  for await (const r of readJsonl(file, opts)) out.push(r);
  return out;
}

function runWorker(
  file: string,
  writer: string,
  keys: string[],
): Promise<{ appended: number; duplicate: number }> {
  const script = path.join(__dirname, 'fixtures/audit/append-worker.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, file, writer, ...keys], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out));
      else reject(new Error(`worker ${writer} exited ${code}: ${errText}`));
    });
  });
}

void test('appended records are read back in order, one line each', async () => {
  const file = tmpFile('nested/dir/runs.jsonl');
  for (let i = 0; i < 5; i++) assert.equal(await appendJsonl(file, { run_id: `r${i}`, i }), 'appended');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.length, 6);
  assert.equal(lines[5], '');
  assert.deepEqual(
    (await readAll(file)).map((r) => r.i),
    [0, 1, 2, 3, 4],
  );
});

void test('a retried append with the same key reports duplicate and writes nothing', async () => {
  const file = tmpFile();
  assert.equal(await appendJsonl(file, { run_id: 'a', n: 1 }, { key: 'run_id' }), 'appended');
  assert.equal(await appendJsonl(file, { run_id: 'b', n: 2 }, { key: 'run_id' }), 'appended');
  const size = fs.statSync(file).size;
  assert.equal(await appendJsonl(file, { run_id: 'a', n: 3 }, { key: 'run_id' }), 'duplicate');
  assert.equal(fs.statSync(file).size, size);
  assert.deepEqual(
    (await readAll(file, { key: 'run_id' })).map((r) => r.n),
    [1, 2],
  );
});

void test('the duplicate check sees records appended by others since the last append', async () => {
  const file = tmpFile();
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  // Another writer (without our in-process cache) adds a line directly.
  fs.appendFileSync(file, `${JSON.stringify({ run_id: 'b', by: 'other' })}\n`);
  assert.equal(await appendJsonl(file, { run_id: 'b' }, { key: 'run_id' }), 'duplicate');
  assert.equal(await appendJsonl(file, { run_id: 'c' }, { key: 'run_id' }), 'appended');
});

void test('a replaced file is rescanned rather than trusted from the cache', async () => {
  const file = tmpFile();
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  fs.rmSync(file);
  fs.writeFileSync(file, `${JSON.stringify({ run_id: 'z' })}\n`);
  assert.equal(await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' }), 'appended');
  assert.equal(await appendJsonl(file, { run_id: 'z' }, { key: 'run_id' }), 'duplicate');
});

void test('a file rewritten in place with the same size is rescanned', async () => {
  const file = tmpFile();
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  fs.writeFileSync(file, `${JSON.stringify({ run_id: 'q' })}\n`); // same inode, same size
  assert.equal(await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' }), 'appended');
  assert.equal(await appendJsonl(file, { run_id: 'q' }, { key: 'run_id' }), 'duplicate');
});

void test('concurrent appends in one process write exactly one line per key', async () => {
  const file = tmpFile();
  const keys = Array.from({ length: 60 }, (_, i) => `k${i % 20}`);
  const results = await Promise.all(keys.map((k) => appendJsonl(file, { run_id: k }, { key: 'run_id' })));
  assert.equal(results.filter((r) => r === 'appended').length, 20);
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 20);
  assert.equal(new Set(lines.map((l) => JSON.parse(l).run_id)).size, 20);
});

void test('concurrent appends from several processes write exactly one valid line per key', async () => {
  const file = tmpFile();
  const shared = Array.from({ length: 15 }, (_, i) => `shared-${i}`);
  const writers = ['w1', 'w2', 'w3', 'w4'];
  const results = await Promise.all(
    writers.map((w) =>
      runWorker(file, w, [...shared, ...Array.from({ length: 10 }, (_, i) => `${w}-own-${i}`), ...shared]),
    ),
  );
  const appended = results.reduce((n, r) => n + r.appended, 0);
  const duplicate = results.reduce((n, r) => n + r.duplicate, 0);
  assert.equal(appended, 15 + 40);
  assert.equal(duplicate, writers.length * 40 - 55);

  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '', 'file ends with a newline');
  assert.equal(lines.length, 55);
  const ids = lines.map((l) => {
    const rec = JSON.parse(l);
    assert.equal(rec.pad.length, 200);
    return rec.run_id as string;
  });
  assert.equal(new Set(ids).size, 55);
  assert.ok(!fs.existsSync(`${file}.lock`), 'lock released');
});

void test('a lock left behind by a crashed holder is taken over', async () => {
  const file = tmpFile();
  fs.mkdirSync(`${file}.lock`);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(`${file}.lock`, old, old);
  const t0 = Date.now();
  assert.equal(await appendJsonl(file, { run_id: 'after-crash' }, { key: 'run_id' }), 'appended');
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(await readAll(file), [{ run_id: 'after-crash' }]);
});

void test('a torn last line is closed off, kept, and the next record is intact', async () => {
  const file = tmpFile();
  const good = `${JSON.stringify({ run_id: 'a', n: 1 })}\n`;
  const torn = '{"run_id":"b","n":2,"tas';
  fs.writeFileSync(file, good + torn);
  assert.equal(await appendJsonl(file, { run_id: 'c', n: 3 }, { key: 'run_id' }), 'appended');
  const text = fs.readFileSync(file, 'utf8');
  assert.equal(text, `${good}${torn}\n${JSON.stringify({ run_id: 'c', n: 3 })}\n`);
  const skipped: SkippedLine[] = [];
  const recs = await readAll(file, { onSkip: (s) => skipped.push(s) });
  assert.deepEqual(
    recs.map((r) => r.n),
    [1, 3],
  );
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].line, 2);
  assert.equal(skipped[0].offset, Buffer.byteLength(good));
  assert.match(skipped[0].reason, /invalid JSON/);
});

void test('a record missing only its newline is closed off and then counts as present', async () => {
  const file = tmpFile();
  fs.writeFileSync(file, JSON.stringify({ run_id: 'a', n: 1 }));
  assert.equal((await readAll(file)).length, 1, 'the reader accepts a whole record at the end');
  assert.equal(await appendJsonl(file, { run_id: 'a', n: 2 }, { key: 'run_id' }), 'duplicate');
  assert.equal(fs.readFileSync(file, 'utf8'), `${JSON.stringify({ run_id: 'a', n: 1 })}\n`);
});

void test('the reader drops later duplicates of the key, skips invalid lines and never throws', async () => {
  const file = tmpFile();
  fs.writeFileSync(
    file,
    [
      '{"run_id":"a","n":1}',
      'not json',
      '[1,2]',
      '42',
      '',
      '{"run_id":"a","n":2}',
      '{"other":true}',
      '{"run_id":"b","n":3}',
      '',
    ].join('\n'),
  );
  const skipped: SkippedLine[] = [];
  const recs = await readAll(file, { key: 'run_id', onSkip: (s) => skipped.push(s) });
  assert.deepEqual(recs, [{ run_id: 'a', n: 1 }, { other: true }, { run_id: 'b', n: 3 }]);
  assert.deepEqual(
    skipped.map((s) => [s.line, s.reason.split(':')[0]]),
    [
      [2, 'invalid JSON'],
      [3, 'not a JSON object'],
      [4, 'not a JSON object'],
      [5, 'blank line'],
      [6, 'duplicate run_id'],
    ],
  );
});

void test('a missing file yields nothing', async () => {
  assert.deepEqual(await readAll(path.join(os.tmpdir(), 'fw-does-not-exist', 'runs.jsonl')), []);
});

void test('reading from an offset starts at that line', async () => {
  const file = tmpFile();
  await appendJsonl(file, { n: 1 });
  const offset = fs.statSync(file).size;
  await appendJsonl(file, { n: 2 });
  await appendJsonl(file, { n: 3 });
  assert.deepEqual(
    (await readAll(file, { fromOffset: offset })).map((r) => r.n),
    [2, 3],
  );
});

void test('a tail returns new records and waits for an incomplete last line to be completed', async () => {
  const file = tmpFile();
  const tail = new JsonlTail(file, { key: 'run_id' });
  assert.deepEqual(await tail.poll(), [], 'missing file');
  await appendJsonl(file, { run_id: 'a' });
  await appendJsonl(file, { run_id: 'b' });
  assert.deepEqual(
    (await tail.poll()).map((r) => r.run_id),
    ['a', 'b'],
  );
  assert.equal(tail.offset, fs.statSync(file).size);
  assert.deepEqual(await tail.poll(), []);

  const offsetBefore = tail.offset;
  fs.appendFileSync(file, '{"run_id":"c",');
  assert.deepEqual(await tail.poll(), [], 'incomplete line is not returned');
  assert.equal(tail.offset, offsetBefore);
  fs.appendFileSync(file, '"n":1}\n{"run_id":"a"}\n{"run_id":"d"}\n');
  assert.deepEqual(
    (await tail.poll()).map((r) => r.run_id),
    ['c', 'd'],
    'the completed line arrives whole; a duplicate key is dropped',
  );
  assert.equal(tail.offset, fs.statSync(file).size);
});

void test('a tail starts over when the file is replaced by a shorter one', async () => {
  const file = tmpFile();
  const tail = new JsonlTail(file);
  await appendJsonl(file, { n: 1, pad: 'x'.repeat(100) });
  assert.equal((await tail.poll()).length, 1);
  fs.writeFileSync(`${file}.new`, '{"n":2}\n');
  fs.renameSync(`${file}.new`, file);
  assert.deepEqual(await tail.poll(), [{ n: 2 }]);
});

void test('concurrent polls of one tail never return a record twice', async () => {
  const file = tmpFile();
  for (let i = 0; i < 50; i++) await appendJsonl(file, { n: i });
  const tail = new JsonlTail(file);
  const batches = await Promise.all([tail.poll(), tail.poll(), tail.poll()]);
  assert.equal(batches.flat().length, 50);
});
