// The real-model suite: Flywheel on a real Ollama serving SmolLM2-135M on the CPU, through the real `ollama`
// client, with a recording proxy in front of the server that keeps what Ollama itself reported. Where a test
// needs a model to misbehave on cue, the proxy rewrites one answer; everything else is the model's own text.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readSpool } from '../src/run-trace/finalize';
import { RunRecord } from '../src/audit/records';
import { checkTrace } from '../src/audit/trace';
import { exportDataset } from '../src/flywheel/export';
import { resolveHarnessInput, type HarnessInputOverrides } from '../src/harness/input';
import { DEFAULT_SYNTH_INSTRUCTIONS, EVAL_SYSTEM, PLAN_SYSTEM } from '../src/harness/prompts';
import { startHarnessRun } from '../src/harness/start';
import { citedKeys } from '../src/lit-review/citations';
import { resolveLitReviewInput } from '../src/lit-review/input';
import { outputRels } from '../src/lit-review/paths';
import { startLitReview } from '../src/lit-review/start';
import { closeTruncatedJson, extractJson } from '../src/llm/client';
import { readData, readRecords } from './support/harness-checks';
import { harnessEnv, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { sharedPapers, writeCorpus } from './support/lit-review-script';
import {
  REAL_MODELS,
  REAL_MODEL_SEED,
  realModelEnv,
  realOllama,
  recordingProxy,
  unloadModel,
  type ProxiedCall,
  type RealOllama,
  type RecordingProxy,
  type Rewrite,
} from './support/real-ollama';
import { testPython } from './support/python';

const { producer: MODEL, evaluatorAlias: EVAL_ALIAS } = REAL_MODELS;
const ROOT = path.resolve(__dirname, '..');

interface Slice {
  name: string;
  cat: string;
  args: Record<string, any>;
  durUs: number;
  startUs: number;
}

/** The trace's B/E pairs as slices (per thread, strictly nested: checkTrace guarantees it). */
function slices(trace: { traceEvents: any[] }): Slice[] {
  const open = new Map<number, any[]>();
  const out: Slice[] = [];
  for (const ev of trace.traceEvents) {
    if (ev.ph === 'B') {
      const stack = open.get(ev.tid) ?? [];
      stack.push(ev);
      open.set(ev.tid, stack);
    } else if (ev.ph === 'E') {
      const b = open.get(ev.tid)!.pop();
      out.push({ name: b.name, cat: b.cat, args: b.args ?? {}, startUs: b.ts, durUs: ev.ts - b.ts });
    }
  }
  return out.sort((a, b) => a.startUs - b.startUs);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const systemOf = (c: { request: Record<string, any> }) => String(c.request.messages?.[0]?.content ?? '');
const isEval = (c: { request: Record<string, any> }) => systemOf(c) === EVAL_SYSTEM;

interface Done {
  runId: string;
  rec: RunRecord;
  /** The proxy's record of every call the run made. */
  calls: ProxiedCall[];
  trace: { traceEvents: any[] };
  spool: any[];
}

void describe('Flywheel on a real model (SmolLM2-135M on Ollama, CPU)', { timeout: 40 * 60_000 }, () => {
  let ollama: RealOllama;
  let proxy: RecordingProxy;
  let env: HarnessEnv;

  before(async () => {
    ollama = await realOllama();
    proxy = await recordingProxy(ollama.host);
    // harnessEnv also starts a scripted server; nothing talks to it: OLLAMA_HOST points at the proxy.
    env = await harnessEnv({ env: realModelEnv(proxy.url) });
  });
  after(async () => {
    await env?.close();
    await proxy?.close();
    await ollama?.stop();
    await stopOwnServer();
  });

  /** One harness run (one at a time, so the proxy's calls in between are this run's). */
  async function run(task: string, overrides: HarnessInputOverrides, rewrite?: Rewrite): Promise<Done> {
    const from = proxy.calls.length;
    proxy.setRewrite(rewrite ?? null);
    try {
      const input = resolveHarnessInput(task, env.settings, {
        maxQueries: 1,
        resultsPerQuery: 2,
        ...overrides,
      });
      const result = await (await startHarnessRun(env.client, env.taskQueue, input)).result();
      const rec = (await readRecords(env.dataDir)).find((r) => r.run_id === result.runId) as RunRecord;
      assert.ok(rec, 'the run has its record');
      const spool = (await readSpool(env.dataDir, rec.run_id)) as Record<string, any>[];
      const trace = JSON.parse(readData(env.dataDir, rec.trace_path!)) as { traceEvents: any[] };
      return { runId: rec.run_id, rec, calls: proxy.calls.slice(from), trace, spool };
    } finally {
      proxy.setRewrite(null);
    }
  }

  // A plain run: two evaluator names, two rounds (the threshold of 10 asks for a revision), model unloaded first.
  let plain: Promise<Done> | undefined;
  const plainRun = () =>
    (plain ??= (async () => {
      await unloadModel(ollama.host, MODEL);
      return run('How do LLM agents use external tools?', {
        evaluatorModels: [MODEL, EVAL_ALIAS],
        maxRounds: 2,
        threshold: 10,
      });
    })());

  void test('a run on the real model writes a valid record, a valid trace and a non-empty output', async () => {
    const { rec, trace, calls } = await plainRun();
    const chats = calls.filter((c) => c.path === '/api/chat');
    assert.ok(chats.length > 0 && chats.every((c) => c.request.options?.seed === REAL_MODEL_SEED), 'seeded');
    assert.ok(RunRecord.safeParse(rec).success, 'the record matches the schema');
    assert.ok(['PASS', 'FAIL'].includes(rec.final), `finished, not ${rec.final}: ${rec.error}`);
    assert.equal(rec.producer_model, MODEL);
    assert.ok(rec.tool_calls.length >= 1);
    assert.ok(readData(env.dataDir, rec.output_path!).trim().length > 0, 'the output is not empty');
    assert.ok(readData(env.dataDir, rec.draft_path!).trim().length > 0, 'the round-1 draft is not empty');
    assert.deepEqual(checkTrace(trace), []);
  });

  void test("the record's token counts are the sums of what Ollama reported for the run's calls", async () => {
    const { rec, calls, spool } = await plainRun();
    const chats = calls.filter((c) => c.path === '/api/chat');
    // At least plan, synthesize and both evaluators (a round they cannot score ends the loop only before any scored one).
    assert.ok(chats.length >= 4, `plan, synthesize, 2 evaluators, ... (got ${chats.length} chat calls)`);
    assert.equal(rec.input_tokens, sum(calls.map((c) => c.response.prompt_eval_count ?? 0)));
    assert.equal(rec.output_tokens, sum(calls.map((c) => c.response.eval_count ?? 0)));
    // Call by call, the spool behind the trace holds the counts Ollama sent.
    const pair = (i: number, o: number) => `${i}/${o}`;
    const fromOllama = calls.map((c) => pair(c.response.prompt_eval_count ?? 0, c.response.eval_count ?? 0));
    const spooled = spool.filter((l) => l.type === 'llm').map((l) => pair(l.inputTokens, l.outputTokens));
    assert.deepEqual(spooled.sort(), fromOllama.sort());
  });

  void test('the trace shows each call’s model load, and the first call after unloading loads many times longer', async () => {
    const { trace, spool } = await plainRun();
    const all = slices(trace);
    // A load under half a millisecond is no load (finalize draws none); Ollama reports tens of ms even warm.
    const calls = all.filter((s) => s.cat === 'llm' && s.args.load_ms > 0.5);
    const loads = all.filter((s) => s.cat === 'llm.load');
    // plan, synthesize, two evaluators at least (a round 1 neither can score ends the loop there).
    assert.ok(calls.length >= 4, `${calls.length} calls`);
    assert.equal(loads.length, calls.length, 'one load slice per call');
    for (const c of calls) {
      const load = loads.find(
        (l) => l.startUs === c.startUs && l.name === `load ${c.args['gen_ai.request.model']}`,
      );
      assert.ok(load, `call ${c.name} at ${c.startUs} µs has its load slice`);
      assert.ok(Math.abs(load.durUs / 1000 - c.args.load_ms) < 2, 'the slice lasts load_duration');
    }
    const byStart = spool.filter((l) => l.type === 'llm').sort((a, b) => a.startMs - b.startMs);
    const cold = byStart[0].loadMs as number;
    const warm = median(byStart.slice(1).map((l) => l.loadMs as number));
    assert.ok(cold >= 4 * warm, `cold load ${cold.toFixed(0)} ms vs warm median ${warm.toFixed(0)} ms`);
  });

  void test('two real evaluator names score every round, and the record keeps each score and the spread', async () => {
    const { rec, calls } = await plainRun();
    assert.deepEqual(rec.evaluator_models, [MODEL, EVAL_ALIAS]);
    assert.deepEqual(new Set(calls.filter(isEval).map((c) => c.model)), new Set([MODEL, EVAL_ALIAS]));
    assert.ok(rec.wiggum_rounds >= 1);
    let scored = 0;
    for (let round = 1; round <= rec.wiggum_rounds; round++) {
      const mine = rec.evaluator_scores.filter((e) => e.round === round);
      assert.deepEqual(mine.map((e) => e.model).sort(), [MODEL, EVAL_ALIAS].sort(), `round ${round}`);
      for (const e of mine) assert.ok(e.composite !== null || e.error, 'a missing score says why');
      const ok = mine.flatMap((e) => (e.composite === null ? [] : [e.composite]));
      if (!ok.length) continue;
      const spread = Math.round((Math.max(...ok) - Math.min(...ok)) * 100) / 100;
      assert.equal(rec.score_spread[scored], spread, `round ${round} spread`);
      scored += 1;
    }
    assert.equal(rec.score_spread.length, scored);
    assert.equal(rec.wiggum_scores.length, scored);
  });

  // The issue's default run (the tiny model judging its own writing, three rounds, threshold 8), untouched.
  let dflt: Promise<Done> | undefined;
  const defaultRun = () => (dflt ??= run('survey tool use in LLM agents', { maxRounds: 3 }));

  void test('no PASS comes from degenerate or out-of-range scores: every counted score is a usable reading', async (t) => {
    const runs = [await defaultRun(), await plainRun()];
    for (const { rec } of runs) {
      t.diagnostic(
        `${rec.run_id}: ${rec.final}, rounds ${rec.wiggum_rounds}, scores [${rec.wiggum_scores.join(', ')}]; ` +
          rec.evaluator_scores.map((e) => `r${e.round} ${e.model}: ${e.composite ?? e.error}`).join('; '),
      );
      const usable = rec.evaluator_scores.filter((e) => e.composite !== null);
      for (const e of usable) {
        const v = Object.values(e.dimensions!);
        assert.ok(
          v.every((x) => x >= 0 && x <= 10),
          `${rec.run_id} round ${e.round}: in range`,
        );
        assert.ok(
          !(v.every((x) => x === 0) || v.every((x) => x === 10)),
          `${rec.run_id} round ${e.round}: all 0/10`,
        );
        assert.doesNotMatch(e.error ?? '', /clamped|degenerate/);
      }
      // Every degenerate or clamped reply is an evaluator error with its reason, and no round score.
      for (const e of rec.evaluator_scores.filter((x) => /degenerate|out-of-range/.test(x.error ?? '')))
        assert.equal(e.composite, null);
      const scoredRounds = new Set(usable.map((e) => e.round));
      assert.equal(rec.wiggum_scores.length, scoredRounds.size, `${rec.run_id}: one score per usable round`);
      if (rec.final === 'PASS') {
        const threshold = rec.run_id === runs[1].rec.run_id ? 10 : 8;
        assert.ok(Math.max(...rec.wiggum_scores) >= threshold);
        assert.ok(usable.length > 0, 'a PASS has a usable evaluator score behind it');
      }
      // No qualification in this data folder: the record says so for each evaluator.
      for (const m of rec.evaluator_models)
        assert.equal(rec.evaluator_qualifications?.[m]?.status, 'unknown', `${rec.run_id} ${m}`);
    }
  });

  // Small models misbehave in known ways. One run meets four of them: the planner's reply has no queries,
  // the first draft comes back empty, the evaluator's scores leave 0-10 in round 2 (rounds 1 and 3 score in
  // range: low, then above the threshold), and a low token limit cuts every answer short.
  const QUIRK_TASK = 'What makes tool-using LLM agents reliable?';
  const QUIRK_NUM_PREDICT = 48;
  const QUIRK_SCORES: Record<string, number>[] = [
    { relevance: 4, completeness: 3, depth: 3, specificity: 2, structure: 5, groundedness: 3 }, // 3.3
    { relevance: 14, completeness: -2, depth: 11, specificity: 7, structure: 23, groundedness: 79 },
    { relevance: 9, completeness: 9, depth: 8.5, specificity: 8, structure: 9, groundedness: 8.5 }, // 8.7
  ];
  let quirk: Promise<Done> | undefined;
  const quirkRun = () =>
    (quirk ??= (() => {
      let blanked = false;
      const drafts: string[] = [];
      const rewrite: Rewrite = ({ path: p, request, response }) => {
        if (p !== '/api/chat') return undefined;
        const system = systemOf({ request });
        const content = String(response.message?.content ?? '');
        const withContent = (text: string) => ({
          ...response,
          message: { ...response.message, content: text },
        });
        if (system === PLAN_SYSTEM) {
          const said = parsed(content);
          return withContent(
            JSON.stringify({ search_queries: [], synthesis_notes: said?.synthesis_notes ?? '' }),
          );
        }
        if (system.startsWith(DEFAULT_SYNTH_INSTRUCTIONS.SYNTH_INSTRUCTION) && !blanked) {
          blanked = true;
          return withContent('');
        }
        if (system === EVAL_SYSTEM) {
          const draft = String(request.messages.at(-1)?.content ?? '');
          if (drafts.at(-1) !== draft) drafts.push(draft);
          const said = parsed(content);
          return withContent(
            JSON.stringify({
              scores: QUIRK_SCORES[Math.min(drafts.length, QUIRK_SCORES.length) - 1],
              issues: Array.isArray(said?.issues) ? said.issues : [],
              feedback: typeof said?.feedback === 'string' ? said.feedback : '',
            }),
          );
        }
        return undefined;
      };
      return run(QUIRK_TASK, { maxRounds: 3, threshold: 8, numPredict: QUIRK_NUM_PREDICT }, rewrite);
    })());

  void test('a plan with no queries: the run searches for the task itself, and the record shows that query', async () => {
    const { rec, runId } = await quirkRun();
    assert.deepEqual(
      rec.tool_calls.map((t) => t.query),
      [QUIRK_TASK],
    );
    const plan = JSON.parse(readData(env.dataDir, `work/${runId}/plan.json`));
    assert.equal(plan.fallback_query, true);
    assert.ok(readData(env.dataDir, rec.output_path!).trim().length > 0);
  });

  void test('an empty answer: that attempt fails, a retry writes a real draft, and the record counts both', async () => {
    const { rec, trace, calls } = await quirkRun();
    assert.equal(rec.stages.synthesize.attempts, 2);
    const attempts = slices(trace).filter((s) => s.cat === 'attempt' && s.name.startsWith('synthesize'));
    assert.deepEqual(
      attempts.map((a) => a.args.ok),
      [false, true],
    );
    assert.match(String(attempts[0].args.error), /empty answer/);
    const synth = calls.filter((c) => systemOf(c).startsWith(DEFAULT_SYNTH_INSTRUCTIONS.SYNTH_INSTRUCTION));
    assert.equal(synth[0].rewrittenTo?.message.content, '');
    const draft = readData(env.dataDir, rec.draft_path!);
    assert.ok(draft.trim().length > 0, 'the draft is not empty');
    assert.equal(draft, synth[1].response.message.content, 'the draft is the retry’s real answer');
  });

  void test('scores outside 0-10: an evaluator error, not a clamped score; the loop goes on and a real score decides', async () => {
    const { rec } = await quirkRun();
    assert.equal(rec.wiggum_rounds, 3);
    assert.deepEqual(rec.wiggum_scores, [3.3, 8.7]);
    assert.equal(rec.final, 'PASS');
    const r2 = rec.evaluator_scores.filter((e) => e.round === 2);
    assert.ok(r2.length > 0);
    for (const e of r2) {
      assert.equal(e.composite, null);
      assert.equal(e.dimensions, null);
      assert.match(e.error ?? '', /out-of-range scores: values outside 0-10 had to be clamped/);
    }
    assert.match(rec.error ?? '', /round 2: evaluator error: .*out-of-range scores/);
    assert.notEqual(
      readData(env.dataDir, rec.output_path!),
      readData(env.dataDir, rec.draft_path!),
      'the output is the round-3 revision',
    );
  });

  void test('an answer that never ends: cut at the token limit, the trace says so, and the text is kept', async () => {
    const { rec, trace, calls } = await quirkRun();
    const writes = slices(trace).filter(
      (s) => s.cat === 'llm' && s.args.ok && ['synthesize', 'revise'].includes(String(s.args.purpose)),
    );
    // The draft and the first revision run into the limit (a later revision may happen to stop short of it).
    const cut = writes.filter((w) => w.args.done_reason === 'length');
    const purposes = new Set(cut.map((w) => w.args.purpose));
    assert.ok(purposes.has('synthesize') && purposes.has('revise'), 'a draft and a revision were cut');
    for (const w of cut) assert.equal(w.args['gen_ai.usage.output_tokens'], QUIRK_NUM_PREDICT);
    for (const w of writes) assert.ok(w.args['gen_ai.usage.output_tokens'] <= QUIRK_NUM_PREDICT);
    const fromOllama = calls.filter((c) => c.request.options?.num_predict === QUIRK_NUM_PREDICT);
    assert.ok(fromOllama.every((c) => c.response.eval_count <= QUIRK_NUM_PREDICT));
    assert.ok(readData(env.dataDir, rec.output_path!).trim().length > 0);
  });

  // The 135M model parrots the prompt's "1 = off-topic" to every paper (seen here), which would leave nothing to
  // write about; so its curation scores become 4 (its reasons kept), and the rest of the review is its own work.
  // Abstracts are cut to their first two sentences to keep the prompts (and the CPU time) small.
  void test('a literature review of four local papers finishes on the real model and every citation resolves', async () => {
    const papers = sharedPapers()
      .filter((p) => /\bagents?\b/i.test(p.title))
      .slice(0, 4)
      .map((p) => ({
        ...p,
        abstract: String(p.abstract)
          .split(/(?<=\.)\s/)
          .slice(0, 2)
          .join(' '),
      }));
    const corpus = writeCorpus(path.join(tempDir(), 'corpus.jsonl'), papers);
    const curation: Rewrite = ({ path: p, request, response }) => {
      if (p !== '/api/chat' || !systemOf({ request }).includes('curates papers')) return undefined;
      const said = parsed(String(response.message?.content ?? ''));
      const reason = typeof said?.reason === 'string' ? said.reason : '';
      return { ...response, message: { ...response.message, content: JSON.stringify({ score: 4, reason }) } };
    };
    proxy.setRewrite(curation);
    const input = resolveLitReviewInput('tool use by LLM agents', env.settings, {
      corpus,
      maxPapers: 4,
      maxQueries: 1,
      concurrency: 2,
      maxRounds: 1,
      numPredict: 64,
    });
    let id: string;
    try {
      const handle = await startLitReview(env.client, env.taskQueue, input);
      const result = await handle.result();
      id = handle.workflowId.replace(/^litreview-/, '');
      assert.equal(result.candidates, 4);
    } finally {
      proxy.setRewrite(null);
    }
    const rec = (await readRecords(env.dataDir)).find((r) => r.run_id === id) as RunRecord;
    assert.ok(RunRecord.safeParse(rec).success);
    assert.equal(rec.kind, 'lit_review');
    assert.ok(['PASS', 'FAIL'].includes(rec.final), `finished, not ${rec.final}: ${rec.error}`);

    const log = readData(env.dataDir, outputRels(id).curationLog)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { included: boolean; cite_key: string });
    const included = log.filter((l) => l.included).map((l) => l.cite_key);
    assert.equal(included.length, 4, 'all four papers were included');
    const md = readData(env.dataDir, rec.output_path!);
    const cited = citedKeys(md);
    for (const k of cited) assert.ok(included.includes(k), `[@${k}] resolves to an included paper`);
    const notCited = md.split('## Included papers not cited above')[1]?.split('\n## ')[0] ?? '';
    for (const k of included)
      assert.ok(cited.includes(k) || notCited.includes(`- ${k}:`), `${k} cited or listed`);
    const bib = [...readData(env.dataDir, `outputs/${id}.bib`).matchAll(/^@\w+\{([^,]+),/gm)].map(
      (m) => m[1],
    );
    assert.deepEqual(bib.sort(), [...included].sort());
  });

  void test('the runs it produced export to SFT and DPO files that load in Python', async () => {
    await plainRun();
    await quirkRun(); // a PASS whose score rose from round 1 to 3: one SFT row and one DPO pair at least
    const runsFile = path.join(env.dataDir, 'runs.jsonl');
    const out = tempDir();
    // The demo evaluator was never qualified: by default its labels are not training data …
    const strict = await exportDataset({
      kind: 'sft',
      runsFile,
      outDir: path.join(out, 'strict'),
      minScore: 0,
    });
    assert.equal(strict.rows.train, 0);
    // … and with --allow-unqualified they are, the card saying so first.
    const opts = { runsFile, allowUnqualified: true };
    const sft = await exportDataset({ ...opts, kind: 'sft', outDir: path.join(out, 'sft'), minScore: 0 });
    const dpo = await exportDataset({ ...opts, kind: 'dpo', outDir: path.join(out, 'dpo'), minDelta: 0.5 });
    assert.ok(sft.rows.train >= 1 && dpo.rows.train >= 1, JSON.stringify([sft.rows, dpo.rows]));
    const card = fs.readFileSync(path.join(sft.outDir, 'README.md'), 'utf8');
    assert.match(card.split('\n---\n')[1], /^> \*\*Warning: exported with `--allow-unqualified`\*\*/);
    assert.deepEqual([...sft.problems, ...dpo.problems], []);
    const res = spawnSync(
      testPython(),
      [path.join(ROOT, 'test/python/check_exports.py'), `sft=${sft.outDir}`, `dpo=${dpo.outDir}`],
      { encoding: 'utf8' },
    );
    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
    const report = JSON.parse(res.stdout) as { checked: { kind: string; rows: number }[] };
    assert.deepEqual(
      report.checked.map((c) => [c.kind, c.rows]),
      [
        ['sft', sft.rows.train + sft.rows.test],
        ['dpo', dpo.rows.train + dpo.rows.test],
      ],
    );
    assert.ok(fs.existsSync(path.join(sft.outDir, 'README.md')), 'a dataset card');
  });
});

/** What a (possibly cut-off) JSON reply said, or undefined. */
function parsed(text: string): Record<string, any> | undefined {
  try {
    return extractJson(text) as Record<string, any>;
  } catch {
    return closeTruncatedJson(text) as Record<string, any> | undefined;
  }
}
