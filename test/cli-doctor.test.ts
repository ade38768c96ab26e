// `flywheel doctor` and settings errors, through the real CLI as a subprocess.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { freePort } from '../src/temporal/dev-server';
import { MODELS, stopOwnServer, tempDir, temporalAddress } from './support/harness-env';
import { ScriptedOllama } from './support/scripted-ollama';
import { flywheel } from './support/cli';

describe('flywheel doctor and settings', () => {
  let ollama: ScriptedOllama;
  let address: string;
  before(async () => {
    address = await temporalAddress();
    ollama = await ScriptedOllama.start({ models: Object.values(MODELS) });
  });
  after(async () => {
    await ollama.close();
    await stopOwnServer();
  });

  const modelEnv = {
    FLYWHEEL_PRODUCER_MODEL: MODELS.producer,
    FLYWHEEL_PLANNER_MODEL: MODELS.planner,
    FLYWHEEL_EVALUATOR_MODELS: MODELS.evaluator,
    FLYWHEEL_EMBED_MODEL: MODELS.embed,
  };

  test('invalid settings exit 2 with one message naming every bad variable and no stack trace', async () => {
    const r = await flywheel(['doctor'], { FLYWHEEL_MAX_ROUNDS: 'abc', OLLAMA_HOST: 'notaurl' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /FLYWHEEL_MAX_ROUNDS="abc"/);
    assert.match(r.stderr, /OLLAMA_HOST="notaurl": expected an http\(s\) URL/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('doctor with Ollama down fails, says which check failed and prints the remedy', async () => {
    const closed = await freePort();
    const root = tempDir();
    const r = await flywheel(['doctor'], {
      TEMPORAL_ADDRESS: address,
      OLLAMA_HOST: `http://127.0.0.1:${closed}`,
      FLYWHEEL_DATA_DIR: path.join(root, 'data'),
      ...modelEnv,
    });
    assert.equal(r.code, 5);
    assert.match(r.stdout, /^ollama\s+FAIL/m);
    assert.match(r.stdout, /fix: start it \(`ollama serve`\)/);
    assert.match(r.stdout, /^temporal server\s+ok/m);
  });

  test('doctor passes with Temporal up, Ollama up with every configured model, and a writable data folder', async () => {
    const root = tempDir();
    const r = await flywheel(['doctor'], {
      TEMPORAL_ADDRESS: address,
      OLLAMA_HOST: ollama.url,
      FLYWHEEL_DATA_DIR: path.join(root, 'data'),
      ...modelEnv,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^search attributes\s+ok\s+FlywheelKind, FlywheelStatus, FlywheelScore, FlywheelProducer/m,
    );
    assert.match(r.stdout, new RegExp(`^model ${MODELS.evaluator}\\s+ok`, 'm'));
    assert.match(r.stdout, /^injection encoder\s+ok\s+loads and scores/m);
    assert.match(
      r.stdout,
      /^injection glossaries\s+ok\s+12 languages: cs da de es fr it nl pl pt ro sv tr$/m,
    );
    assert.doesNotMatch(r.stdout, /FAIL/);
  });

  test('doctor names a configured model that Ollama lacks and how to get it', async () => {
    const root = tempDir();
    const r = await flywheel(['doctor', '--json'], {
      TEMPORAL_ADDRESS: address,
      OLLAMA_HOST: ollama.url,
      FLYWHEEL_DATA_DIR: path.join(root, 'data'),
      ...modelEnv,
      FLYWHEEL_EVALUATOR_MODELS: `${MODELS.evaluator},absent:7b`,
    });
    assert.equal(r.code, 5);
    const checks = (JSON.parse(r.stdout) as { checks: { name: string; status: string; remedy?: string }[] })
      .checks;
    const absent = checks.find((c) => c.name === 'model absent:7b');
    assert.equal(absent?.status, 'FAIL');
    assert.equal(absent?.remedy, '`ollama pull absent:7b`');
  });
});
