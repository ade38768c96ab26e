// The pure parts of evaluator qualification: pair files in their shapes, the seeded bootstrap interval, the
// qualified/unqualified decision and the drift sample.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sampleIndices } from '../src/activities/judge';
import { bootstrapInterval, decideStatus } from '../src/judge/metrics';
import { DEFAULT_PAIRS_FILE, PairFileError, readPairFile } from '../src/judge/pairs';
import type { JudgeMetrics } from '../src/judge/qualification';
import { tempDir } from './support/harness-env';

const write = (name: string, body: string) => {
  const file = path.join(tempDir('fw-pairfile-'), name);
  fs.writeFileSync(file, body);
  return file;
};

void describe('pair files', () => {
  test('the common shapes, TRL conversational rows included, read as the same pair with the better answer named', () => {
    const want = { instruction: 'Add 2 and 2.', output_1: '4', output_2: '5', label: 1 };
    const shapes = [
      { input: 'Add 2 and 2.', output_1: '4', output_2: '5', label: 1 },
      { prompt: 'Add 2 and 2.', chosen: '4', rejected: '5' },
      { question: 'Add 2 and 2.', response_A: '4', response_B: '5', label: 'A>B' },
    ];
    assert.deepEqual(readPairFile(write('a.json', JSON.stringify(shapes))), [want, want, want]);
    const jsonl = write('b.jsonl', shapes.map((s) => JSON.stringify(s)).join('\n') + '\n\n');
    assert.deepEqual(readPairFile(jsonl), [want, want, want]);
    // TRL's conversational preference rows: explicit prompt, or the prompt implicit in chosen/rejected.
    const user = [{ role: 'user', content: 'Add 2 and 2.' }];
    const said = (x: string) => [{ role: 'assistant', content: x }];
    const conversational = [
      { prompt: user, chosen: said('4'), rejected: said('5') },
      { chosen: [...user, ...said('4')], rejected: [...user, ...said('5')] },
    ];
    assert.deepEqual(readPairFile(write('t.json', JSON.stringify(conversational))), [want, want]);
    assert.throws(
      () =>
        readPairFile(write('t2.json', JSON.stringify([{ prompt: user, chosen: user, rejected: said('5') }]))),
      /row 1: "chosen" missing or empty \(a string, or a list of \{role, content\} messages\)/,
    );
    const swapped = { question: 'Add 2 and 2.', response_A: '5', response_B: '4', label: 'B>A' };
    assert.deepEqual(readPairFile(write('c.json', JSON.stringify([swapped]))), [
      { instruction: 'Add 2 and 2.', output_1: '5', output_2: '4', label: 2 },
    ]);
  });

  test('a bad row fails the whole file with its row number and the reason', () => {
    const ok = { input: 'q', output_1: 'a', output_2: 'b', label: 2 };
    const cases: [string, string, RegExp][] = [
      [
        'x.json',
        JSON.stringify([ok, { ...ok, label: 3 }]),
        /x\.json, row 2: "label" must be 1 or 2 \(got 3\)/,
      ],
      [
        'y.jsonl',
        `${JSON.stringify(ok)}\n{"prompt": "q", "chosen": ""}\n`,
        /y\.jsonl, line 2: "chosen", "rejected" missing/,
      ],
      ['z.jsonl', `${JSON.stringify(ok)}\n{oops\n`, /z\.jsonl, line 2: not valid JSON/],
      ['w.json', JSON.stringify([{ text: 'hello' }]), /w\.json, row 1: unknown row shape with keys text/],
      ['v.json', JSON.stringify([{ ...ok, output_2: 'a' }]), /row 1: the two answers are identical/],
      ['u.jsonl', '\n', /u\.jsonl has no pairs/],
    ];
    for (const [name, body, message] of cases)
      assert.throws(
        () => readPairFile(write(name, body)),
        (e: Error) => e instanceof PairFileError && message.test(e.message),
      );
    assert.throws(() => readPairFile('/nonexistent/pairs.json'), /Cannot read the pair file .*ENOENT/);
  });

  test('the bundled default pair set reads as 100 labelled pairs', () => {
    const pairs = readPairFile(DEFAULT_PAIRS_FILE);
    assert.equal(pairs.length, 100);
    assert.ok(pairs.every((p) => p.label === 1 || p.label === 2));
  });
});

void describe('bootstrap interval', () => {
  test('the same outcomes give the same interval; certain outcomes give a point', () => {
    const outcomes = Array.from({ length: 20 }, (_, i) => i % 2 === 0);
    const a = bootstrapInterval(outcomes);
    assert.deepEqual(bootstrapInterval([...outcomes]), a);
    // 10 of 20: the binomial standard error is 0.11, so the 95% interval is about 0.5 ± 0.22.
    assert.ok(a[0] >= 0.25 && a[0] <= 0.35, `lower ${a[0]}`);
    assert.ok(a[1] >= 0.65 && a[1] <= 0.75, `upper ${a[1]}`);
    assert.deepEqual(bootstrapInterval(Array(30).fill(true)), [1, 1]);
    assert.deepEqual(bootstrapInterval(Array(30).fill(false)), [0, 0]);
    // More pairs, narrower interval.
    const wide = bootstrapInterval(Array.from({ length: 20 }, (_, i) => i % 4 !== 0));
    const narrow = bootstrapInterval(Array.from({ length: 400 }, (_, i) => i % 4 !== 0));
    assert.ok(narrow[1] - narrow[0] < (wide[1] - wide[0]) / 2);
    assert.ok(narrow[0] < 0.75 && narrow[1] > 0.75);
  });
});

void describe('qualified or not', () => {
  const metrics = (accuracy: number, ci: [number, number], pc: number | null) =>
    ({ accuracy, accuracy_ci95: ci, position_consistency: pc, n_pairs: 20, ties: 1 }) as JudgeMetrics;
  const t = { min_accuracy_lower_bound: 0.6, min_position_consistency: 0.7 };

  test('both thresholds must hold; each miss is named', () => {
    assert.deepEqual(decideStatus(metrics(0.8, [0.6, 0.95], 0.7), t), { status: 'qualified', reason: null });
    const low = decideStatus(metrics(0.7, [0.5, 0.85], 0.9), t);
    assert.equal(low.status, 'unqualified');
    assert.match(low.reason!, /accuracy interval lower bound 0\.5 < 0\.6/);
    const both = decideStatus(metrics(0.7, [0.5, 0.85], 0.65), t);
    assert.match(both.reason!, /lower bound 0\.5 < 0\.6 .*; position consistency 0\.65 < 0\.7/);
    assert.match(decideStatus(metrics(0.9, [0.8, 1], null), t).reason!, /position consistency unknown/);
  });

  test('a drift check fails below the baseline interval, and otherwise keeps the baseline status', () => {
    const baseline = {
      qualification_id: 'q1:m',
      accuracy: 0.8,
      accuracy_ci95: [0.7, 0.9] as [number, number],
      status: 'qualified' as const,
      reason: null,
    };
    const dropped = decideStatus(metrics(0.65, [0.4, 0.85], 0.9), t, baseline);
    assert.equal(dropped.status, 'unqualified');
    assert.match(
      dropped.reason!,
      /^drift: accuracy 0\.65 on 20 sampled pairs is below the 95% interval \[0\.7, 0\.9\] of qualification q1:m/,
    );
    // A small sample's own wide interval does not matter: within the baseline interval it stays qualified.
    assert.deepEqual(decideStatus(metrics(0.7, [0.45, 0.9], 0.9), t, baseline), {
      status: 'qualified',
      reason: null,
    });
    const stuck = { ...baseline, status: 'unqualified' as const, reason: 'drift: earlier' };
    assert.deepEqual(decideStatus(metrics(0.9, [0.8, 1], 0.9), t, stuck), {
      status: 'unqualified',
      reason: 'drift: earlier',
    });
  });
});

void describe('drift sample', () => {
  test('k distinct pairs, ascending, the same for the same id and different for another', () => {
    const a = sampleIndices(100, 20, 'drift-20261205');
    assert.equal(a.length, 20);
    assert.equal(new Set(a).size, 20);
    assert.deepEqual(
      a,
      [...a].sort((x, y) => x - y),
    );
    assert.ok(a.every((i) => i >= 0 && i < 100));
    assert.deepEqual(sampleIndices(100, 20, 'drift-20261205'), a);
    assert.notDeepEqual(sampleIndices(100, 20, 'drift-20261206'), a);
    assert.deepEqual(sampleIndices(5, undefined, 'x'), [0, 1, 2, 3, 4]);
    assert.deepEqual(sampleIndices(5, 9, 'x'), [0, 1, 2, 3, 4]);
  });
});
