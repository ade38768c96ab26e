import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveHarnessInput } from '../src/harness/input';
import { startHarnessRun } from '../src/harness/start';
import { parseOtelHeaders } from '../src/telemetry/otel';
import { harnessEnv, MODELS, stopOwnServer, type HarnessEnv } from './support/harness-env';

// Stops the dev server this file started when run alone (under `npm test` the shared one is left alone).
after(() => stopOwnServer());

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** A collector that accepts OTLP/HTTP JSON on /v1/traces and keeps every span and request header. */
async function collector() {
  const spans: Span[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        headers.push(req.headers);
        const j = JSON.parse(body);
        for (const rs of j.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                ...s,
                attributes: Object.fromEntries(
                  (s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value ?? {})[0]]),
                ),
              });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return { url, spans, headers, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('OpenTelemetry export', () => {
  let otlp: Awaited<ReturnType<typeof collector>>;
  let env: HarnessEnv;
  before(async () => {
    otlp = await collector();
    env = await harnessEnv({
      env: {
        FLYWHEEL_OTEL_ENDPOINT: otlp.url,
        FLYWHEEL_OTEL_HEADERS: 'x-team=flywheel,Authorization=Basic%20abc=',
      },
    });
  });
  after(async () => {
    await env.close();
    await otlp.close();
  });

  test('OTLP headers are parsed as k=v pairs with URL-encoded values', () => {
    assert.deepEqual(parseOtelHeaders('a=1, Authorization=Basic%20eD15Og==,bad'), {
      a: '1',
      Authorization: 'Basic eD15Og==',
    });
  });

  test('a run exports Temporal workflow/activity spans and one GenAI span per LLM call under its activity', async () => {
    env.ollama.rule({ model: MODELS.planner, respond: { search_queries: ['agents'], synthesis_notes: '' } });
    const nine = { relevance: 9, completeness: 9, depth: 9, specificity: 9, structure: 9, groundedness: 9 };
    env.ollama.rule({ model: MODELS.evaluator, respond: { scores: nine, issues: [], feedback: 'ok' } });
    const input = resolveHarnessInput('survey agents', env.settings);
    const result = await (await startHarnessRun(env.client, env.taskQueue, input)).result();
    assert.equal(result.final, 'PASS');
    await env.stopWorker(); // flushes the exporter

    const names = new Set(otlp.spans.map((s) => s.name));
    for (const n of ['RunWorkflow:harnessRun', 'StartActivity:synthesize', 'RunActivity:synthesize'])
      assert.ok(names.has(n), `${n} in ${[...names].join(', ')}`);

    const chat = otlp.spans.find((s) => s.name === `chat ${MODELS.producer}`);
    assert.ok(chat, 'the producer call is a span');
    assert.equal(chat.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(chat.attributes['gen_ai.provider.name'], 'ollama');
    assert.equal(chat.attributes['gen_ai.request.model'], MODELS.producer);
    assert.ok(Number(chat.attributes['gen_ai.usage.input_tokens']) > 0);
    assert.ok(Number(chat.attributes['gen_ai.usage.output_tokens']) > 0);
    const parent = otlp.spans.find((s) => s.spanId === chat.parentSpanId);
    assert.equal(parent?.name, 'RunActivity:synthesize');
    // One trace from the workflow down to the LLM call.
    const wf = otlp.spans.find((s) => s.name === 'RunWorkflow:harnessRun')!;
    assert.equal(chat.traceId, wf.traceId);
    assert.equal(otlp.headers[0]['x-team'], 'flywheel');
    assert.equal(otlp.headers[0].authorization, 'Basic abc=');
  });
});
