// A tolerant view of one runs.jsonl record for the flywheel's readers (exports, reports, calibration).
// Records written by Flywheel, imported ones and the Python harness's all have these core fields.

export interface EvaluatorRound {
  model: string;
  round: number;
  composite: number | null;
}

export interface RunView {
  runId: string;
  kind: string;
  task: string;
  final: string;
  /** Composite per scored round. */
  scores: number[];
  outputPath: string | null;
  draftPath: string | null;
  rubricVersion: string;
  evaluatorModels: string[];
  producerModel: string;
  sessionId: string | null;
  startedAt: string | null;
  evaluatorScores: EvaluatorRound[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The view, or the reason the record cannot be used. */
export function runView(rec: Record<string, unknown>): RunView | { error: string } {
  const runId = str(rec.run_id);
  if (!runId) return { error: 'no run_id' };
  const task = str(rec.task);
  if (!task) return { error: `run ${runId}: no task` };
  const final = str(rec.final);
  if (!final) return { error: `run ${runId}: no final status` };
  const rawScores = rec.wiggum_scores ?? [];
  if (!Array.isArray(rawScores) || !rawScores.every(finite))
    return { error: `run ${runId}: wiggum_scores is not a list of numbers` };
  const models = Array.isArray(rec.evaluator_models)
    ? rec.evaluator_models.filter((m): m is string => typeof m === 'string')
    : str(rec.evaluator_model)
      ? [rec.evaluator_model as string]
      : [];
  const evaluatorScores: EvaluatorRound[] = Array.isArray(rec.evaluator_scores)
    ? rec.evaluator_scores.flatMap((e: any) =>
        e && typeof e.model === 'string' && Number.isInteger(e.round)
          ? [{ model: e.model, round: e.round, composite: finite(e.composite) ? e.composite : null }]
          : [],
      )
    : [];
  return {
    runId,
    kind: str(rec.kind) ?? 'run',
    task,
    final,
    scores: rawScores as number[],
    outputPath: str(rec.output_path),
    draftPath: str(rec.draft_path),
    rubricVersion: str(rec.rubric_version) ?? 'unknown',
    evaluatorModels: models,
    producerModel: str(rec.producer_model) ?? 'unknown',
    sessionId: str(rec.session_id),
    startedAt: str(rec.started_at),
    evaluatorScores,
  };
}

/**
 * Each evaluator's composite for the published output. The harness publishes the best round (the first
 * with the highest composite), so that is the round whose per-evaluator scores describe the output.
 */
export function publishedScores(run: RunView): Map<string, number> {
  const rounds = [...new Set(run.evaluatorScores.map((e) => e.round))].sort((a, b) => a - b);
  const scoredRounds = rounds.filter((r) =>
    run.evaluatorScores.some((e) => e.round === r && e.composite !== null),
  );
  let round = scoredRounds[scoredRounds.length - 1];
  if (scoredRounds.length === run.scores.length && run.scores.length > 0) {
    const best = run.scores.indexOf(Math.max(...run.scores));
    round = scoredRounds[best];
  }
  const out = new Map<string, number>();
  for (const e of run.evaluatorScores)
    if (e.round === round && e.composite !== null) out.set(e.model, e.composite);
  // Records without per-evaluator scores (e.g. imported): the run's own best score, under its evaluator.
  if (out.size === 0 && run.scores.length && run.evaluatorModels.length === 1)
    out.set(run.evaluatorModels[0], Math.max(...run.scores));
  return out;
}
