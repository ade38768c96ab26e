// `flywheel judge qualify` against scripted evaluators whose behaviour is known: the test computes the figures
// it expects on its own (from the pairs and each evaluator's rule) and compares them with the recorded ones.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EVAL_SYSTEM, PAIRWISE_SYSTEM } from '../src/harness/prompts';
import { DIMENSIONS } from '../src/harness/rubric';
import { readNotices } from '../src/judge/notices';
import { pairSetRel } from '../src/judge/pairs';
import {
  evaluatorPromptHash,
  qualificationFile,
  readQualifications,
  statusOf,
  type QualificationRecord,
} from '../src/judge/qualification';
import { buildQualifyInput, createDriftSchedule, startQualification } from '../src/judge/start';
import { listSchedules, triggerSchedule } from '../src/flywheel/schedule';
import { judgeProgressQuery, type JudgeProgress } from '../src/workflows/judge';
import { flywheel } from './support/cli';
import { waitFor } from './support/harness-checks';
import { harnessEnv, MODELS, stopOwnServer, tempDir, type HarnessEnv } from './support/harness-env';
import { seededUnit, type RecordedRequest, type ScriptedOllama } from './support/scripted-ollama';
import { killHard, spawnWorker } from './support/spawn-worker';

const ROOT = path.resolve(__dirname, '..');
interface Pair {
  input: string;
  output_1: string;
  output_2: string;
  label: 1 | 2;
}
const ALL: Pair[] = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'datasets', 'judge', 'llmbar-natural.json'), 'utf8'),
);
/** 16 pairs whose answers differ in length (the length-bias split needs it). */
const PAIRS = ALL.filter((p) => p.output_1.length !== p.output_2.length).slice(0, 16);
const J = { longer: 'longer:test', first: 'first:test', random: 'random:test', oracle: 'oracle:test' };
const SEED = 7;

const betterOf = (p: Pair) => (p.label === 1 ? p.output_1 : p.output_2);
const worseOf = (p: Pair) => (p.label === 1 ? p.output_2 : p.output_1);
/** Every answer text → its pair. */
const pairOf = new Map<string, Pair>();
for (const p of ALL) {
  pairOf.set(p.output_1, p);
  pairOf.set(p.output_2, p);
}
const longerOf = (p: Pair) => (p.output_1.length > p.output_2.length ? p.output_1 : p.output_2);

// ---- what the scripted evaluators read and answer ----

const systemOf = (r: RecordedRequest) => String(r.body.messages[0].content);
/** The first user message (a repair retry appends to the conversation; the question stays the same). */
const questionOf = (r: RecordedRequest) => String(r.body.messages[1].content);
const draftOf = (q: string) => q.slice(q.indexOf('\n\nDraft:\n') + '\n\nDraft:\n'.length);
function slotsOf(q: string): { a: string; b: string } {
  const a0 = q.indexOf('[Response A]\n') + '[Response A]\n'.length;
  const b0 = q.indexOf('\n\n[Response B]\n');
  return { a: q.slice(a0, b0), b: q.slice(b0 + '\n\n[Response B]\n'.length) };
}
const rubricReply = (d: number[]) => ({
  scores: Object.fromEntries(DIMENSIONS.map((k, i) => [k, d[i]])),
  issues: [],
  feedback: 'ok',
});
const HIGH = [8, 8, 8, 8, 8, 7];
const LOW = [3, 3, 3, 3, 3, 4];
/** The random evaluator: a score 0–10 from the draft's text, structure (r+5) mod 11 (never all six equal). */
const randomScore = (draft: string) => Math.floor(seededUnit(SEED, draft) * 11);
const randomSlot = (a: string, b: string) => (seededUnit(SEED, `${a}\u0000${b}`) < 0.5 ? 'A' : 'B');

function scriptJudges(ollama: ScriptedOllama, o: { oracleInverted?: boolean } = {}): void {
  ollama.clearRules();
  // Three rubric replies of the first-slot evaluator need a repair retry.
  ollama.rule({ model: J.first, match: /\n\nDraft:\n/, times: 3, respond: 'I think it is fine.' });
  const judge = (
    model: string,
    rubric: (draft: string) => object,
    prefer: (a: string, b: string) => 'A' | 'B',
  ) =>
    ollama.rule({
      model,
      respond: (r) => {
        if (systemOf(r) === EVAL_SYSTEM) return rubric(draftOf(questionOf(r)));
        assert.equal(systemOf(r), PAIRWISE_SYSTEM);
        const s = slotsOf(questionOf(r));
        return { better: prefer(s.a, s.b) };
      },
    });
  judge(
    J.longer,
    (d) => rubricReply(longerOf(pairOf.get(d)!) === d ? HIGH : LOW),
    (a, b) => (a.length > b.length ? 'A' : 'B'),
  );
  judge(
    J.first,
    () => rubricReply([5, 5, 5, 5, 5, 5]),
    () => 'A',
  );
  judge(
    J.random,
    (d) => {
      const r = randomScore(d);
      return rubricReply([r, r, r, r, r, (r + 5) % 11]);
    },
    randomSlot,
  );
  // The oracle knows the labels; its "depth" for the better answer is 11, clamped to 10.
  const good = (d: string) => (betterOf(pairOf.get(d)!) === d) !== Boolean(o.oracleInverted);
  judge(
    J.oracle,
    (d) => rubricReply(good(d) ? [8, 8, 11, 8, 8, 7] : LOW),
    (a, b) => (good(a) ? 'A' : good(b) ? 'B' : 'A'),
  );
}

// ---- the figures, computed here independently of src/judge/metrics.ts ----

const r4 = (x: number) => Math.round(x * 10000) / 10000;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface Expected {
  accuracy: number;
  ties: number;
  direct_accuracy: number;
  position_consistency: number;
  first_slot_rate: number;
  shorter_better_accuracy: number | null;
  shorter_better_n: number;
  longer_better_accuracy: number | null;
  longer_better_n: number;
  degenerate_share: number;
  clamped_share: number;
  repaired_share: number;
}

function expected(model: string, pairs: Pair[]): Expected {
  // Composite of one answer as the evaluator scores it; which slot each direct judgement names.
  const composite = (p: Pair, text: string): number => {
    if (model === J.first) return 5;
    if (model === J.random) {
      const r = randomScore(text);
      return r2(0.9 * r + 0.1 * ((r + 5) % 11));
    }
    if (model === J.longer) return longerOf(p) === text ? 1 : 0;
    return betterOf(p) === text ? 1 : 0;
  };
  const slot = (p: Pair, a: string, b: string): 'A' | 'B' => {
    if (model === J.first) return 'A';
    if (model === J.random) return randomSlot(a, b);
    if (model === J.longer) return a.length > b.length ? 'A' : 'B';
    return betterOf(p) === a ? 'A' : 'B';
  };
  let ties = 0;
  let right = 0;
  let consistent = 0;
  let slotA = 0;
  const correct = pairs.map((p) => {
    const cb = composite(p, betterOf(p));
    const cw = composite(p, worseOf(p));
    if (cb === cw) ties++;
    const fwd = slot(p, p.output_1, p.output_2); // A = output_1
    const swp = slot(p, p.output_2, p.output_1); // A = output_2
    const pick1 = fwd === 'A' ? 1 : 2;
    const pick2 = swp === 'A' ? 2 : 1;
    right += Number(pick1 === p.label) + Number(pick2 === p.label);
    consistent += Number(pick1 === pick2);
    slotA += Number(fwd === 'A') + Number(swp === 'A');
    return cb > cw;
  });
  const shorter = pairs.map((p, i) => ({ p, i })).filter(({ p }) => betterOf(p).length < worseOf(p).length);
  const longer = pairs.map((p, i) => ({ p, i })).filter(({ p }) => betterOf(p).length > worseOf(p).length);
  const acc = (xs: { i: number }[]) =>
    xs.length ? r4(xs.filter(({ i }) => correct[i]).length / xs.length) : null;
  const n = pairs.length;
  return {
    accuracy: r4(correct.filter(Boolean).length / n),
    ties,
    direct_accuracy: r4(right / (2 * n)),
    position_consistency: r4(consistent / n),
    first_slot_rate: r4(slotA / (2 * n)),
    shorter_better_accuracy: acc(shorter),
    shorter_better_n: shorter.length,
    longer_better_accuracy: acc(longer),
    longer_better_n: longer.length,
    degenerate_share: model === J.first ? 1 : 0,
    clamped_share: model === J.oracle ? 0.5 : 0,
    repaired_share: model === J.first ? r4(3 / (2 * n)) : 0,
  };
}

const observed = (m: QualificationRecord['metrics']): Expected => ({
  accuracy: m.accuracy,
  ties: m.ties,
  direct_accuracy: m.direct_accuracy!,
  position_consistency: m.position_consistency!,
  first_slot_rate: m.first_slot_rate!,
  shorter_better_accuracy: m.length_bias.shorter_better_accuracy,
  shorter_better_n: m.length_bias.shorter_better_n,
  longer_better_accuracy: m.length_bias.longer_better_accuracy,
  longer_better_n: m.length_bias.longer_better_n,
  degenerate_share: m.degenerate_share,
  clamped_share: m.clamped_share,
  repaired_share: m.repaired_share,
});

const digestOf = (model: string) => createHash('sha256').update(model).digest('hex');

function writePairs(dir: string, pairs: Pair[]): string {
  const file = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return file;
}

/** Every payload of a history, decoded to text (payload data is bytes in the protobuf objects). */
function payloadText(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(payloadText).join('\n');
  if (v && typeof v === 'object') return Object.values(v).map(payloadText).join('\n');
  return typeof v === 'string' ? v : '';
}

after(() => stopOwnServer());

void describe('evaluator qualification with scripted evaluators', () => {
  let env: HarnessEnv;
  let pairsFile: string;
  let full: JudgeProgress;
  before(async () => {
    env = await harnessEnv({ ollama: { models: [...Object.values(MODELS), ...Object.values(J)] } });
    scriptJudges(env.ollama);
    pairsFile = writePairs(tempDir('fw-pairs-'), PAIRS);
    // Both length cases occur among the pairs.
    const shorterBetter = PAIRS.filter((p) => betterOf(p).length < worseOf(p).length).length;
    assert.ok(shorterBetter > 0 && shorterBetter < PAIRS.length);
  });
  after(async () => {
    await env.client.schedule
      .getHandle('drift-test')
      .delete()
      .catch(() => undefined);
    await env.close();
  });

  test('each evaluator gets exactly the accuracy, position and length-bias figures its behaviour implies', async () => {
    const input = buildQualifyInput(env.settings, { pairsFile, models: Object.values(J), concurrency: 4 });
    const handle = await startQualification(env.client, env.taskQueue, input, 'scripted-1');
    full = await handle.result();
    assert.equal(full.status, 'DONE');
    assert.deepEqual(
      full.models.map((m) => [m.model, m.done, m.failed]),
      Object.values(J).map((m) => [m, PAIRS.length, 0]),
    );
    const records = await readQualifications(env.dataDir);
    assert.equal(records.length, 4);
    for (const model of Object.values(J)) {
      const rec = records.find((r) => r.model === model)!;
      assert.deepEqual(observed(rec.metrics), expected(model, PAIRS), model);
      assert.equal(rec.metrics.n_pairs, PAIRS.length);
      assert.equal(rec.metrics.unparseable, 0);
      assert.equal(rec.metrics.truncated_share, 0);
      assert.equal(rec.digest, digestOf(model), 'keyed by the server digest');
      assert.equal(rec.prompt_hash, evaluatorPromptHash());
      assert.equal(rec.kind, 'full');
      const [lo, hi] = rec.metrics.accuracy_ci95;
      assert.ok(
        lo <= rec.metrics.accuracy && rec.metrics.accuracy <= hi,
        `${model}: interval holds the accuracy`,
      );
      const qualifies = lo >= 0.6 && rec.metrics.position_consistency! >= 0.7;
      assert.equal(rec.status, qualifies ? 'qualified' : 'unqualified', model);
      assert.equal(rec.reason === null, qualifies);
      // The per-key file holds the same record.
      const file = qualificationFile(env.dataDir, rec.digest);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), rec);
    }
    const by = (m: string) => records.find((r) => r.model === m)!;
    assert.deepEqual(by(J.oracle).metrics.accuracy_ci95, [1, 1]);
    assert.equal(by(J.oracle).status, 'qualified');
    assert.deepEqual(by(J.first).metrics.accuracy_ci95, [0, 0]);
    assert.equal(by(J.first).status, 'unqualified');
    assert.match(by(J.first).reason!, /position consistency 0 < 0\.7/);
    // The random evaluator is neither always right nor always wrong: its interval is a real interval.
    const rnd = by(J.random).metrics;
    assert.ok(rnd.accuracy > 0 && rnd.accuracy < 1 && rnd.accuracy_ci95[0] < rnd.accuracy_ci95[1]);

    // Every pair asked once per evaluator: 2 rubric replies (+3 repairs), 2 direct preferences.
    for (const model of Object.values(J)) {
      const asked = env.ollama.requests.filter((r) => r.endpoint === 'chat' && r.model === model);
      assert.equal(asked.length, PAIRS.length * 4 + (model === J.first ? 3 : 0), model);
    }
    // No pair text in the workflow history: only paths, indices and numbers.
    const history = payloadText(await handle.fetchHistory());
    for (const p of PAIRS.slice(0, 4)) assert.ok(!history.includes(p.output_1.slice(0, 60)));
    assert.ok(history.includes(pairSetRel(input.pairSet.sha256)));
    // The progress query reports what the CLI shows.
    const q = await handle.query(judgeProgressQuery);
    assert.deepEqual(
      q.results!.map((r) => r.status),
      records.map((r) => r.status),
    );
    assert.equal(statusOf(records, J.oracle, { digest: digestOf(J.oracle) }).status, 'qualified');
    // The Web UI shows the outcome in the workflow's current details.
    const meta = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    assert.match(meta.currentDetails ?? '', /\*\*qualification:\*\* scripted-1 · pairs\.jsonl · DONE/);
    assert.match(meta.currentDetails ?? '', /\*\*oracle:test:\*\* qualified/);
    assert.match(
      meta.currentDetails ?? '',
      /\*\*first:test:\*\* unqualified \(accuracy interval lower bound 0 < 0\.6/,
    );
  });

  test('the CLI exits 0 when every evaluator is qualified, 1 when one is not, 3 when one is missing, 2 for a bad pair file', async () => {
    const cliEnv = {
      TEMPORAL_ADDRESS: env.settings.TEMPORAL_ADDRESS,
      FLYWHEEL_TASK_QUEUE: env.taskQueue,
      FLYWHEEL_DATA_DIR: env.dataDir,
      OLLAMA_HOST: env.ollama.url,
      FLYWHEEL_EVALUATOR_MODELS: J.oracle,
    };
    // Other row shapes are read as the same pairs: prompt/chosen/rejected here.
    const dir = tempDir('fw-cli-pairs-');
    const shaped = path.join(dir, 'chosen.json');
    fs.writeFileSync(
      shaped,
      JSON.stringify(
        PAIRS.slice(0, 6).map((p) => ({ prompt: p.input, chosen: betterOf(p), rejected: worseOf(p) })),
      ),
    );
    const ok = await flywheel(['judge', 'qualify', '--pairs', shaped, '--json'], cliEnv);
    assert.equal(ok.code, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as {
      results: { model: string; status: string; record: QualificationRecord }[];
    };
    assert.deepEqual(
      out.results.map((r) => [r.model, r.status, r.record.metrics.accuracy]),
      [[J.oracle, 'qualified', 1]],
    );

    const mixed = await flywheel(
      ['judge', 'qualify', '--pairs', shaped, '--models', `${J.oracle},${J.first}`],
      cliEnv,
    );
    assert.equal(mixed.code, 1, mixed.stderr);
    assert.match(mixed.stdout, /oracle:test\s+qualified/);
    assert.match(mixed.stdout, /first:test\s+unqualified/);
    // Progress lines while it ran, the last one with every pair done.
    assert.match(mixed.stdout, /done · oracle:test 6\/6 acc 1\.00 · first:test 6\/6 acc 0\.00/);

    // A model the server does not have: reported as an error (exit 3); the others are still measured.
    const missing = await flywheel(
      ['judge', 'qualify', '--pairs', shaped, '--models', `${J.oracle},missing:test`],
      cliEnv,
    );
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /lacks models this qualification needs/);
    assert.match(missing.stdout, /oracle:test\s+qualified/);
    assert.match(missing.stdout, /missing:test: missing:test is not on the model server/);

    const bad = path.join(dir, 'bad.jsonl');
    const rows = PAIRS.slice(0, 3).map((p) => ({
      question: p.input,
      response_A: p.output_1,
      response_B: p.output_2,
      label: 'A>B',
    }));
    rows[1].label = 'A=B';
    fs.writeFileSync(bad, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const refused = await flywheel(['judge', 'qualify', '--pairs', bad], cliEnv);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.jsonl, line 2: "label" must be "A>B" or "B>A" \(got "A=B"\)/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');

    // New weights under the same name: the qualification no longer applies.
    env.ollama.setDigest(J.oracle, 'f'.repeat(64));
    const stale = await flywheel(['judge', 'status'], cliEnv);
    env.ollama.setDigest(J.oracle, null);
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(
      stale.stdout,
      /oracle:test\s+unknown .*stale: the model digest changed since it was qualified/,
    );
    const st = await flywheel(['judge', 'status', '--json', '--models', `${J.oracle},never:test`], cliEnv);
    assert.equal(st.code, 0, st.stderr);
    const statuses = JSON.parse(st.stdout) as { evaluators: { model: string; status: string }[] };
    assert.deepEqual(
      statuses.evaluators.map((e) => [e.model, e.status]),
      [
        [J.oracle, 'qualified'],
        ['never:test', 'unknown'],
      ],
    );
  });

  test('the nightly drift check marks an evaluator whose accuracy fell below its interval unqualified, with a notice', async () => {
    const input = buildQualifyInput(env.settings, {
      kind: 'drift',
      pairsFile,
      models: [J.oracle],
      sample: 8,
    });
    assert.equal(input.sample, 8);
    assert.equal(input.thresholds, undefined, 'drift checks use the worker settings at the time');
    await createDriftSchedule(env.client, {
      scheduleId: 'drift-test',
      cron: '0 3 * * *',
      timezone: 'UTC',
      catchupWindow: '1h',
      taskQueue: env.taskQueue,
      input,
    });
    // Schedules are listed from the visibility store, which lags the create by a moment.
    const row = await waitFor('the drift schedule in the list', async () =>
      (await listSchedules(env.client)).find((s) => s.id === 'drift-test'),
    );
    assert.equal(row.workflowType, 'judgeQualify');
    assert.equal(row.cron, '0 3 * * *');

    // The same weights now judge the other way round.
    scriptJudges(env.ollama, { oracleInverted: true });
    await triggerSchedule(env.client, 'drift-test');
    const workflowId = await waitFor('the drift check to start', async () => {
      const a = (await env.client.schedule.getHandle('drift-test').describe()).info.recentActions[0];
      return a?.action.workflow.workflowId;
    });
    assert.match(workflowId, /^judge-drift-test-/);
    const res: JudgeProgress = await env.client.workflow.getHandle(workflowId).result();
    assert.equal(res.kind, 'drift');
    assert.equal(res.pairs, 8);

    const records = await readQualifications(env.dataDir);
    const baseline = records.filter((r) => r.model === J.oracle && r.kind === 'full').pop()!;
    const drift = records[records.length - 1];
    assert.equal(drift.kind, 'drift');
    assert.equal(drift.model, J.oracle);
    assert.equal(drift.metrics.n_pairs, 8);
    assert.equal(drift.metrics.accuracy, 0);
    assert.equal(drift.status, 'unqualified');
    assert.match(drift.reason!, /^drift: accuracy 0 on 8 sampled pairs is below the 95% interval \[1, 1\]/);
    assert.equal(drift.baseline_qualification_id, baseline.qualification_id);
    assert.equal(statusOf(records, J.oracle, { digest: digestOf(J.oracle) }).status, 'unqualified');

    // The same schedule from the CLI, next to the rollout schedules.
    const cli = await flywheel(
      [
        'schedule',
        'judge-drift',
        '--id',
        'drift-cli',
        '--sample',
        '5',
        '--pairs',
        pairsFile,
        '--timezone',
        'Europe/Paris',
      ],
      {
        TEMPORAL_ADDRESS: env.settings.TEMPORAL_ADDRESS,
        FLYWHEEL_TASK_QUEUE: env.taskQueue,
        FLYWHEEL_DATA_DIR: env.dataDir,
      },
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stdout,
      /schedule drift-cli: "0 3 \* \* \*" \(Europe\/Paris\), drift check on 5 pairs of pairs\.jsonl/,
    );
    const made = await env.client.schedule.getHandle('drift-cli').describe();
    assert.equal(made.action.type === 'startWorkflow' && made.action.workflowType, 'judgeQualify');
    await env.client.schedule.getHandle('drift-cli').delete();

    const notices = await readNotices(env.dataDir);
    assert.equal(notices.length, 1);
    assert.equal(notices[0].kind, 'evaluator_drift');
    assert.equal(notices[0].model, J.oracle);
    assert.equal(notices[0].qualification_id, drift.qualification_id);
    assert.match(notices[0].message, /oracle:test is now unqualified/);
    scriptJudges(env.ollama);
  });
});

void describe('a qualification survives a worker kill', () => {
  let env: HarnessEnv;
  before(async () => {
    env = await harnessEnv({
      startWorker: false,
      ollama: { models: [...Object.values(MODELS), J.oracle], latencyMs: 150 },
      env: { FLYWHEEL_EVALUATOR_MODELS: J.oracle },
    });
    scriptJudges(env.ollama);
  });
  after(() => env.close());

  test('after a kill -9 mid-run a new worker finishes it without asking finished pairs again', async () => {
    const pairs = ALL.slice(16, 28);
    const input = buildQualifyInput(env.settings, {
      pairsFile: writePairs(tempDir('fw-kill-'), pairs),
      concurrency: 2,
    });
    // Model calls in flight, sampled throughout: never more than --concurrency.
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, env.ollama.pending())), 10);
    const child = await spawnWorker(env.settings);
    const handle = await startQualification(env.client, env.taskQueue, input, 'killed-1');
    const dir = path.join(env.dataDir, 'work', 'judge-killed-1', J.oracle.replace(/[^A-Za-z0-9._-]/g, '_'));
    await waitFor('three judged pairs', () => fs.existsSync(dir) && fs.readdirSync(dir).length >= 3);
    await killHard(child);
    const finished = fs.readdirSync(dir).map((f) => Number(f.replace('.json', '')));
    assert.ok(finished.length < pairs.length, 'killed mid-run');
    await env.startWorker();
    const res = await handle.result();
    clearInterval(sampler);
    assert.equal(most, 2, 'two pairs in flight at a time');
    assert.equal(res.results![0].status, 'qualified');
    assert.equal(res.results![0].record!.metrics.n_pairs, pairs.length);
    assert.deepEqual(observed(res.results![0].record!.metrics), expected(J.oracle, pairs));
    // A finished pair's answers were each scored once: the new worker did not ask again.
    for (const i of finished) {
      const p = pairs[i];
      const rubricCalls = env.ollama.requests.filter(
        (r) => r.endpoint === 'chat' && systemOf(r) === EVAL_SYSTEM && draftOf(questionOf(r)) === p.output_1,
      );
      assert.equal(rubricCalls.length, 1, `pair ${i} was asked again`);
    }
  });
});
