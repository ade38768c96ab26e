// `flywheel … | head`: when the reader closes the pipe, the command ends quietly (no EPIPE stack trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv } from './support/cli';
import { tempDir } from './support/harness-env';

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tempDir(), env: cleanEnv({}) });
    // The reader goes away before the command has written anything (it takes a moment to start).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

for (const args of [['export', 'sft', '--help'], ['--help']]) {
  void test(`flywheel ${args.join(' ')} with its reader gone exits 0 and prints no stack trace`, async () => {
    const { code, stderr } = await withClosedStdout(args);
    assert.equal(stderr, '', 'nothing on stderr');
    assert.equal(code, 0);
  });
}
