import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { appendJsonl, readJsonl } from '../src/audit/jsonl';
import { RunRecord } from '../src/audit/records';
import { exportDataset } from '../src/flywheel/export';
import { importRuns } from '../src/flywheel/import';
import { rewardHackingReport } from '../src/flywheel/reward-hacking';
import { tempDir } from './support/harness-env';
import { writeRuns, type MiniRun } from './fixtures/flywheel/records';
import { SEED_RECORD } from './fixtures/seed-record';

const ROOT = path.resolve(__dirname, '..');

async function all(file: string): Promise<any[]> {
  const out: any[] = [];
  for await (const r of readJsonl(file)) out.push(r);
  return out;
}

// A record exactly as the Python harness (seed F2) writes it, plus a field Flywheel does not know.
const SEED = { ...SEED_RECORD, skill: 'deep-research' };

describe('flywheel import', () => {
  test('a Python harness runs.jsonl is imported with fields filled, extras kept and bad lines reported', async () => {
    const harness = tempDir('fw-py-');
    fs.mkdirSync(path.join(harness, 'data'));
    fs.mkdirSync(path.join(harness, 'outputs'));
    fs.writeFileSync(path.join(harness, 'outputs', `${SEED.run_id}.md`), '# Final\n\nSpeculative decoding …');
    fs.writeFileSync(path.join(harness, 'outputs', `${SEED.run_id}.r1.md`), '# Draft\n\nfirst try');
    const second = {
      ...SEED,
      run_id: '20260523T010203_0badc0de',
      output_path: 'outputs/gone.md',
      draft_path: undefined,
    };
    const file = path.join(harness, 'data', 'runs.jsonl');
    fs.writeFileSync(
      file,
      [
        JSON.stringify(SEED),
        JSON.stringify({ event: 'session_start', at: 'x' }),
        JSON.stringify({ ...SEED, run_id: '20260524T000000_00000001', final: 'MAYBE' }),
        '{"run_id": "broken',
        JSON.stringify(second),
      ].join('\n') + '\n',
    );
    const dataDir = path.join(tempDir('fw-imp-'), 'data');
    const r = await importRuns({ file, dataDir });
    assert.deepEqual(
      {
        read: r.read,
        imported: r.imported,
        corrupt: r.corruptLines,
        copied: r.outputsCopied,
        missing: r.outputsMissing,
      },
      { read: 4, imported: 2, corrupt: 1, copied: 2, missing: [second.run_id] },
    );
    assert.deepEqual(
      r.unknownShapes.map((u) => [u.line, u.run_id]),
      [
        [2, null],
        [3, '20260524T000000_00000001'],
      ],
    );
    assert.match(r.unknownShapes[1].reason, /final "MAYBE" is not a known status/);

    const recs = await all(path.join(dataDir, 'runs.jsonl'));
    assert.equal(recs.length, 2);
    const rec = recs[0];
    assert.equal(RunRecord.safeParse(rec).success, true);
    assert.equal(rec.imported, true);
    assert.equal(rec.skill, 'deep-research');
    assert.equal(rec.kind, 'run');
    assert.deepEqual(rec.evaluator_models, ['glm4:latest']);
    assert.equal(rec.started_at, '2026-05-22T14:30:27.000Z');
    assert.deepEqual(rec.wiggum_dimensions.specificity, [5.5, 8.0]);
    assert.equal(rec.output_path, `outputs/${SEED.run_id}.md`);
    assert.equal(
      fs.readFileSync(path.join(dataDir, rec.output_path), 'utf8'),
      '# Final\n\nSpeculative decoding …',
    );
    assert.equal(recs[1].output_path, null);
    assert.equal(recs[1].original_output_path, 'outputs/gone.md');

    // Imported history feeds the exports like any run: the DPO pair uses the copied draft text. Its evaluator
    // was never qualified here (unknown), so only an export that allows unqualified labels takes it.
    const dpo = await exportDataset({
      kind: 'dpo',
      runsFile: path.join(dataDir, 'runs.jsonl'),
      outDir: path.join(dataDir, 'x'),
      allowUnqualified: true,
    });
    assert.equal(dpo.rows.train, 1);
    const row = JSON.parse(fs.readFileSync(path.join(dataDir, 'x', 'train.jsonl'), 'utf8'));
    assert.equal(row.rejected, '# Draft\n\nfirst try');
    assert.equal(row.score_delta, 1.44);

    const again = await importRuns({ file, dataDir });
    assert.equal(again.imported, 0);
    assert.equal(again.alreadyPresent, 2);
  });

  test('the import CLI reports unknown shapes and exits 0', () => {
    const dir = tempDir('fw-imp-cli-');
    const file = path.join(dir, 'runs.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(SEED)}\n{"what": 1}\n`);
    const res = spawnSync(process.execPath, [path.join(ROOT, 'bin/flywheel.js'), 'import', file], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, FLYWHEEL_DATA_DIR: path.join(dir, 'data') },
    });
    assert.equal(res.status, 0, res.stderr);
    assert.match(
      res.stdout,
      /imported 1 of 2 records \(0 already present, 1 unknown shape, 0 corrupt lines\)/,
    );
    assert.match(res.stderr, /runs\.jsonl:2: not imported: no run_id/);
  });
});

describe('flywheel report reward-hacking', () => {
  test('per batch in time order: mean score, score-length correlation, human gap and flags', async () => {
    const dir = tempDir('fw-rh-');
    const rid = (b: number, i: number) => `2026010${b}T000000_${String(b * 100 + i).padStart(8, '0')}`;
    const batch = (b: number, when: string, scores: number[], lengths: number[]): MiniRun[] =>
      scores.map((s, i) => ({
        runId: rid(b, i),
        task: `task ${i >> 1}`,
        rounds: [{ 'judge:test': s }],
        kind: 'rollout',
        sessionId: `batch${b}`,
        startedAt: when,
        output: 'x'.repeat(lengths[i]),
      }));
    // batch2 is the later one, though written first; its scores grow with length.
    const b2s = [6, 7, 8, 9, 9.5, 6.5, 7.5, 8.5];
    const b2l = [100, 200, 300, 400, 500, 150, 250, 350];
    const b1s = [7, 6, 8, 7];
    const b1l = [300, 100, 100, 300];
    await writeRuns(dir, [
      ...batch(2, '2026-01-02T02:00:00.000Z', b2s, b2l),
      ...batch(1, '2026-01-01T02:00:00.000Z', b1s, b1l),
    ]);
    await writeRuns(dir, [
      { runId: '20260101T000000_ffffffff', task: 'not a rollout', rounds: [{ 'judge:test': 9 }] },
    ]);
    await appendJsonl(
      path.join(dir, 'rollouts', 'batch2.jsonl'),
      { task_hash: 'a', prompt: 'p' },
      { key: 'task_hash' },
    );
    const fb = (id: string, rating: number) => ({
      ts: '2026-01-03T00:00:00Z',
      target: 'run',
      id,
      rating,
      comment: '',
    });
    for (const f of [fb(rid(1, 0), 7), fb(rid(1, 2), 7), fb(rid(2, 3), 6), fb(rid(2, 4), 6)])
      await appendJsonl(path.join(dir, 'feedback.jsonl'), f);

    const r = await rewardHackingReport({ runsFile: path.join(dir, 'runs.jsonl'), dataDir: dir });
    assert.deepEqual(
      r.batches.map((b) => b.batchId),
      ['batch1', 'batch2'],
    );
    const [b1, b2] = r.batches;
    assert.equal(b1.meanScore, 7);
    assert.equal(b1.lengthCorrelation, 0); // (7,300) (6,100) (8,100) (7,300): no linear relation
    assert.equal(b1.humanGap, 0.5); // (7 − 7 + 8 − 7) / 2
    assert.equal(b2.meanScore, 7.75);
    assert.equal(b2.meanScoreChange, 0.75);
    assert.ok(b2.lengthCorrelation! > 0.99, String(b2.lengthCorrelation));
    assert.equal(b2.lengthSpearman, 1);
    assert.equal(b2.humanGap, 3.25); // (9 − 6 + 9.5 − 6) / 2
    assert.equal(b2.pairs, 1);
    assert.deepEqual(b1.flags, []);
    assert.deepEqual(b2.flags, ['length-bias', 'gap-widening']);
  });
});
