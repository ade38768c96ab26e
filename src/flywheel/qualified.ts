// The exports' "qualified evaluators only" step: a run's labels are training data only when every evaluator
// that scored it was qualified when the run started (the record's evaluator_qualifications).
import { readQualifications, statusOf, type QualificationStatus } from '../judge/qualification';

/** One evaluator as the dataset card lists it. */
export interface EvaluatorFigures {
  model: string;
  /** Exported rows' runs by this evaluator's status at run time. */
  runs: Partial<Record<QualificationStatus, number>>;
  accuracy: number | null;
  accuracy_ci95: [number, number] | null;
  /** When that accuracy was measured. */
  at: string | null;
}

export interface RunLabelCheck {
  qualified: boolean;
  /** Each scoring evaluator's status at run time (older records without the field: unknown). */
  statuses: Record<string, QualificationStatus>;
  /** Why the run is not qualified, else null. */
  reason: string | null;
}

/** The command that qualifies evaluators (section "Can I trust the scores?" of the README). */
export const qualifyCommand = (models: string[]) => `flywheel judge qualify --models ${models.join(',')}`;

const STATUSES = new Set<string>(['qualified', 'unqualified', 'unknown']);

/** The evaluators whose scores the record kept: any with a usable composite, else all it names. */
function scoringEvaluators(rec: Record<string, any>): string[] {
  const scores: any[] = Array.isArray(rec.evaluator_scores) ? rec.evaluator_scores : [];
  const scored = scores.filter((e) => typeof e?.model === 'string' && typeof e.composite === 'number');
  if (scored.length) return [...new Set(scored.map((e) => e.model as string))];
  const named: unknown[] = Array.isArray(rec.evaluator_models)
    ? rec.evaluator_models
    : [rec.evaluator_model].filter(Boolean);
  return [...new Set(named.filter((m): m is string => typeof m === 'string'))];
}

/** Whether a run record's labels come only from evaluators qualified at run time. */
export function checkRunLabels(rec: Record<string, any>): RunLabelCheck {
  const quals = rec.evaluator_qualifications && typeof rec.evaluator_qualifications === 'object';
  const statuses: Record<string, QualificationStatus> = {};
  for (const m of scoringEvaluators(rec)) {
    const s = quals ? rec.evaluator_qualifications[m]?.status : undefined;
    statuses[m] = typeof s === 'string' && STATUSES.has(s) ? (s as QualificationStatus) : 'unknown';
  }
  const bad = Object.entries(statuses).filter(([, s]) => s !== 'qualified');
  const reason = !Object.keys(statuses).length
    ? 'no evaluator scored it'
    : bad.length
      ? `evaluator ${bad.map(([m, s]) => `${m} ${s}`).join(', ')} at run time`
      : null;
  return { qualified: reason === null, statuses, reason };
}

/** Collects, across the exported runs, each evaluator's status counts and latest measured accuracy. */
export class EvaluatorTally {
  private readonly byModel = new Map<string, EvaluatorFigures>();

  add(rec: Record<string, any>, check: RunLabelCheck): void {
    for (const [model, status] of Object.entries(check.statuses)) {
      const f = this.figures(model);
      f.runs[status] = (f.runs[status] ?? 0) + 1;
      const q = rec.evaluator_qualifications?.[model];
      if (typeof q?.accuracy === 'number' && typeof q.at === 'string' && (!f.at || q.at > f.at)) {
        f.accuracy = q.accuracy;
        f.accuracy_ci95 = Array.isArray(q.accuracy_ci95) ? (q.accuracy_ci95 as [number, number]) : null;
        f.at = q.at;
      }
    }
  }

  /** Evaluators never measured as of their runs get the latest measurement in the data folder, if any. */
  async list(dataDir: string): Promise<EvaluatorFigures[]> {
    const missing = [...this.byModel.values()].filter((f) => f.accuracy === null);
    if (missing.length) {
      const all = await readQualifications(dataDir);
      for (const f of missing) {
        const q = statusOf(all, f.model);
        if (q.accuracy !== null)
          Object.assign(f, { accuracy: q.accuracy, accuracy_ci95: q.accuracy_ci95, at: q.at });
      }
    }
    return [...this.byModel.values()].sort((a, b) => a.model.localeCompare(b.model));
  }

  private figures(model: string): EvaluatorFigures {
    let f = this.byModel.get(model);
    if (!f) this.byModel.set(model, (f = { model, runs: {}, accuracy: null, accuracy_ci95: null, at: null }));
    return f;
  }
}
