import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PathSandboxError, resolveInside } from '../src/security/sandbox';

/** A fresh temp folder with `data/` (the root), a sibling `data-evil/` and a file outside. */
function setup() {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-')));
  const root = path.join(base, 'data');
  fs.mkdirSync(path.join(root, 'outputs'), { recursive: true });
  fs.mkdirSync(path.join(base, 'data-evil'));
  fs.writeFileSync(path.join(base, 'secret.txt'), 'outside');
  return { base, root };
}

function assertRefused(root: string, target: string) {
  assert.throws(
    () => resolveInside(root, target),
    (err: unknown) => err instanceof PathSandboxError && err.code === 'PATH_OUTSIDE_SANDBOX',
    `expected ${JSON.stringify(target)} to be refused`,
  );
}

void describe('resolveInside refuses traversal payloads', () => {
  const payloads = [
    '../secret.txt',
    '../../../../../../etc/passwd',
    'outputs/../../secret.txt',
    '..\\secret.txt',
    'outputs\\..\\..\\secret.txt',
    '....//....//etc/passwd',
    '....\\\\....\\\\etc\\passwd',
    '.../secret.txt',
    '.. /secret.txt',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    'c:/windows/win.ini',
    '\\\\server\\share\\x',
    'outputs/report.md\0.png',
    '\0',
    '%2e%2e%2fsecret.txt',
    '%2E%2E%5C%2E%2E%5Cetc%5Cpasswd',
    'outputs%2f..%2f..%2fsecret.txt',
    'x%00.md',
    '..',
    '',
    '   ',
  ];
  for (const target of payloads) {
    void test(`refuses ${JSON.stringify(target)}`, () => {
      const { root } = setup();
      assertRefused(root, target);
    });
  }

  void test('refuses an absolute path into a sibling folder whose name starts with the root name', () => {
    const { base, root } = setup();
    assertRefused(root, path.join(base, 'data-evil', 'x.md'));
    assertRefused(root, '../data-evil/x.md');
  });

  void test('refuses a symlink inside the root that points outside, and paths through it', () => {
    const { base, root } = setup();
    fs.symlinkSync(base, path.join(root, 'escape'));
    fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'secret-link.txt'));
    assertRefused(root, 'escape/secret.txt');
    assertRefused(root, 'escape/new-file.txt');
    assertRefused(root, 'secret-link.txt');
  });

  void test('refuses a dangling symlink that points outside, which a write would follow', () => {
    const { base, root } = setup();
    fs.symlinkSync(path.join(base, 'not-yet-there.txt'), path.join(root, 'dangling.txt'));
    fs.symlinkSync(path.join(base, 'no-dir'), path.join(root, 'dangling-dir'));
    assertRefused(root, 'dangling.txt');
    assertRefused(root, 'dangling-dir/x.txt');
  });

  void test('refuses a symlink loop with a sandbox error', () => {
    const { root } = setup();
    fs.symlinkSync(path.join(root, 'b'), path.join(root, 'a'));
    fs.symlinkSync(path.join(root, 'a'), path.join(root, 'b'));
    assertRefused(root, 'a/x.txt');
  });

  void test('names the path and the root in the error message, with NUL bytes escaped', () => {
    const { root } = setup();
    try {
      resolveInside(root, 'a\0b');
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof PathSandboxError);
      assert.match(err.message, /"a\\u0000b" contains a NUL byte/);
      assert.ok(err.message.includes(root));
    }
  });
});

void describe('resolveInside accepts paths inside the root', () => {
  void test('resolves nested relative paths, existing or not, to absolute paths under the root', () => {
    const { root } = setup();
    assert.equal(resolveInside(root, 'runs.jsonl'), path.join(root, 'runs.jsonl'));
    assert.equal(
      resolveInside(root, 'outputs/20250101T000000_deadbeef.md'),
      path.join(root, 'outputs', '20250101T000000_deadbeef.md'),
    );
    assert.equal(
      resolveInside(root, 'traces/new/deep/x.trace.json'),
      path.join(root, 'traces', 'new', 'deep', 'x.trace.json'),
    );
    assert.equal(resolveInside(root, './outputs/./a.md'), path.join(root, 'outputs', 'a.md'));
    assert.equal(resolveInside(root, 'outputs/../runs.jsonl'), path.join(root, 'runs.jsonl'));
  });

  void test('accepts an absolute path under the root and names with dots or percent signs taken literally', () => {
    const { root } = setup();
    assert.equal(resolveInside(root, path.join(root, 'outputs', 'a.md')), path.join(root, 'outputs', 'a.md'));
    assert.equal(resolveInside(root, 'outputs/v1..2.md'), path.join(root, 'outputs', 'v1..2.md'));
    assert.equal(resolveInside(root, '.hidden'), path.join(root, '.hidden'));
    assert.equal(resolveInside(root, '100%25 done.md'), path.join(root, '100%25 done.md'));
  });

  void test('follows a symlink that stays inside the root and returns the real path', () => {
    const { root } = setup();
    fs.symlinkSync(path.join(root, 'outputs'), path.join(root, 'latest'));
    assert.equal(resolveInside(root, 'latest/a.md'), path.join(root, 'outputs', 'a.md'));
  });

  void test('works when the root itself is reached through a symlink', () => {
    const { base, root } = setup();
    const alias = path.join(base, 'alias');
    fs.symlinkSync(root, alias);
    assert.equal(resolveInside(alias, 'outputs/a.md'), path.join(root, 'outputs', 'a.md'));
    assert.equal(
      resolveInside(alias, path.join(alias, 'outputs', 'a.md')),
      path.join(root, 'outputs', 'a.md'),
    );
    assert.equal(
      resolveInside(alias, path.join(root, 'outputs', 'a.md')),
      path.join(root, 'outputs', 'a.md'),
    );
  });

  void test('works when the root does not exist yet', () => {
    const { base } = setup();
    const root = path.join(base, 'fresh', 'data');
    assert.equal(resolveInside(root, 'runs.jsonl'), path.join(root, 'runs.jsonl'));
    assertRefused(root, '../../secret.txt');
  });
});
