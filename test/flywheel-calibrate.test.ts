import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { calibrate } from '../src/flywheel/calibrate';
import { cohenKappa, kendallTauB, spearman } from '../src/flywheel/stats';
import { securityEvents } from './support/harness-checks';
import { tempDir } from './support/harness-env';
import { ScriptedOllama, type RecordedRequest } from './support/scripted-ollama';
import { writeRuns, type MiniRun } from './fixtures/flywheel/records';
import { boundLlm } from '../src/llm/bound';

// Independent reference implementations (different algorithms from src/flywheel/stats.ts).
function refRanks(xs: number[]): number[] {
  return xs.map((x) => xs.filter((y) => y < x).length + (xs.filter((y) => y === x).length + 1) / 2);
}
function refPearson(a: number[], b: number[]): number {
  const n = a.length;
  const sa = a.reduce((s, x) => s + x, 0);
  const sb = b.reduce((s, x) => s + x, 0);
  const sab = a.reduce((s, x, i) => s + x * b[i], 0);
  const saa = a.reduce((s, x) => s + x * x, 0);
  const sbb = b.reduce((s, x) => s + x * x, 0);
  return (n * sab - sa * sb) / Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
}
function refTauB(a: number[], b: number[]): number {
  const n = a.length;
  const tieTerm = (xs: number[]) => {
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    return [...counts.values()].reduce((s, t) => s + (t * (t - 1)) / 2, 0);
  };
  let s = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) s += Math.sign(a[i] - a[j]) * Math.sign(b[i] - b[j]);
  const n0 = (n * (n - 1)) / 2;
  return s / Math.sqrt((n0 - tieTerm(a)) * (n0 - tieTerm(b)));
}
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

const id = (n: number) => `20260101T00000${n}_0000000${n}`;
const RUNS: MiniRun[] = [
  // r1 has two rounds: the published output is round 2 (the better one), so its scores are a 9, b 7.
  {
    runId: id(1),
    task: 'T1 survey',
    rounds: [
      { 'judge:a': 6, 'judge:b': 5 },
      { 'judge:a': 9, 'judge:b': 7 },
    ],
    output: 'Q9 one',
  },
  { runId: id(2), task: 'T1 survey', rounds: [{ 'judge:a': 7, 'judge:b': 7 }], output: 'Q4 two' },
  { runId: id(3), task: 'T2 memory', rounds: [{ 'judge:a': 8.5, 'judge:b': 9 }], output: 'Q8 three' },
  { runId: id(4), task: 'T2 memory', rounds: [{ 'judge:a': 6, 'judge:b': 8 }], output: 'Q3 four' },
  { runId: id(5), task: 'T3 tools', rounds: [{ 'judge:a': 8, 'judge:b': 6 }], output: 'Q7 five' },
  { runId: id(6), task: 'T4 plans', rounds: [{ 'judge:a': 5, 'judge:b': 8 }], output: 'Q1 six' },
];
const EV = { 'judge:a': [9, 7, 8.5, 6, 8, 5], 'judge:b': [7, 7, 9, 8, 6, 8] };
const HUMAN = [9.5, 6, 8, 7, 7.5, 6];

describe('calibrate', () => {
  let dir: string;
  let ollama: ScriptedOllama;
  before(async () => {
    dir = tempDir('fw-cal-');
    await writeRuns(dir, RUNS);
    const fb = (runId: string, rating: number) =>
      JSON.stringify({ ts: '2026-01-02T00:00:00Z', target: 'run', id: runId, rating, comment: '' });
    fs.writeFileSync(
      path.join(dir, 'human.jsonl'),
      [
        fb(id(1), 9),
        fb(id(1), 10), // two ratings of one run: their mean (9.5) counts
        fb(id(2), 6),
        fb(id(3), 8),
        fb(id(4), 7),
        fb(id(5), 8),
        fb(id(5), 7),
        fb(id(6), 6),
        JSON.stringify({ ts: '2026-01-02T00:00:00Z', target: 'memory', id: 'm1', rating: 3, comment: '' }),
        JSON.stringify({ better_run_id: id(1), worse_run_id: id(6) }),
        JSON.stringify({ run_a: id(5), run_b: id(2), preferred: 'b' }),
        '{"torn',
      ].join('\n') + '\n',
    );
    ollama = await ScriptedOllama.start({ models: ['judge:a', 'judge:b'], loadDurationMs: 0 });
    // judge:a prefers the output with the higher Q marker, wherever it is shown; judge:b always picks slot A.
    ollama.rule({
      model: 'judge:a',
      respond: (req: RecordedRequest) => {
        const q = (slot: string) =>
          Number(new RegExp(`\\[Response ${slot}\\]\\nQ(\\d)`).exec(req.lastMessage ?? '')![1]);
        return { better: q('A') >= q('B') ? 'A' : 'B' };
      },
    });
    ollama.rule({ model: 'judge:b', respond: { better: 'A' } });
  });
  after(async () => ollama.close());

  test('the statistics handle ties as Spearman on average ranks and Kendall tau-b', () => {
    assert.equal(r4(spearman([1, 2, 2, 3], [1, 2, 3, 3])!), 0.8333);
    assert.equal(r4(kendallTauB([1, 2, 2, 3], [1, 2, 3, 3])!), 0.8);
    assert.equal(r4(kendallTauB([1, 2, 3], [1, 3, 2])!), 0.3333);
    assert.equal(spearman([1, 1, 1], [1, 2, 3]), null);
    assert.equal(r4(cohenKappa([true, true, false, false], [true, false, false, false])!), 0.5);
  });

  test('per evaluator: correlations, kappa and pair agreement match values computed independently', async () => {
    const r = await calibrate({
      humanFile: path.join(dir, 'human.jsonl'),
      runsFile: path.join(dir, 'runs.jsonl'),
      dataDir: dir,
    });
    assert.equal(r.ratedRuns, 6);
    assert.deepEqual(r.pairs, { file: 2, derived: 2, unmatched: 0 });
    assert.equal(r.corruptLines, 1);
    assert.equal(r.skippedRows.length, 1); // the memory feedback
    assert.deepEqual(
      r.evaluators.map((e) => e.model),
      ['judge:a', 'judge:b'],
    );
    for (const e of r.evaluators) {
      const ev = EV[e.model as keyof typeof EV];
      assert.equal(e.n, 6);
      assert.equal(e.spearman, r4(refPearson(refRanks(ev), refRanks(HUMAN))), `${e.model} spearman`);
      assert.equal(e.kendallTauB, r4(refTauB(ev, HUMAN)), `${e.model} kendall`);
      const agree = ev.filter((x, i) => x >= 8 === HUMAN[i] >= 8).length / 6;
      const pe =
        (ev.filter((x) => x >= 8).length / 6) * (HUMAN.filter((x) => x >= 8).length / 6) +
        (ev.filter((x) => x < 8).length / 6) * (HUMAN.filter((x) => x < 8).length / 6);
      assert.equal(e.kappa, r4((agree - pe) / (1 - pe)), `${e.model} kappa`);
      assert.equal(e.meanGap, r4(ev.reduce((s, x, i) => s + x - HUMAN[i], 0) / 6));
      assert.equal(e.position, null);
    }
    // Pairs: r1>r6 and r2>r5 (file), r1>r2 and r3>r4 (same task, different human ratings).
    const [a, b] = r.evaluators;
    assert.deepEqual([a.pairs, a.pairAgreements, a.pairTies, a.pairAgreement], [4, 3, 0, 0.75]);
    assert.deepEqual([b.pairs, b.pairAgreements, b.pairTies, b.pairAgreement], [4, 2, 1, 0.5]);
    assert.equal(a.kappa, 0.6667);
  });

  test('position consistency asks each evaluator about every pair in both orders', async () => {
    const r = await calibrate({
      humanFile: path.join(dir, 'human.jsonl'),
      runsFile: path.join(dir, 'runs.jsonl'),
      dataDir: dir,
      positionPairs: 10,
      llm: { llm: boundLlm({ host: ollama.url, timeoutMs: 10_000 }), temperature: 0, numPredict: 64 },
    });
    const [a, b] = r.evaluators;
    assert.deepEqual(a.position, {
      asked: 4,
      consistent: 4,
      unusable: 0,
      consistency: 1,
      firstSlotRate: 0.5,
    });
    assert.deepEqual(b.position, { asked: 4, consistent: 0, unusable: 0, consistency: 0, firstSlotRate: 1 });
    assert.equal(ollama.countRequests({ endpoint: 'chat', model: 'judge:a' }), 8);
  });

  test('a pair whose record points outside the data folder is skipped and leaves a path_sandbox event', async () => {
    const tampered = tempDir('fw-cal-sandbox-');
    await writeRuns(tampered, RUNS);
    fs.copyFileSync(path.join(dir, 'human.jsonl'), path.join(tampered, 'human.jsonl'));
    const runs = path.join(tampered, 'runs.jsonl');
    const rel = JSON.parse(fs.readFileSync(runs, 'utf8').split('\n')[5]).output_path as string;
    fs.writeFileSync(runs, fs.readFileSync(runs, 'utf8').replace(`"${rel}"`, '"../../etc/passwd"'));
    const r = await calibrate({
      humanFile: path.join(tampered, 'human.jsonl'),
      runsFile: runs,
      dataDir: tampered,
      positionPairs: 10,
      llm: { llm: boundLlm({ host: ollama.url, timeoutMs: 10_000 }), temperature: 0, numPredict: 64 },
    });
    assert.equal(r.evaluators[0].position?.asked, 3, 'the pair with run 6 is not asked');
    const events = securityEvents(tampered);
    assert.ok(events.length >= 1);
    assert.ok(
      events.every((e) => e.event_type === 'path_sandbox' && e.layer === 'calibrate' && e.run_id === id(6)),
      JSON.stringify(events),
    );
    assert.match(String(events[0].detail), /\.\.\/\.\.\/etc\/passwd is outside the data folder/);
  });

  test('a CSV of run_id and human_score gives the same correlations', async () => {
    const csv = ['run_id,human_score', ...RUNS.map((r, i) => `${r.runId},${HUMAN[i]}`)].join('\n');
    fs.writeFileSync(path.join(dir, 'human.csv'), csv);
    const r = await calibrate({
      humanFile: path.join(dir, 'human.csv'),
      runsFile: path.join(dir, 'runs.jsonl'),
      dataDir: dir,
    });
    const fromJsonl = await calibrate({
      humanFile: path.join(dir, 'human.jsonl'),
      runsFile: path.join(dir, 'runs.jsonl'),
      dataDir: dir,
    });
    assert.deepEqual(
      r.evaluators.map((e) => [e.spearman, e.kendallTauB, e.kappa]),
      fromJsonl.evaluators.map((e) => [e.spearman, e.kendallTauB, e.kappa]),
    );
    assert.equal(r.pairs.file, 0);
  });
});
