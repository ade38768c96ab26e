// Row builders for each export kind. A builder turns one run (or one rollout pair) into zero or more rows,
// or reports why a run that passed the filters could not be exported (a missing file is never empty text).
import type { RunView } from './run-view';
import { taskHash } from './task-hash';
import { readRecordText } from './text';

export type ExportKind = 'sft' | 'dpo' | 'kto' | 'reward';
export const EXPORT_KINDS: ExportKind[] = ['sft', 'dpo', 'kto', 'reward'];
export type ExportFormat = 'messages' | 'prompt-completion';

export interface RowFilters {
  minScore: number;
  minDelta: number;
  /** kto: outputs scored below this are the undesirable examples. */
  failBelow: number;
  format: ExportFormat;
  /** System message for conversational rows; '' = none. */
  system: string;
}

/** Same keys and types on every row of every kind, so Arrow infers one schema. */
export interface Provenance {
  source: 'run' | 'rollout';
  run_ids: string[];
  task_hash: string;
  rubric_version: string;
  evaluator_models: string[];
  producer_model: string;
  scores: number[];
  session_id: string;
}

export interface BuiltRow {
  task: string;
  row: Record<string, unknown>;
  /** Text parts that identify a duplicate (prompt and completion). */
  identity: string[];
  /** Scores for the dataset card's histograms, by name. */
  hist: Record<string, number>;
}

export type Built = { rows: BuiltRow[]; problems: string[] };

export const r2 = (x: number) => Math.round(x * 100) / 100;

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

function promptOf(task: string, f: RowFilters): string | Message[] {
  if (f.format === 'prompt-completion') return task;
  return [
    ...(f.system ? [{ role: 'system' as const, content: f.system }] : []),
    { role: 'user', content: task },
  ];
}

const answer = (text: string, f: RowFilters): string | Message[] =>
  f.format === 'prompt-completion' ? text : [{ role: 'assistant', content: text }];

function runProvenance(run: RunView): Provenance {
  return {
    source: 'run',
    run_ids: [run.runId],
    task_hash: taskHash(run.task),
    rubric_version: run.rubricVersion,
    evaluator_models: run.evaluatorModels,
    producer_model: run.producerModel,
    scores: run.scores,
    session_id: run.sessionId ?? '',
  };
}

const last = (xs: number[]) => xs[xs.length - 1];

/** sft: PASS runs whose last score ≥ minScore; the final output is the completion. */
export function sftRows(dataDir: string, run: RunView, f: RowFilters): Built {
  if (run.final !== 'PASS' || !run.scores.length || last(run.scores) < f.minScore)
    return { rows: [], problems: [] };
  const out = readRecordText(dataDir, run.outputPath);
  if (!out.ok) return { rows: [], problems: [out.reason] };
  const provenance = runProvenance(run);
  const row =
    f.format === 'messages'
      ? {
          messages: [...(promptOf(run.task, f) as Message[]), { role: 'assistant', content: out.text }],
          provenance,
        }
      : { prompt: run.task, completion: out.text, provenance };
  return {
    rows: [{ task: run.task, row, identity: [run.task, out.text], hist: { score: last(run.scores) } }],
    problems: [],
  };
}

/** The natural preference pair of a multi-round run: final output over the round-1 draft. */
function runPair(
  dataDir: string,
  run: RunView,
  f: RowFilters,
):
  | { chosen: string; rejected: string; delta: number; chosenScore: number; rejectedScore: number }
  | { problem: string }
  | null {
  if (run.scores.length < 2) return null;
  // One definition for dpo's score_delta and reward's margin: the chosen text (the published output, the best
  // round) against the rejected one (the round-1 draft).
  const chosenScore = Math.max(...run.scores);
  const rejectedScore = run.scores[0];
  const delta = r2(chosenScore - rejectedScore);
  if (delta < f.minDelta) return null;
  const out = readRecordText(dataDir, run.outputPath);
  if (!out.ok) return { problem: out.reason };
  const draft = readRecordText(dataDir, run.draftPath, 'round-1 draft');
  if (!draft.ok) return { problem: draft.reason };
  if (draft.text === out.text) return { problem: 'the round-1 draft and the final output are the same text' };
  return {
    chosen: out.text,
    rejected: draft.text,
    delta,
    chosenScore,
    rejectedScore,
  };
}

/** dpo: runs with ≥ 2 scored rounds and best − first ≥ minDelta; rejected is the round-1 draft's text. */
export function dpoRows(dataDir: string, run: RunView, f: RowFilters): Built {
  const p = runPair(dataDir, run, f);
  if (p === null) return { rows: [], problems: [] };
  if ('problem' in p) return { rows: [], problems: [p.problem] };
  const row = {
    prompt: promptOf(run.task, f),
    chosen: answer(p.chosen, f),
    rejected: answer(p.rejected, f),
    score_delta: p.delta,
    chosen_score: p.chosenScore,
    rejected_score: p.rejectedScore,
    provenance: runProvenance(run),
  };
  return {
    rows: [
      {
        task: run.task,
        row,
        identity: [run.task, p.chosen, p.rejected],
        hist: { score_delta: p.delta, chosen_score: p.chosenScore, rejected_score: p.rejectedScore },
      },
    ],
    problems: [],
  };
}

/** reward (from runs): the same pairs as dpo, with TRL's optional `margin` column. */
export function rewardRows(dataDir: string, run: RunView, f: RowFilters): Built {
  const p = runPair(dataDir, run, f);
  if (p === null) return { rows: [], problems: [] };
  if ('problem' in p) return { rows: [], problems: [p.problem] };
  const margin = p.delta;
  const row = {
    prompt: promptOf(run.task, f),
    chosen: answer(p.chosen, f),
    rejected: answer(p.rejected, f),
    margin,
    chosen_score: p.chosenScore,
    rejected_score: p.rejectedScore,
    provenance: runProvenance(run),
  };
  return {
    rows: [{ task: run.task, row, identity: [run.task, p.chosen, p.rejected], hist: { margin } }],
    problems: [],
  };
}

/**
 * kto (unpaired): desirable = the output of a PASS run whose last score ≥ minScore; undesirable = the output
 * of a FAIL run, and the round-1 draft of a revised run when it scored below failBelow.
 */
export function ktoRows(dataDir: string, run: RunView, f: RowFilters): Built {
  const rows: BuiltRow[] = [];
  const problems: string[] = [];
  const add = (text: string, label: boolean, score: number) =>
    rows.push({
      task: run.task,
      row: {
        prompt: promptOf(run.task, f),
        completion: answer(text, f),
        label,
        score,
        provenance: runProvenance(run),
      },
      identity: [run.task, text],
      hist: { [label ? 'desirable' : 'undesirable']: score },
    });
  if (!run.scores.length) return { rows, problems };
  const good = run.final === 'PASS' && last(run.scores) >= f.minScore;
  const bad = run.final === 'FAIL';
  if (good || bad) {
    const out = readRecordText(dataDir, run.outputPath);
    if (out.ok) add(out.text, good, good ? last(run.scores) : Math.max(...run.scores));
    else problems.push(out.reason);
  }
  if (run.scores.length >= 2 && run.scores[0] < f.failBelow) {
    const draft = readRecordText(dataDir, run.draftPath, 'round-1 draft');
    if (draft.ok) add(draft.text, false, run.scores[0]);
    else problems.push(draft.reason);
  }
  return { rows, problems };
}

/** A line of data/rollouts/<batch_id>.jsonl, as the rollout workflow writes it. */
export interface RolloutPair {
  task_hash: string;
  batch_id: string;
  prompt: string;
  chosen: string;
  rejected: string;
  reward: number;
  chosen_score: number;
  rejected_score: number;
  chosen_run_id: string;
  rejected_run_id: string;
  rubric_version: string;
  evaluator_models: string[];
  producer_model: string;
  candidates: { run_id: string; score: number | null }[];
}

export function isRolloutPair(x: Record<string, unknown>): x is RolloutPair & Record<string, unknown> {
  return (
    typeof x.prompt === 'string' &&
    typeof x.chosen === 'string' &&
    typeof x.rejected === 'string' &&
    typeof x.reward === 'number' &&
    x.chosen.trim() !== '' &&
    x.rejected.trim() !== ''
  );
}

/** reward / dpo rows from a rollout pair (best vs worst candidate of one task). */
export function rolloutPairRow(kind: 'dpo' | 'reward', p: RolloutPair, f: RowFilters): BuiltRow {
  const provenance: Provenance = {
    source: 'rollout',
    run_ids: [p.chosen_run_id, p.rejected_run_id].filter((x) => typeof x === 'string'),
    task_hash: taskHash(p.prompt),
    rubric_version: p.rubric_version ?? 'unknown',
    evaluator_models: Array.isArray(p.evaluator_models) ? p.evaluator_models : [],
    producer_model: p.producer_model ?? 'unknown',
    scores: (p.candidates ?? []).flatMap((c) => (typeof c.score === 'number' ? [c.score] : [])),
    session_id: p.batch_id ?? '',
  };
  const base = {
    prompt: promptOf(p.prompt, f),
    chosen: answer(p.chosen, f),
    rejected: answer(p.rejected, f),
  };
  const scores = { chosen_score: p.chosen_score, rejected_score: p.rejected_score };
  const row =
    kind === 'dpo'
      ? { ...base, score_delta: r2(p.reward), ...scores, provenance }
      : { ...base, margin: r2(p.reward), ...scores, provenance };
  return {
    task: p.prompt,
    row,
    identity: [p.prompt, p.chosen, p.rejected],
    hist: kind === 'dpo' ? { score_delta: r2(p.reward) } : { margin: r2(p.reward) },
  };
}
