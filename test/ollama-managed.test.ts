import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ollama } from 'ollama';
import {
  DEFAULT_DEMO_MODEL,
  ensureDemoModel,
  ensureModelAlias,
  isOllamaUp,
  listModels,
  resolveOllama,
  startManagedOllama,
  type ManagedOllama,
} from '../src/ollama';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Pids of live processes in process group `pgid` (Linux /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(d));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

void describe('a managed Ollama with the demo model', { timeout: 30 * 60_000 }, () => {
  let server: ManagedOllama;
  let ollamaPath: string;
  let client: Ollama;

  before(async () => {
    ollamaPath = (await resolveOllama()).path;
    const modelsDir = fs.mkdtempSync(os.tmpdir() + '/fw-');
    server = await startManagedOllama({ ollamaPath, host: `127.0.0.1:${await freePort()}`, modelsDir });
    client = new Ollama({ host: server.host });
  });
  after(async () => {
    await server?.stop();
  });

  void test('the server answers /api/version once started', async () => {
    assert.equal(await isOllamaUp(server.host), true);
  });

  void test('ensureDemoModel imports the model once, then finds it listed', async () => {
    const first = await ensureDemoModel({ host: server.host, ollamaPath });
    assert.deepEqual(first, { name: DEFAULT_DEMO_MODEL, imported: true });
    assert.ok((await listModels(server.host)).includes(DEFAULT_DEMO_MODEL));
    const again = await ensureDemoModel({ host: server.host, ollamaPath });
    assert.equal(again.imported, false);
  });

  void test('the model follows its chat template and answers a JSON-schema format with parseable JSON', async () => {
    const schema = {
      type: 'object',
      properties: {
        city: { type: 'string', enum: ['Paris', 'Rome', 'Berlin'] },
        confident: { type: 'boolean' },
      },
      required: ['city', 'confident'],
    };
    const res = await client.chat({
      model: DEFAULT_DEMO_MODEL,
      messages: [{ role: 'user', content: 'What is the capital of France? Answer in JSON.' }],
      format: schema,
      options: { temperature: 0, seed: 1, num_predict: 64 },
    });
    const parsed = JSON.parse(res.message.content) as { city: string; confident: boolean };
    assert.ok(['Paris', 'Rome', 'Berlin'].includes(parsed.city), res.message.content);
    assert.equal(typeof parsed.confident, 'boolean');
    assert.ok(res.eval_count > 0 && res.prompt_eval_count > 0);
  });

  void test('/api/embed returns one 576-dimension vector per input', async () => {
    const res = await client.embed({
      model: DEFAULT_DEMO_MODEL,
      input: ['agentic workflows', 'durable execution'],
    });
    assert.equal(res.embeddings.length, 2);
    assert.equal(res.embeddings[0].length, 576);
    assert.notDeepEqual(res.embeddings[0], res.embeddings[1]);
  });

  void test('ensureModelAlias lists the same weights under a second name that also answers', async () => {
    await ensureModelAlias(server.host, ollamaPath, 'smollm2-eval:135m');
    assert.ok((await listModels(server.host)).includes('smollm2-eval:135m'));
    const res = await client.generate({
      model: 'smollm2-eval:135m',
      prompt: 'Say hi.',
      options: { num_predict: 8 },
    });
    assert.ok(res.eval_count > 0);
  });

  void test('stop() ends the server and its model runners, leaving no process of its group', async () => {
    assert.ok(groupMembers(server.pid).length >= 1);
    await server.stop();
    assert.deepEqual(groupMembers(server.pid), []);
    assert.throws(() => process.kill(server.pid, 0), { code: 'ESRCH' });
    assert.equal(await isOllamaUp(server.host), false);
  });
});

void test(
  'a managed Ollama on a port already taken fails with its own log in the error',
  { timeout: 120_000 },
  async () => {
    const ollamaPath = (await resolveOllama()).path;
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await assert.rejects(
        startManagedOllama({
          ollamaPath,
          host: `127.0.0.1:${port}`,
          modelsDir: fs.mkdtempSync(os.tmpdir() + '/fw-'),
        }),
        /exited with .*Its last output:[\s\S]*address already in use/,
      );
    } finally {
      blocker.close();
    }
  },
);

void test(
  'Ctrl-C on the process that started a managed Ollama stops the server too',
  { timeout: 120_000 },
  async () => {
    const ollamaPath = (await resolveOllama()).path;
    const dir = fs.mkdtempSync(os.tmpdir() + '/fw-');
    const script = path.join(dir, 'start.ts');
    const managed = path.resolve(__dirname, '../src/ollama/managed');
    fs.writeFileSync(
      script,
      `import { startManagedOllama } from ${JSON.stringify(managed)};\n` +
        `startManagedOllama({ ollamaPath: ${JSON.stringify(ollamaPath)}, host: '127.0.0.1:${await freePort()}', ` +
        `modelsDir: ${JSON.stringify(path.join(dir, 'models'))} }).then((s) => console.log('PID ' + s.pid));\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, sig) => r(sig)));
    const serverPid = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        const m = /PID (\d+)/.exec(b.toString());
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', () => reject(new Error('the child exited before the server started')));
    });
    assert.ok(groupMembers(serverPid).length >= 1);
    child.kill('SIGINT');
    assert.equal(await exited, 'SIGINT');
    assert.deepEqual(groupMembers(serverPid), []);
  },
);
