import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { z } from 'zod';
import { readJsonl } from '../src/audit/jsonl';
import { loadSettings, publicSettings } from '../src/config';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { chat, chatStructured, embed, LlmError } from '../src/llm/client';
import { configureProviders, resolveModel } from '../src/llm/provider';
import { llmCallScope, type LlmCallRecord } from '../src/llm/recorder';
import { harnessEnv, MODELS, stopOwnServer, tempDir } from './support/harness-env';
import { ScriptedOpenAi } from './support/scripted-openai';

// Stops the dev server this file started when run alone (under `npm test` the shared one is left alone).
after(() => stopOwnServer());

const KEY = 'sk-test-0123456789abcdef';
const OLLAMA_UNUSED = 'http://127.0.0.1:9'; // an openai: model must never reach the Ollama host

async function recorded<T>(fn: () => Promise<T>): Promise<{ value: T; calls: LlmCallRecord[] }> {
  const calls: LlmCallRecord[] = [];
  const value = await llmCallScope.run({ push: (r) => calls.push(r) }, fn);
  return { value, calls };
}

describe('OpenAI-compatible provider', () => {
  let server: ScriptedOpenAi;
  before(async () => {
    server = await ScriptedOpenAi.start({ apiKey: KEY });
    configureProviders({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: KEY });
  });
  after(async () => server.close());

  test('model names are routed by the openai: prefix and everything else stays on Ollama', () => {
    assert.deepEqual(resolveModel('openai:served-model'), { provider: 'openai', name: 'served-model' });
    assert.deepEqual(resolveModel('qwen3:8b'), { provider: 'ollama', name: 'qwen3:8b' });
  });

  test('chat posts to /v1/chat/completions with the key and maps usage into the call record', async () => {
    server.rule({ model: 'served-model', match: 'capital', respond: 'Paris.' });
    const { value, calls } = await recorded(() =>
      chat({
        host: OLLAMA_UNUSED,
        model: 'openai:served-model',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What is the capital of France?' },
        ],
        temperature: 0.3,
        numPredict: 64,
        purpose: 'synthesize',
      }),
    );
    assert.equal(value.content, 'Paris.');
    assert.equal(value.doneReason, 'stop');
    const req = server.requests.at(-1)!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.authorization, `Bearer ${KEY}`);
    assert.equal(req.body.model, 'served-model');
    assert.equal(req.body.temperature, 0.3);
    assert.equal(req.body.max_tokens, 64);
    assert.equal(req.body.stream, false);
    assert.deepEqual(
      req.body.messages.map((m: { role: string }) => m.role),
      ['system', 'user'],
    );
    assert.equal(calls.length, 1);
    const c = calls[0];
    assert.equal(c.model, 'openai:served-model');
    assert.equal(c.ok, true);
    assert.equal(c.loadMs, 0);
    assert.equal(c.inputTokens, value.call.inputTokens);
    assert.ok(c.inputTokens > 0 && c.outputTokens > 0);
    assert.equal(c.purpose, 'synthesize');
  });

  test('structured output is requested as a json_schema response_format and validated', async () => {
    const Schema = z.object({ queries: z.array(z.string()).min(1), notes: z.string() });
    const res = await chatStructured({
      host: OLLAMA_UNUSED,
      model: 'openai:served-model',
      schema: Schema,
      messages: [{ role: 'user', content: 'plan: agents' }],
    });
    assert.ok(res.value.queries.length >= 1);
    const body = server.requests.at(-1)!.body;
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.schema.type, 'object');
    assert.deepEqual(body.response_format.json_schema.schema.required.sort(), ['notes', 'queries']);
  });

  test('a reply cut by max_tokens reports doneReason length, as Ollama does', async () => {
    server.rule({ model: 'served-model', match: 'long', respond: 'word '.repeat(200) });
    const res = await chat({
      host: OLLAMA_UNUSED,
      model: 'openai:served-model',
      messages: [{ role: 'user', content: 'a long one' }],
      numPredict: 16,
    });
    assert.equal(res.doneReason, 'length');
    assert.equal(res.content.length, 64);
  });

  test('embeddings come back in input order with their token usage', async () => {
    const { value, calls } = await recorded(() =>
      embed({ host: OLLAMA_UNUSED, model: 'openai:served-embed', input: ['alpha', 'beta', 'gamma'] }),
    );
    assert.equal(value.length, 3);
    const again = await embed({ host: OLLAMA_UNUSED, model: 'openai:served-embed', input: ['gamma'] });
    assert.deepEqual(value[2], again[0]);
    assert.notDeepEqual(value[0], value[2]);
    assert.equal(server.requests.at(-1)!.path, '/v1/embeddings');
    assert.equal(calls[0].op, 'embed');
    assert.ok(calls[0].inputTokens > 0);
  });

  test('an unknown model is a non-retryable model_not_found error that names the fix', async () => {
    await assert.rejects(
      chat({ host: OLLAMA_UNUSED, model: 'openai:nope', messages: [{ role: 'user', content: 'hi' }] }),
      (e: LlmError) => {
        assert.ok(e instanceof LlmError);
        assert.equal(e.kind, 'model_not_found');
        assert.equal(e.retryable, false);
        assert.match(e.message, /"nope"/);
        return true;
      },
    );
  });

  test('server errors and rate limits are retryable; a dropped connection is unreachable', async () => {
    server.rule({ model: 'served-model', match: 'crash', fault: 'http500' });
    server.rule({ model: 'served-model', match: 'busy', fault: 'http429' });
    server.rule({ model: 'served-model', match: 'drop', fault: 'drop' });
    server.rule({ model: 'served-model', match: 'garbled', fault: 'malformed' });
    const ask = (content: string) =>
      chat({ host: OLLAMA_UNUSED, model: 'openai:served-model', messages: [{ role: 'user', content }] });
    for (const [word, kind] of [
      ['crash', 'server'],
      ['busy', 'server'],
      ['drop', 'unreachable'],
      ['garbled', 'server'],
    ] as const) {
      await assert.rejects(ask(word), (e: LlmError) => {
        assert.equal(e.kind, kind, word);
        assert.equal(e.retryable, true, word);
        return true;
      });
    }
  });

  test('a wrong key is refused without the key appearing in the error, and settings never show it', async () => {
    configureProviders({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-wrong-key-000000' });
    try {
      await assert.rejects(
        chat({
          host: OLLAMA_UNUSED,
          model: 'openai:served-model',
          messages: [{ role: 'user', content: 'x' }],
        }),
        (e: LlmError) => {
          assert.equal(e.retryable, false);
          assert.match(e.message, /OPENAI_API_KEY/);
          assert.ok(!e.message.includes('sk-wrong-key'));
          return true;
        },
      );
    } finally {
      configureProviders({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: KEY });
    }
    const s = loadSettings({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: KEY }, tempDir());
    assert.equal(s.OPENAI_API_KEY, KEY);
    assert.ok(!JSON.stringify(publicSettings(s)).includes(KEY));
  });

  test('a cancelled call aborts the request and is not retryable', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(
      chat({
        host: OLLAMA_UNUSED,
        model: 'openai:served-model',
        messages: [{ role: 'user', content: 'x' }],
        signal: ctl.signal,
      }),
      (e: LlmError) => e.kind === 'aborted' && !e.retryable,
    );
  });
});

describe('per-role providers in a harness run', () => {
  test('the producer on the OpenAI-compatible server and the planner/evaluator on Ollama give one record with both usages, both seeded by FLYWHEEL_LLM_SEED', async () => {
    const openai = await ScriptedOpenAi.start({ models: ['served-producer'] });
    const env = await harnessEnv({
      env: {
        FLYWHEEL_PRODUCER_MODEL: 'openai:served-producer',
        OPENAI_BASE_URL: openai.baseUrl,
        FLYWHEEL_LLM_SEED: '77',
      },
    });
    try {
      env.ollama.rule({
        model: MODELS.planner,
        respond: { search_queries: ['agents'], synthesis_notes: '' },
      });
      const nine = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };
      env.ollama.rule({ model: MODELS.evaluator, respond: { scores: nine, issues: [], feedback: 'ok' } });
      openai.rule({ model: 'served-producer', respond: '# Agents\n\nFrom the OpenAI-compatible server.' });
      const input = resolveHarnessInput('survey agents', env.settings);
      const result = await (await startHarnessRun(env.client, env.taskQueue, input)).result();
      assert.equal(result.final, 'PASS');
      const recs: any[] = [];
      for await (const r of readJsonl(path.join(env.dataDir, 'runs.jsonl'))) recs.push(r);
      assert.equal(recs.length, 1);
      assert.equal(recs[0].producer_model, 'openai:served-producer');
      assert.equal(openai.count({ endpoint: 'chat', model: 'served-producer' }), 1);
      assert.equal(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.producer }), 0);
      assert.ok(env.ollama.countRequests({ endpoint: 'chat', model: MODELS.evaluator }) >= 1);
      assert.ok(recs[0].stages.synthesize.output_tokens > 0, 'producer usage counted from completion_tokens');
      // One seed for both providers: `seed` for the OpenAI-compatible server, `options.seed` for Ollama.
      assert.equal((openai.requests.at(-1)!.body as any).seed, 77);
      const ollamaChats = env.ollama.requests.filter((r) => r.endpoint === 'chat');
      assert.ok(ollamaChats.length > 0);
      assert.ok(ollamaChats.every((r) => (r.body as any).options?.seed === 77));
    } finally {
      await env.close();
      await openai.close();
    }
  });
});
