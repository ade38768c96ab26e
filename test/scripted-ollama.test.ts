import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { z } from 'zod';
import { ScriptedOllama, type ScriptedOllamaOptions } from './support/scripted-ollama';
import { sampleFromSchema } from './support/json-schema-sample';
import { waitFor } from './support/wait';

const MS = 1_000_000;

/** A fresh server per test (fast model loads unless the test is about loading), closed afterwards. */
async function withServer(
  t: { after: (fn: () => Promise<void>) => void },
  opts: ScriptedOllamaOptions = {},
): Promise<{ server: ScriptedOllama; ollama: Ollama }> {
  const server = await ScriptedOllama.start({ loadDurationMs: 5, ...opts });
  t.after(() => server.close());
  return { server, ollama: new Ollama({ host: server.url }) };
}

/** An `ollama` client whose every request is abandoned after `ms`. */
function clientWithTimeout(url: string, ms: number): Ollama {
  return new Ollama({
    host: url,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(ms) }),
  });
}

function cosine(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

void test('a non-streamed chat returns the scripted answer with realistic token counts and durations', async (t) => {
  const { server, ollama } = await withServer(t);
  server.rule({ match: 'capital of France', respond: 'The capital of France is Paris.' });
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the capital of France?' },
  ];
  const res = await ollama.chat({ model: 'smollm2:135m', messages, options: { temperature: 0 } });
  assert.equal(res.message.role, 'assistant');
  assert.equal(res.message.content, 'The capital of France is Paris.');
  assert.equal(res.model, 'smollm2:135m');
  assert.equal(res.done, true);
  assert.equal(res.done_reason, 'stop');
  assert.ok(!Number.isNaN(Date.parse(String(res.created_at))));
  const promptChars = 'You are terse.'.length + 1 + 'What is the capital of France?'.length;
  assert.equal(res.prompt_eval_count, Math.ceil(promptChars / 4));
  assert.equal(res.eval_count, Math.ceil('The capital of France is Paris.'.length / 4));
  for (const k of ['load_duration', 'prompt_eval_duration', 'eval_duration'] as const)
    assert.ok(res[k] > 0, k);
  assert.ok(res.total_duration >= res.load_duration + res.prompt_eval_duration + res.eval_duration);
});

void test('a streamed chat arrives in several NDJSON chunks whose last one carries the stats', async (t) => {
  const { server, ollama } = await withServer(t);
  const answer = 'Streaming works by sending one JSON object per line until done is true.';
  server.rule({ respond: answer });
  const stream = await ollama.chat({
    model: 'qwen3:8b',
    messages: [{ role: 'user', content: 'explain' }],
    stream: true,
  });
  const chunks = [];
  for await (const part of stream) chunks.push(part);
  assert.ok(chunks.length >= 3, `got ${chunks.length} chunks`);
  assert.equal(chunks.map((c) => c.message.content).join(''), answer);
  assert.ok(chunks.slice(0, -1).every((c) => c.done === false));
  const last = chunks[chunks.length - 1];
  assert.equal(last.done, true);
  assert.equal(last.done_reason, 'stop');
  assert.equal(last.eval_count, Math.ceil(answer.length / 4));
  assert.ok(last.load_duration > 0 && last.total_duration > 0);
});

void test('a chat with a JSON schema format gets an answer that parses and satisfies the schema', async (t) => {
  const { ollama } = await withServer(t);
  const Verdict = z.object({
    score: z.int().min(0).max(10),
    confidence: z.number().min(0).max(1),
    verdict: z.enum(['pass', 'fail']),
    reasons: z.array(z.string().min(5)).min(1),
    note: z.string().nullable(),
  });
  const res = await ollama.chat({
    model: 'qwen3:8b',
    messages: [{ role: 'user', content: 'Grade this draft.' }],
    format: z.toJSONSchema(Verdict),
  });
  const parsed = Verdict.parse(JSON.parse(res.message.content));
  assert.equal(parsed.score, 8);
  assert.equal(parsed.verdict, 'pass');
  assert.equal(parsed.reasons.length, 2);
});

void test('format "json" without a schema still yields a JSON object', async (t) => {
  const { ollama } = await withServer(t);
  const res = await ollama.chat({
    model: 'qwen3:8b',
    messages: [{ role: 'user', content: 'hi' }],
    format: 'json',
  });
  assert.equal(typeof JSON.parse(res.message.content), 'object');
});

void test('sampleFromSchema honours bounds, lengths, enums, references and the number preference', () => {
  const schema = {
    type: 'object',
    $defs: { Tag: { type: 'string', minLength: 12, maxLength: 20 } },
    properties: {
      score: { type: 'integer', minimum: 0, maximum: 10 },
      ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      big: { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
      level: { enum: ['low', 'high'] },
      tags: { type: 'array', items: { $ref: '#/$defs/Tag' }, minItems: 3 },
      pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }], items: false },
      maybe: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 100, maximum: 200, multipleOf: 7 }] },
      when: { type: 'string', format: 'date-time' },
    },
    required: ['score', 'ratio', 'big', 'level', 'tags', 'pair', 'maybe', 'when'],
    additionalProperties: false,
  };
  const v = sampleFromSchema(schema) as any;
  assert.equal(v.score, 8);
  assert.ok(v.ratio > 0 && v.ratio < 1);
  assert.ok(Number.isSafeInteger(v.big) && Math.abs(v.big) <= 10);
  assert.equal(v.level, 'low');
  assert.equal(v.tags.length, 3);
  assert.ok(v.tags.every((s: string) => s.length >= 12 && s.length <= 20));
  assert.equal(v.pair.length, 2);
  assert.deepEqual([typeof v.pair[0], typeof v.pair[1]], ['string', 'boolean']);
  assert.ok(v.maybe % 7 === 0 && v.maybe >= 100 && v.maybe <= 200);
  assert.ok(!Number.isNaN(Date.parse(v.when)));
  assert.equal((sampleFromSchema(schema, { numberPreference: 'max' }) as any).score, 10);
  assert.equal((sampleFromSchema(schema, { numberPreference: 'min' }) as any).score, 0);
  assert.equal((sampleFromSchema(schema, { numberPreference: 'mid' }) as any).score, 5);
  assert.equal((sampleFromSchema(schema, { numberPreference: 0.3 }) as any).score, 3);
});

void test('sampleFromSchema output passes zod validation for a schema produced by zod itself', () => {
  const Plan = z.object({
    title: z.string().min(3).max(40),
    steps: z
      .array(z.object({ id: z.uuid(), action: z.string(), weight: z.number().positive().max(2) }))
      .min(1)
      .max(5),
    contact: z.email(),
    site: z.url(),
    extra: z.record(z.string(), z.number()),
    mode: z.union([z.literal('fast'), z.literal('slow')]),
    tuple: z.tuple([z.string(), z.int()]),
    optional: z.boolean().optional(),
  });
  const sample = sampleFromSchema(z.toJSONSchema(Plan));
  const result = Plan.safeParse(sample);
  assert.ok(result.success, JSON.stringify(result.error?.issues));
});

void test('generate answers a prompt, streamed or not, with the same stats', async (t) => {
  const { server, ollama } = await withServer(t, { models: ['smollm2'] });
  server.rule({ endpoint: 'generate', match: /^Summarise/, respond: 'A short summary of the paper.' });
  const res = await ollama.generate({
    model: 'smollm2',
    prompt: 'Summarise: agents that plan.',
    system: 'Be brief.',
  });
  assert.equal(res.response, 'A short summary of the paper.');
  assert.equal(res.prompt_eval_count, Math.ceil('Be brief.\nSummarise: agents that plan.'.length / 4));
  assert.ok(Array.isArray(res.context) && res.context.length > 0);
  const stream = await ollama.generate({ model: 'smollm2', prompt: 'Summarise it again', stream: true });
  let text = '';
  let last;
  for await (const part of stream) {
    text += part.response;
    last = part;
  }
  assert.equal(text, 'A short summary of the paper.');
  assert.equal(last?.done, true);
  assert.ok((last?.eval_count ?? 0) > 0);
});

void test('without a rule, answers are deterministic lorem-like text', async (t) => {
  const { ollama } = await withServer(t);
  const ask = () => ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'anything' }] });
  const [a, b] = [await ask(), await ask()];
  assert.ok(a.message.content.split(' ').length > 20);
  assert.equal(a.message.content, b.message.content);
});

void test('embeddings are unit vectors whose cosine similarity follows shared words', async (t) => {
  const { server, ollama } = await withServer(t);
  const res = await ollama.embed({
    model: 'qwen3:8b',
    input: [
      'durable workflow orchestration with Temporal',
      'Temporal durable workflow orchestration engine',
      'a recipe for chocolate cake with butter',
    ],
  });
  assert.equal(res.embeddings.length, 3);
  for (const e of res.embeddings) {
    assert.equal(e.length, 64);
    assert.ok(Math.abs(Math.hypot(...e) - 1) < 1e-9);
  }
  const [a, b, c] = res.embeddings;
  assert.ok(cosine(a, b) >= 0.75, `similar texts: ${cosine(a, b)}`);
  assert.ok(cosine(a, b) > cosine(a, c) + 0.3, `unrelated text should be far: ${cosine(a, c)}`);
  const single = await ollama.embed({
    model: 'qwen3:8b',
    input: 'Durable WORKFLOW orchestration with temporal!',
  });
  assert.deepEqual(single.embeddings[0], a);
  assert.ok(res.prompt_eval_count > 0);
  assert.equal(server.countRequests({ endpoint: 'embed' }), 2);
});

void test('tags, show, ps and version describe the installed and loaded models', async (t) => {
  const { server, ollama } = await withServer(t, { models: ['smollm2:135m', 'qwen3:8b'] });
  server.addModel('nomic-embed-text');
  server.removeModel('qwen3:8b');
  const tags = await ollama.list();
  assert.deepEqual(tags.models.map((m) => m.name).sort(), ['nomic-embed-text:latest', 'smollm2:135m']);
  const small = tags.models.find((m) => m.name === 'smollm2:135m');
  assert.equal(small?.details.parameter_size, '135M');
  assert.equal(small?.details.family, 'smollm');

  const show = await ollama.show({ model: 'smollm2:135m' });
  assert.ok(show.capabilities.includes('completion'));
  assert.equal(show.details.format, 'gguf');
  assert.deepEqual((await ollama.show({ model: 'nomic-embed-text' })).capabilities, ['embedding']);
  await assert.rejects(ollama.show({ model: 'nope' }), { name: 'ResponseError', status_code: 404 });

  assert.deepEqual((await ollama.ps()).models, []);
  await ollama.generate({ model: 'smollm2:135m', prompt: 'warm up' });
  const ps = await ollama.ps();
  assert.deepEqual(
    ps.models.map((m) => m.name),
    ['smollm2:135m'],
  );
  assert.ok(Date.parse(String(ps.models[0].expires_at)) > Date.now() + 60_000);
  assert.match((await ollama.version()).version, /^\d+\.\d+\.\d+$/);
});

void test('rules pick answers by model and pattern, in order, and stop after `times` uses', async (t) => {
  const { server, ollama } = await withServer(t);
  server
    .rule({ model: 'qwen3:8b', match: 'score', respond: { score: 3 }, times: 1 })
    .rule({ model: /^qwen3/, match: 'score', respond: { score: 9 } })
    .rule({ model: 'smollm2:135m', respond: (req) => `echo: ${req.lastMessage}` });
  const ask = (model: string, content: string) =>
    ollama.chat({ model, messages: [{ role: 'user', content }] }).then((r) => r.message.content);
  assert.equal(await ask('qwen3:8b', 'please score this'), '{"score":3}');
  assert.equal(await ask('qwen3:8b', 'please score this'), '{"score":9}');
  assert.equal(await ask('smollm2:135m', 'hello'), 'echo: hello');
  assert.notEqual(await ask('qwen3:8b', 'no match here'), 'echo: no match here');
  server.clearRules();
  assert.notEqual(await ask('smollm2:135m', 'hello'), 'echo: hello');
});

void test('a rule can attach tool calls to a chat answer', async (t) => {
  const { server, ollama } = await withServer(t);
  server.rule({ respond: '', toolCalls: [{ name: 'web_search', arguments: { query: 'temporal' } }] });
  const res = await ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'search' }] });
  assert.deepEqual(res.message.tool_calls, [
    { function: { name: 'web_search', arguments: { query: 'temporal' } } },
  ]);
});

void test('num_predict cuts a long answer and reports done_reason length', async (t) => {
  const { server, ollama } = await withServer(t);
  server.rule({ respond: 'word '.repeat(100) });
  const res = await ollama.chat({
    model: 'qwen3:8b',
    messages: [{ role: 'user', content: 'go' }],
    options: { num_predict: 10 },
  });
  assert.equal(res.done_reason, 'length');
  assert.equal(res.eval_count, 10);
  assert.equal(res.message.content.length, 40);
});

void test('HTTP 500 and 429 faults surface as ResponseErrors with their status', async (t) => {
  const { server, ollama } = await withServer(t);
  server.rule({ match: 'five hundred', fault: 'http500' }).rule({ match: 'busy', fault: 'http429' });
  const ask = (content: string) => ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content }] });
  await assert.rejects(ask('five hundred'), { name: 'ResponseError', status_code: 500 });
  await assert.rejects(ask('busy'), (err: any) => err.status_code === 429 && /server busy/.test(err.message));
});

void test('a dropped connection fails both a plain and a streamed call', async (t) => {
  const { server, ollama } = await withServer(t);
  server.rule({ fault: 'drop', respond: 'one two three four five six seven eight' });
  await assert.rejects(ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'x' }] }));
  const stream = await ollama.chat({
    model: 'qwen3:8b',
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
  });
  const got: string[] = [];
  await assert.rejects(async () => {
    for await (const part of stream) got.push(part.message.content);
  });
  assert.ok(got.length <= 1, 'at most the first chunk arrives before the drop');
});

void test('a malformed body fails a plain call and a streamed call never reports done', async (t) => {
  const { server, ollama } = await withServer(t);
  server.rule({ fault: 'malformed' });
  await assert.rejects(
    ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'x' }] }),
    SyntaxError,
  );
  const res = await fetch(`${server.url}/api/chat`, {
    method: 'POST',
    body: JSON.stringify({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'x' }], stream: false }),
  });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /"model":"qwen3:8b"/);
  assert.throws(() => JSON.parse(text) as unknown, SyntaxError);
  const warn = t.mock.method(console, 'warn', () => undefined);
  const stream = await ollama.generate({ model: 'qwen3:8b', prompt: 'x', stream: true });
  await assert.rejects(async () => {
    for await (const _ of stream) void _;
  }, /Did not receive done/);
  assert.ok(warn.mock.callCount() > 0);
});

void test('a hang never answers: the client times out, and close() ends a hanging connection', async (t) => {
  const { server } = await withServer(t);
  server.rule({ fault: 'hang' });
  const started = Date.now();
  await assert.rejects(
    clientWithTimeout(server.url, 300).chat({
      model: 'qwen3:8b',
      messages: [{ role: 'user', content: 'x' }],
    }),
    { name: 'TimeoutError' },
  );
  assert.ok(Date.now() - started >= 290);
  await waitFor('no pending request', () => server.pending() === 0, 2000, 10);

  const ollama = new Ollama({ host: server.url });
  const waiting = ollama.generate({ model: 'qwen3:8b', prompt: 'x' });
  await waitFor('one pending request', () => server.pending() === 1, 2000, 10);
  await server.close();
  await assert.rejects(waiting);
});

void test('random faults follow the seeded fault rate and only use the listed faults', async (t) => {
  const outcomes = async (seed: number) => {
    const { ollama } = await withServer(t, { faultRate: 0.5, faults: ['http500', 'http429'], seed });
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) {
      try {
        await ollama.generate({ model: 'qwen3:8b', prompt: `p${i}` });
        codes.push(200);
      } catch (err: any) {
        codes.push(err.status_code);
      }
    }
    return codes;
  };
  const a = await outcomes(7);
  assert.deepEqual(await outcomes(7), a);
  assert.ok(a.every((c) => [200, 500, 429].includes(c)));
  const failed = a.filter((c) => c !== 200).length;
  assert.ok(failed >= 4 && failed <= 16, `${failed} of 20 failed`);

  const { server, ollama } = await withServer(t);
  server.setFaultRate(1, ['http500']);
  await assert.rejects(ollama.generate({ model: 'qwen3:8b', prompt: 'x' }), { status_code: 500 });
  server.setFaultRate(0);
  assert.ok(((await ollama.generate({ model: 'qwen3:8b', prompt: 'x' })).response ?? '').length > 0);
});

void test('configured latency is really waited, and a client that leaves stops the wait', async (t) => {
  const { server, ollama } = await withServer(t, { latencyMs: 250 });
  let started = Date.now();
  const res = await ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'x' }] });
  assert.ok(Date.now() - started >= 245, 'server latency');
  assert.ok(res.total_duration >= 245 * MS);

  server.setLatency(0);
  server.rule({ match: 'slow', latencyMs: 150 });
  started = Date.now();
  await ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'slow please' }] });
  assert.ok(Date.now() - started >= 145, 'rule latency');
  started = Date.now();
  await ollama.chat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'fast please' }] });
  assert.ok(Date.now() - started < 145, 'no latency without a match');

  server.setLatency(10_000);
  await assert.rejects(clientWithTimeout(server.url, 100).generate({ model: 'qwen3:8b', prompt: 'x' }));
  await waitFor('no pending request', () => server.pending() === 0, 1000, 10);
});

void test('every request is recorded and can be counted by endpoint, model and pattern', async (t) => {
  const { server, ollama } = await withServer(t, { models: ['smollm2', 'qwen3:8b'] });
  await ollama.chat({
    model: 'qwen3:8b',
    messages: [{ role: 'user', content: 'first question' }],
    keep_alive: '10m',
  });
  await ollama.generate({ model: 'smollm2', prompt: 'second question' });
  await ollama.list();
  assert.deepEqual(
    server.requests.map((r) => [r.endpoint, r.method, r.path, r.model, r.lastMessage]),
    [
      ['chat', 'POST', '/api/chat', 'qwen3:8b', 'first question'],
      ['generate', 'POST', '/api/generate', 'smollm2', 'second question'],
      ['tags', 'GET', '/api/tags', undefined, undefined],
    ],
  );
  assert.equal(server.requests[0].body.keep_alive, '10m');
  assert.ok(server.requests[0].receivedAt <= Date.now());
  assert.equal(server.countRequests(), 3);
  assert.equal(server.countRequests({ match: 'question' }), 2);
  assert.equal(server.countRequests({ model: 'smollm2:latest' }), 1);
  assert.equal(server.countRequests({ endpoint: 'chat', match: /^first/ }), 1);
});

void test('an unknown model is a 404 like real Ollama, and a bad JSON body a 400', async (t) => {
  const { server, ollama } = await withServer(t);
  await assert.rejects(ollama.chat({ model: 'llama9:1t', messages: [{ role: 'user', content: 'x' }] }), {
    name: 'ResponseError',
    status_code: 404,
    message: 'model "llama9:1t" not found, try pulling it first',
  });
  await assert.rejects(ollama.embed({ model: 'llama9:1t', input: 'x' }), { status_code: 404 });
  const res = await fetch(`${server.url}/api/chat`, { method: 'POST', body: '{"model": "qwen3:8b", ' });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /invalid JSON/);
  assert.equal((await fetch(`${server.url}/api/nothing`)).status, 404);
});

void test('a model loads once; keep_alive 0 unloads it so the next call pays the load again', async (t) => {
  const { server, ollama } = await withServer(t, { loadDurationMs: 200 });
  const ask = (keep_alive?: number | string) =>
    ollama.chat({ model: 'smollm2:135m', messages: [{ role: 'user', content: 'x' }], keep_alive });
  const started = Date.now();
  const cold = await ask();
  assert.ok(Date.now() - started >= 195, 'the load is really waited');
  assert.ok(cold.load_duration >= 195 * MS, `cold load ${cold.load_duration}`);
  const warm = await ask(0);
  assert.ok(warm.load_duration < 10 * MS, `warm load ${warm.load_duration}`);
  assert.deepEqual(server.loadedModels(), []);
  assert.deepEqual((await ollama.ps()).models, []);
  const again = await ask('5m');
  assert.ok(again.load_duration >= 195 * MS, `reload ${again.load_duration}`);
  assert.deepEqual(server.loadedModels(), ['smollm2:135m']);
});

void test('an empty chat loads or unloads a model without generating, as Ollama does', async (t) => {
  const { server, ollama } = await withServer(t);
  const load = await ollama.chat({ model: 'qwen3:8b', messages: [] });
  assert.equal(load.done_reason, 'load');
  assert.deepEqual(server.loadedModels(), ['qwen3:8b']);
  const unload = await ollama.generate({ model: 'qwen3:8b', prompt: '', keep_alive: 0 });
  assert.equal(unload.done_reason, 'unload');
  assert.deepEqual(server.loadedModels(), []);
});
