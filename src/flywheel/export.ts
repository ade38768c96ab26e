// `flywheel export`: streams runs.jsonl (and rollout pair files) into JSONL that TRL and `datasets` load.
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../audit/jsonl';
import { batteryTaskHashes } from './battery';
import { writeDatasetCard } from './dataset-card';
import {
  dpoRows,
  isRolloutPair,
  ktoRows,
  rewardRows,
  rolloutPairRow,
  sftRows,
  type Built,
  type BuiltRow,
  type ExportFormat,
  type ExportKind,
  type RowFilters,
} from './export-rows';
import { checkRunLabels, EvaluatorTally, type EvaluatorFigures } from './qualified';
import { runView, type RunView } from './run-view';
import { contentKey, splitOf, taskHash } from './task-hash';
import { recordRefusals } from './text';

/** Harness runs and rollout candidates share the Wiggum rubric; lit-review scores do not, so they are opt-in. */
export const DEFAULT_EXPORT_KINDS = ['run', 'rollout'];

export interface ExportOptions {
  kind: ExportKind;
  /** runs.jsonl to read. */
  runsFile: string;
  /** Folder the records' paths are relative to (default: the folder holding runsFile). */
  dataDir?: string;
  outDir: string;
  minScore?: number;
  minDelta?: number;
  failBelow?: number;
  format?: ExportFormat;
  /** Share of tasks (0–0.9) written to test.jsonl, chosen by task hash. */
  split?: number;
  /** Run kinds to read (default: DEFAULT_EXPORT_KINDS; lit-review scores use another rubric). */
  runKinds?: string[];
  /** dpo: also take the rollout pairs (reward always does). */
  includeRollouts?: boolean;
  system?: string;
  /** Also take runs scored by evaluators that were not `qualified` at run time (the card then says so first). */
  allowUnqualified?: boolean;
}

export interface RunProblem {
  run_id: string;
  reason: string;
}

export interface ExportSummary {
  kind: ExportKind;
  outDir: string;
  files: string[];
  rows: { train: number; test: number };
  filters: Record<string, unknown>;
  input: {
    runsFile: string;
    runsRead: number;
    corruptLines: number;
    duplicateRunIds: number;
    unusableRecords: number;
    rolloutFiles: string[];
    rolloutPairsRead: number;
    /** Runs (and rollout pairs) whose evaluators were not all qualified at run time: left out, or with
     *  allowUnqualified taken in. */
    unqualified: number;
  };
  /** Every evaluator of the runs read: status at run time, accuracy and its 95% interval. */
  evaluators: EvaluatorFigures[];
  duplicatesDropped: number;
  /** Rows withheld because their task is in a held-out battery (data/batteries/). */
  batteryWithheld: number;
  /** Runs that passed the filters but could not be exported, with the reason (e.g. a missing output file). */
  problems: RunProblem[];
  /** Values per histogram name. */
  histograms: Record<string, number[]>;
  provenance: {
    rubricVersions: Record<string, number>;
    evaluatorModels: Record<string, number>;
    producerModels: Record<string, number>;
    runKinds: Record<string, number>;
    sources: Record<string, number>;
  };
}

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

/** Writes `<outDir>/train.jsonl` (and `test.jsonl` with a split) plus README.md; returns what was done. */
export async function exportDataset(o: ExportOptions): Promise<ExportSummary> {
  const dataDir = o.dataDir ?? path.dirname(path.resolve(o.runsFile));
  const split = o.split ?? 0;
  if (!(split >= 0 && split <= 0.9)) throw new RangeError('--split must be between 0 and 0.9');
  const filters: RowFilters = {
    minScore: o.minScore ?? 8.5,
    minDelta: o.minDelta ?? 1.0,
    failBelow: o.failBelow ?? 8.0,
    format: o.format ?? (o.kind === 'sft' ? 'messages' : 'prompt-completion'),
    system: o.system ?? '',
  };
  const s: ExportSummary = {
    kind: o.kind,
    outDir: o.outDir,
    files: [],
    rows: { train: 0, test: 0 },
    filters: {
      ...filters,
      split,
      runKinds: o.runKinds ?? DEFAULT_EXPORT_KINDS,
      includeRollouts: Boolean(o.includeRollouts),
      allowUnqualified: Boolean(o.allowUnqualified),
    },
    input: {
      runsFile: o.runsFile,
      runsRead: 0,
      corruptLines: 0,
      duplicateRunIds: 0,
      unusableRecords: 0,
      rolloutFiles: [],
      rolloutPairsRead: 0,
      unqualified: 0,
    },
    evaluators: [],
    duplicatesDropped: 0,
    batteryWithheld: 0,
    problems: [],
    histograms: {},
    provenance: { rubricVersions: {}, evaluatorModels: {}, producerModels: {}, runKinds: {}, sources: {} },
  };

  fs.mkdirSync(o.outDir, { recursive: true });
  const names = split > 0 ? (['train', 'test'] as const) : (['train'] as const);
  const outs = Object.fromEntries(
    names.map((n) => {
      const file = path.join(o.outDir, `${n}.jsonl`);
      return [
        n,
        {
          file,
          tmp: `${file}.tmp-${process.pid}`,
          stream: fs.createWriteStream(`${file}.tmp-${process.pid}`),
        },
      ];
    }),
  ) as Record<'train' | 'test', { file: string; tmp: string; stream: fs.WriteStream } | undefined>;
  const seen = new Set<string>();
  // Qualified evaluators only (unless allowUnqualified): per run id, whether its labels may be used.
  const qualifiedRun = new Map<string, boolean>();
  const tally = new EvaluatorTally();
  const heldOut = batteryTaskHashes(dataDir);

  const emit = async (
    b: BuiltRow,
    prov: { source: string; run?: RunView; rubric: string; evaluators: string[]; producer: string },
  ) => {
    if (heldOut.has(taskHash(b.task))) {
      s.batteryWithheld++;
      return;
    }
    const key = contentKey(...b.identity);
    if (seen.has(key)) {
      s.duplicatesDropped++;
      return;
    }
    seen.add(key);
    const side = splitOf(b.task, split);
    const out = outs[side]!;
    if (!out.stream.write(`${JSON.stringify(b.row)}\n`))
      await new Promise<void>((r) => out.stream.once('drain', () => r()));
    s.rows[side]++;
    for (const [name, v] of Object.entries(b.hist)) (s.histograms[name] ??= []).push(v);
    bump(s.provenance.rubricVersions, prov.rubric);
    for (const m of prov.evaluators) bump(s.provenance.evaluatorModels, m);
    bump(s.provenance.producerModels, prov.producer);
    bump(s.provenance.sources, prov.source);
    if (prov.run) bump(s.provenance.runKinds, prov.run.kind);
  };

  const build: Record<ExportKind, (d: string, r: RunView, f: RowFilters) => Built> = {
    sft: sftRows,
    dpo: dpoRows,
    kto: ktoRows,
    reward: rewardRows,
  };
  try {
    const records = readJsonl(o.runsFile, {
      key: 'run_id',
      onSkip: (k) => {
        if (k.reason.startsWith('duplicate')) s.input.duplicateRunIds++;
        else s.input.corruptLines++;
      },
    });
    for await (const rec of records) {
      s.input.runsRead++;
      const run = runView(rec);
      if ('error' in run) {
        s.input.unusableRecords++;
        continue;
      }
      const labels = checkRunLabels(rec);
      qualifiedRun.set(run.runId, labels.qualified);
      if (!(o.runKinds ?? DEFAULT_EXPORT_KINDS).includes(run.kind)) continue;
      tally.add(rec, labels);
      if (!labels.qualified) {
        s.input.unqualified++;
        if (!o.allowUnqualified) continue;
      }
      const built = build[o.kind](dataDir, run, filters);
      for (const reason of built.problems) s.problems.push({ run_id: run.runId, reason });
      await recordRefusals(dataDir, run.runId, 'export', built.problems);
      for (const b of built.rows)
        await emit(b, {
          source: 'run',
          run,
          rubric: run.rubricVersion,
          evaluators: run.evaluatorModels,
          producer: run.producerModel,
        });
    }

    if (o.kind === 'reward' || (o.kind === 'dpo' && o.includeRollouts)) {
      const dir = path.join(dataDir, 'rollouts');
      const files = fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => f.endsWith('.jsonl'))
            .sort()
        : [];
      for (const f of files) {
        s.input.rolloutFiles.push(path.posix.join('rollouts', f));
        const pairs = readJsonl(path.join(dir, f), {
          key: 'task_hash',
          onSkip: (k) => {
            if (!k.reason.startsWith('duplicate')) s.input.corruptLines++;
          },
        });
        for await (const p of pairs) {
          s.input.rolloutPairsRead++;
          if (!isRolloutPair(p)) {
            s.input.unusableRecords++;
            continue;
          }
          const ids = [p.chosen_run_id, p.rejected_run_id];
          if (!ids.every((id) => typeof id === 'string' && qualifiedRun.get(id) === true)) {
            s.input.unqualified++;
            if (!o.allowUnqualified) continue;
          }
          await emit(rolloutPairRow(o.kind as 'dpo' | 'reward', p, filters), {
            source: 'rollout',
            rubric: p.rubric_version ?? 'unknown',
            evaluators: Array.isArray(p.evaluator_models) ? p.evaluator_models : [],
            producer: p.producer_model ?? 'unknown',
          });
        }
      }
    }
  } catch (e) {
    for (const x of Object.values(outs)) if (x) fs.rmSync(x.tmp, { force: true });
    throw e;
  } finally {
    await Promise.all(
      Object.values(outs).map((x) => (x ? new Promise<void>((r) => x.stream.end(() => r())) : undefined)),
    );
  }
  for (const n of names) {
    const out = outs[n]!;
    fs.renameSync(out.tmp, out.file);
    s.files.push(out.file);
  }
  // A test split from an earlier export must not be loaded next to this one.
  if (split === 0) fs.rmSync(path.join(o.outDir, 'test.jsonl'), { force: true });
  s.evaluators = await tally.list(dataDir);
  writeDatasetCard(path.join(o.outDir, 'README.md'), s, dataDir);
  return s;
}
