// `flywheel run`, `status` and `cancel` as subprocesses: the embedded default, exit codes, and the records.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../src/audit/jsonl';
import { freePort } from '../src/temporal/dev-server';
import {
  harnessEnv,
  makeCorpus,
  MODELS,
  stopOwnServer,
  tempDir,
  type HarnessEnv,
} from './support/harness-env';
import { ScriptedOllama } from './support/scripted-ollama';
import { BIN, cleanEnv, flywheel } from './support/cli';
import { saveQualification } from '../src/judge/qualification';
import { qualification } from './support/qualifications';
import { waitFor } from './support/wait';

const scores = (v: number) => ({
  relevance: v,
  completeness: v,
  depth: v,
  specificity: v,
  structure: v,
  groundedness: v,
});

function script(ollama: ScriptedOllama, evaluatorScore: number) {
  ollama.clearRules();
  ollama.rule({
    model: MODELS.planner,
    respond: { search_queries: ['agent tool use'], synthesis_notes: 'be brief' },
  });
  ollama.rule({ model: MODELS.producer, respond: '# Tool use\n\nAgents call tools [1].' });
  ollama.rule({
    model: MODELS.evaluator,
    respond: { scores: scores(evaluatorScore), issues: [], feedback: 'ok' },
  });
}

async function records(dataDir: string): Promise<any[]> {
  const out: any[] = [];
  for await (const r of readJsonl(path.join(dataDir, 'runs.jsonl'))) out.push(r);
  return out;
}

const modelEnv = {
  FLYWHEEL_PRODUCER_MODEL: MODELS.producer,
  FLYWHEEL_PLANNER_MODEL: MODELS.planner,
  FLYWHEEL_EVALUATOR_MODELS: MODELS.evaluator,
  FLYWHEEL_EMBED_MODEL: MODELS.embed,
};

describe('flywheel run', () => {
  after(() => stopOwnServer());

  test('with no server running, run starts the embedded one, passes, prints the paths and leaves no process', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const ollama = await ScriptedOllama.start({ models: Object.values(MODELS), loadDurationMs: 5 });
    try {
      script(ollama, 9);
      const r = await flywheel(['run', 'survey tool use in LLM agents'], {
        TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
        TEMPORAL_UI_PORT: String(await freePort()),
        FLYWHEEL_DATA_DIR: dataDir,
        FLYWHEEL_CORPUS_DIR: makeCorpus(path.join(root, 'corpus'), 20),
        OLLAMA_HOST: ollama.url,
        ...modelEnv,
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /starting the embedded one/);
      assert.match(
        r.stdout,
        /Web UI: http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/run-\d{8}T\d{6}_[0-9a-f]{8}/,
      );
      assert.match(r.stdout, /stage plan/);
      assert.match(r.stdout, /^Status: PASS/m);
      assert.match(r.stdout, /^Scores per round: 9\.00/m);
      const output = /^Output: (.+)$/m.exec(r.stdout)?.[1] ?? '';
      assert.ok(path.isAbsolute(output) && fs.existsSync(output), `output path ${output}`);
      assert.equal(fs.readFileSync(output, 'utf8'), '# Tool use\n\nAgents call tools [1].');
      assert.ok(fs.existsSync(/^Trace: +(.+)$/m.exec(r.stdout)?.[1] ?? ''));
      assert.equal((await records(dataDir))[0]?.final, 'PASS');
      assert.ok(fs.existsSync(path.join(dataDir, 'temporal.db')));
      const left = spawnSync('pgrep', ['-f', path.join(dataDir, 'temporal.db')], { encoding: 'utf8' }).stdout;
      assert.equal(left.trim(), '', 'no temporal process remains');
    } finally {
      await ollama.close();
    }
  });

  describe('against a running server and worker', () => {
    let env: HarnessEnv;
    let cliEnv: Record<string, string>;
    before(async () => {
      env = await harnessEnv();
      const s = env.settings;
      cliEnv = {
        TEMPORAL_ADDRESS: s.TEMPORAL_ADDRESS,
        FLYWHEEL_TASK_QUEUE: s.FLYWHEEL_TASK_QUEUE,
        FLYWHEEL_DATA_DIR: s.dataDir,
        FLYWHEEL_CORPUS_DIR: s.corpusDir,
        OLLAMA_HOST: s.OLLAMA_HOST,
        ...modelEnv,
      };
    });
    after(async () => {
      // First end the slow call of the cancel test, so the worker can shut down at once.
      await env.ollama.close();
      await env.close();
    });

    test('a run that stays below the threshold exits 1 with FAIL and its score for every round', async () => {
      script(env.ollama, 5);
      const r = await flywheel(['run', 'compare agent memory designs', '--max-rounds', '2'], cliEnv);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^Status: FAIL/m);
      assert.match(r.stdout, /^Scores per round: 5\.00, 5\.00/m);
      assert.doesNotMatch(r.stdout, /embedded/);
    });

    test('an evaluator never qualified gets one warning before the run, with the command that qualifies it; a qualified one none', async () => {
      script(env.ollama, 9);
      const r = await flywheel(['run', 'survey agent evaluators', '--max-rounds', '1'], cliEnv);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const warnings = r.stderr.match(/Evaluators? not qualified/g) ?? [];
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `  ${MODELS.evaluator}: unknown \\(never qualified\\) → \`flywheel judge qualify --models ${MODELS.evaluator}\``,
        ),
      );
      // Qualified (for the digest the server lists): no warning, and the record says qualified.
      await saveQualification(env.dataDir, qualification(MODELS.evaluator, 'qualified'));
      const q = await flywheel(['run', 'survey agent evaluators again', '--max-rounds', '1'], cliEnv);
      assert.equal(q.code, 0, q.stdout + q.stderr);
      assert.doesNotMatch(q.stderr, /not qualified/);
      const runId = /run (\d{8}T\d{6}_[0-9a-f]{8})/.exec(q.stdout)?.[1];
      const rec = (await records(env.dataDir)).find((x) => x.run_id === runId);
      assert.equal(rec?.evaluator_qualifications?.[MODELS.evaluator]?.status, 'qualified');
      // A newer measurement that failed the thresholds: warned again, with its accuracy.
      await saveQualification(
        env.dataDir,
        qualification(MODELS.evaluator, 'unqualified', new Date(Date.now() - 1000).toISOString()),
      );
      const u = await flywheel(['run', 'survey agent evaluators once more', '--max-rounds', '1'], cliEnv);
      assert.match(
        u.stderr,
        new RegExp(
          `  ${MODELS.evaluator}: unqualified \\(accuracy lower bound 0\\.35 < 0\\.6\\), accuracy 0\\.50 →`,
        ),
      );
    });

    test('--no-wait prints the id; status shows it running; cancel waits for and prints the CANCELLED record', async () => {
      env.ollama.clearRules();
      env.ollama.rule({ model: MODELS.planner, respond: { search_queries: ['x'], synthesis_notes: '' } });
      env.ollama.rule({ model: MODELS.producer, respond: 'slow', latencyMs: 120_000 });
      const started = await flywheel(['run', 'a run to cancel', '--no-wait'], cliEnv);
      assert.equal(started.code, 0, started.stderr);
      const workflowId = started.stdout.trim();
      assert.match(workflowId, /^run-\d{8}T\d{6}_[0-9a-f]{8}$/);

      await waitFor(
        'the producer call',
        () => env.ollama.countRequests({ model: MODELS.producer }) > 0,
        60_000,
      );
      const status = await flywheel(['status', workflowId], cliEnv);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /^Status: RUNNING/m);
      assert.match(status.stdout, /^Progress: stage synthesize/m);

      const cancelled = await flywheel(['cancel', workflowId.replace(/^run-/, '')], cliEnv);
      assert.equal(cancelled.code, 4, cancelled.stdout + cancelled.stderr);
      assert.match(cancelled.stdout, /^Status: CANCELLED/m);
      const rec = (await records(env.dataDir)).find((x) => x.workflow_id === workflowId);
      assert.equal(rec?.final, 'CANCELLED');
    });

    test('following a run that no worker polls for warns with the remedy, and Ctrl-C leaves the run open (exit 4)', async () => {
      const queue = `${cliEnv.FLYWHEEL_TASK_QUEUE}-nobody`;
      const child = spawn(process.execPath, [BIN, 'run', 'a run nobody serves'], {
        cwd: tempDir(),
        env: cleanEnv({ ...cliEnv, FLYWHEEL_TASK_QUEUE: queue }),
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const code = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitFor('the no-worker warning', () => /No worker polls task queue/.test(out), 60_000);
      assert.match(out, new RegExp(`"${queue}".*the run waits for one\\. Start it: \`flywheel worker\``));
      child.kill('SIGINT');
      assert.equal(await code, 4, out);
      assert.match(out, /Stopped following; the run goes on/);
      const workflowId = /workflow (run-\d{8}T\d{6}_[0-9a-f]{8})/.exec(out)?.[1];
      assert.ok(workflowId, out);
      const handle = env.client.workflow.getHandle(workflowId);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      await handle.terminate('test cleanup');
    });

    test('a model missing from Ollama ends the run as ERROR with exit 3, the pull remedy, and an ERROR record', async () => {
      script(env.ollama, 9);
      const r = await flywheel(
        ['run', 'a run with a missing model', '--producer', 'missing:1b', '--planner', 'missing:1b'],
        cliEnv,
      );
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stderr, /`ollama pull missing:1b`/);
      assert.match(r.stdout, /^Status: ERROR/m);
      const runId = /run (\d{8}T\d{6}_[0-9a-f]{8})/.exec(r.stdout)?.[1];
      const rec = (await records(env.dataDir)).find((x) => x.run_id === runId);
      assert.equal(rec?.final, 'ERROR');
      assert.match(rec?.error ?? '', /ollama pull missing:1b/);
    });
  });
});
