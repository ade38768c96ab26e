import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendJsonl,
  AuditWriteError,
  JsonlTail,
  nodeIo,
  readJsonl,
  type JsonlIo,
  type SkippedLine,
} from '../src/audit/jsonl';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fw-'));
}

async function readAll(file: string, opts: Parameters<typeof readJsonl>[1] = {}): Promise<any[]> {
  const out: any[] = [];
  for await (const r of readJsonl(file, opts)) out.push(r);
  return out;
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure, ${syscall}`), { code, syscall });
}

void test('a full disk on write fails the append with AuditWriteError and leaves existing lines intact', async () => {
  const file = path.join(tmpDir(), 'runs.jsonl');
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  const before = fs.readFileSync(file);
  const full: JsonlIo = {
    ...nodeIo,
    write: () => Promise.reject(errno('ENOSPC', 'write')),
  };
  await assert.rejects(appendJsonl(file, { run_id: 'b' }, { key: 'run_id', io: full }), (err: unknown) => {
    assert.ok(err instanceof AuditWriteError);
    assert.equal(err.code, 'ENOSPC');
    assert.ok(err.message.includes(file), 'names the file');
    assert.match(err.message, /ENOSPC/);
    return true;
  });
  assert.deepEqual(fs.readFileSync(file), before);
  // Space comes back: the same record goes in.
  assert.equal(await appendJsonl(file, { run_id: 'b' }, { key: 'run_id' }), 'appended');
  assert.deepEqual(
    (await readAll(file)).map((r) => r.run_id),
    ['a', 'b'],
  );
});

void test('a write cut short by a full disk leaves a torn line that the next append closes off', async () => {
  const file = path.join(tmpDir(), 'runs.jsonl');
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  let calls = 0;
  const half: JsonlIo = {
    ...nodeIo,
    write: async (fd, buf) => {
      calls += 1;
      if (calls === 1) return nodeIo.write(fd, buf.subarray(0, Math.floor(buf.length / 2)));
      throw errno('ENOSPC', 'write');
    },
  };
  await assert.rejects(
    appendJsonl(file, { run_id: 'b', body: 'y'.repeat(100) }, { key: 'run_id', io: half }),
    AuditWriteError,
  );
  assert.notEqual(fs.readFileSync(file, 'utf8').at(-1), '\n', 'the torn half line is on disk');
  assert.equal(
    await appendJsonl(file, { run_id: 'b', body: 'y'.repeat(100) }, { key: 'run_id' }),
    'appended',
  );
  const skipped: SkippedLine[] = [];
  const recs = await readAll(file, { key: 'run_id', onSkip: (s) => skipped.push(s) });
  assert.deepEqual(
    recs.map((r) => r.run_id),
    ['a', 'b'],
  );
  assert.equal(recs[1].body.length, 100);
  assert.equal(skipped.length, 1);
});

void test('a failing fdatasync is surfaced, and a retry writes the record again instead of calling it a duplicate', async () => {
  const file = path.join(tmpDir(), 'runs.jsonl');
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  const eio: JsonlIo = { ...nodeIo, fdatasync: () => Promise.reject(errno('EIO', 'fdatasync')) };
  await assert.rejects(appendJsonl(file, { run_id: 'b' }, { key: 'run_id', io: eio }), (err: unknown) => {
    assert.ok(err instanceof AuditWriteError);
    assert.equal(err.code, 'EIO');
    assert.match(err.message, /fdatasync/);
    return true;
  });
  // The line may be visible in the page cache without being durable: the retry must not trust it.
  assert.equal(await appendJsonl(file, { run_id: 'b' }, { key: 'run_id' }), 'appended');
  assert.equal(await appendJsonl(file, { run_id: 'b' }, { key: 'run_id' }), 'duplicate');
  assert.deepEqual(
    (await readAll(file, { key: 'run_id' })).map((r) => r.run_id),
    ['a', 'b'],
    'readers keep one copy',
  );
});

void test('a failing fdatasync before reporting a duplicate is surfaced too', async () => {
  const file = path.join(tmpDir(), 'runs.jsonl');
  await appendJsonl(file, { run_id: 'a' }, { key: 'run_id' });
  const eio: JsonlIo = { ...nodeIo, fdatasync: () => Promise.reject(errno('EIO', 'fdatasync')) };
  await assert.rejects(appendJsonl(file, { run_id: 'a' }, { key: 'run_id', io: eio }), AuditWriteError);
});

void test('a failure to open the log is an AuditWriteError naming the file', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'runs.jsonl');
  fs.mkdirSync(file); // a directory where the log should be
  await assert.rejects(appendJsonl(file, { n: 1 }), (err: unknown) => {
    assert.ok(err instanceof AuditWriteError);
    assert.ok(err.message.includes(file));
    return true;
  });
});

// Must-reject inputs from JSONTestSuite (n_*), as objects where the original was an array, plus raw bytes.
const MUST_REJECT: Buffer[] = [
  '{"a":[1,]}', // n_array_extra_comma
  '{"id":0,}', // n_object_trailing_comma
  'nul', // n_incomplete_null
  '{"a":nul}',
  '{"a":"unterminated}', // n_string_unterminated
  '{"a":"b"', // n_structure_unclosed_object
  "{'a':0}", // n_object_single_quote
  '{a:"b"}', // n_object_unquoted_key
  '{"a":012}', // n_number_with_leading_zero
  '{"a":-01}', // n_number_-01
  '{"a":NaN}', // n_number_NaN
  '{"a":Infinity}', // n_number_infinity
  '{"a":"\\x00"}', // n_string_escape_x
  '{"a":"\\a"}', // n_string_invalid_backslash_esc
  '{"a":"b"}#', // n_object_with_trailing_garbage
  '{"a":"b"}/**/', // n_object_trailing_comment
  '{"a":"b"} "x"', // n_structure_object_with_trailing_garbage
  '{"a":1}{"b":2}', // n_structure_double_array, object form
  '{"a":}', // n_object_missing_value
  '{"a" "b"}', // n_object_missing_colon
  '{"run_id":"bad",}', // a key inside an invalid line must not count
].map((s) => Buffer.from(s, 'utf8'));
MUST_REJECT.push(
  Buffer.from('{"a":"a\u0000a"}', 'utf8'), // n_string_unescaped_ctrl_char (raw NUL)
  Buffer.from('{"a":"\t"}', 'utf8'), // n_string_unescaped_tab (raw tab)
  Buffer.from([0xef, 0xbb, 0xbf]), // n_structure_UTF8_BOM_no_data
  Buffer.from([0xef, 0xbb, 0x7b, 0x7d]), // n_structure_incomplete_UTF8_BOM
  Buffer.from([0xe5]), // n_structure_lone-invalid-utf-8
  Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]), // invalid UTF-8 in a string
);

void test('JSONTestSuite must-reject lines in the log are skipped and the records around them survive', async () => {
  const file = path.join(tmpDir(), 'runs.jsonl');
  await appendJsonl(file, { run_id: 'first' }, { key: 'run_id' });
  fs.appendFileSync(file, Buffer.concat(MUST_REJECT.flatMap((b) => [b, Buffer.from('\n')])));
  // The last bad line is the torn tail: no newline after it.
  fs.appendFileSync(file, '{"run_id":"torn","x":[1,');
  assert.equal(await appendJsonl(file, { run_id: 'bad' }, { key: 'run_id' }), 'appended');
  assert.equal(await appendJsonl(file, { run_id: 'last' }, { key: 'run_id' }), 'appended');

  const skipped: SkippedLine[] = [];
  const recs = await readAll(file, { key: 'run_id', onSkip: (s) => skipped.push(s) });
  assert.deepEqual(
    recs.map((r) => r.run_id),
    ['first', 'bad', 'last'],
  );
  assert.equal(skipped.length, MUST_REJECT.length + 1);
  assert.ok(skipped.some((s) => s.reason === 'invalid UTF-8'));

  const tail = new JsonlTail(file);
  assert.equal((await tail.poll()).length, 3);
});

void test('a 100 MB line neither crashes the reader nor loads into memory, and the records around it are read', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'runs.jsonl');
  try {
    await appendJsonl(file, { run_id: 'before' }, { key: 'run_id' });
    const fd = fs.openSync(file, 'a');
    fs.writeSync(fd, '{"run_id":"huge","blob":"');
    const block = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 100; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, '"}\n');
    fs.closeSync(fd);
    await appendJsonl(file, { run_id: 'after' }, { key: 'run_id' });
    assert.ok(fs.statSync(file).size > 100 * 1024 * 1024);

    const rssBefore = process.memoryUsage.rss();
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
    const skipped: SkippedLine[] = [];
    let recs: any[];
    try {
      recs = await readAll(file, { key: 'run_id', onSkip: (s) => skipped.push(s) });
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(
      recs.map((r) => r.run_id),
      ['before', 'after'],
    );
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].reason, /line longer than/);
    assert.ok(
      peak - rssBefore < 80 * 1024 * 1024,
      `reader grew by ${Math.round((peak - rssBefore) / 1e6)} MB`,
    );

    // The writer's duplicate scan and a tail get through it too.
    assert.equal(await appendJsonl(file, { run_id: 'huge' }, { key: 'run_id' }), 'appended');
    assert.equal(await appendJsonl(file, { run_id: 'before' }, { key: 'run_id' }), 'duplicate');
    const tail = new JsonlTail(file);
    assert.deepEqual(
      (await tail.poll()).map((r) => r.run_id),
      ['before', 'after', 'huge'],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
