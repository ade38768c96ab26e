// What the seed computes with pandas, kept as running aggregates: each appended record updates them once, so
// the analytics endpoints cost the same on 1k and on 100k runs.
import { DIMENSIONS, type Dimension } from '../audit/records';
import { round2 } from './sessions';
import type { RunRow, Status } from './run-row';

interface Mean {
  sum: number;
  n: number;
}
const mean = (m: Mean) => (m.n ? round2(m.sum / m.n) : null);
const add = (m: Mean, v: number) => {
  m.sum += v;
  m.n++;
};

interface ModelAgg {
  runs: number;
  by_status: Partial<Record<Status, number>>;
  first_composite: Mean;
  first_dims: Record<Dimension, Mean>;
}

interface StageAgg {
  runs: number;
  duration_s: number;
  duration_max: number;
  input_tokens: number;
  output_tokens: number;
  attempts: number;
}

const BINS = 10;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const bin = (score: number) => Math.min(BINS - 1, Math.max(0, Math.floor(score)));

export class RunAnalytics {
  private models = new Map<string, ModelAgg>();
  private stages = new Map<string, StageAgg>();
  private bestHist = new Array<number>(BINS).fill(0);
  private firstHist = new Array<number>(BINS).fill(0);
  private unscored = 0;
  private total = 0;
  private byStatus: Partial<Record<Status, number>> = {};
  private byKind: Record<string, number> = {};
  private best: Mean = { sum: 0, n: 0 };
  private inTok = 0;
  private outTok = 0;
  private duration = 0;
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private firstAt: string | null = null;
  private lastAt: string | null = null;

  reset(): void {
    Object.assign(this, new RunAnalytics());
  }

  add(row: RunRow, rec: Record<string, unknown>): void {
    this.total++;
    this.byStatus[row.final] = (this.byStatus[row.final] ?? 0) + 1;
    this.byKind[row.kind] = (this.byKind[row.kind] ?? 0) + 1;
    this.inTok += row.input_tokens;
    this.outTok += row.output_tokens;
    this.duration += row.run_duration_s;
    if (row.started_ms < this.firstMs) [this.firstMs, this.firstAt] = [row.started_ms, row.started_at];
    if (row.started_ms > this.lastMs) [this.lastMs, this.lastAt] = [row.started_ms, row.started_at];

    let m = this.models.get(row.producer_model);
    if (!m) {
      m = {
        runs: 0,
        by_status: {},
        first_composite: { sum: 0, n: 0 },
        first_dims: Object.fromEntries(DIMENSIONS.map((d) => [d, { sum: 0, n: 0 }])) as Record<
          Dimension,
          Mean
        >,
      };
      this.models.set(row.producer_model, m);
    }
    m.runs++;
    m.by_status[row.final] = (m.by_status[row.final] ?? 0) + 1;
    if (row.first_score !== null) add(m.first_composite, row.first_score);
    const dims = rec.wiggum_dimensions as Record<string, unknown> | undefined;
    if (dims && typeof dims === 'object') {
      for (const d of DIMENSIONS) {
        const arr = dims[d];
        if (Array.isArray(arr) && isNum(arr[0])) add(m.first_dims[d], arr[0]);
      }
    }

    if (row.best_score === null) this.unscored++;
    else {
      this.bestHist[bin(row.best_score)]++;
      add(this.best, row.best_score);
    }
    if (row.first_score !== null) this.firstHist[bin(row.first_score)]++;

    const stages = rec.stages as Record<string, unknown> | undefined;
    if (stages && typeof stages === 'object') {
      for (const [name, raw] of Object.entries(stages)) {
        const st = raw as Record<string, unknown>;
        if (!st || typeof st !== 'object' || !isNum(st.duration_s)) continue;
        let a = this.stages.get(name);
        if (!a) {
          if (this.stages.size >= 200) continue;
          a = { runs: 0, duration_s: 0, duration_max: 0, input_tokens: 0, output_tokens: 0, attempts: 0 };
          this.stages.set(name, a);
        }
        a.runs++;
        a.duration_s += st.duration_s;
        a.duration_max = Math.max(a.duration_max, st.duration_s);
        if (isNum(st.input_tokens)) a.input_tokens += st.input_tokens;
        if (isNum(st.output_tokens)) a.output_tokens += st.output_tokens;
        if (isNum(st.attempts)) a.attempts += st.attempts;
      }
    }
  }

  overview() {
    return {
      runs: this.total,
      by_status: this.byStatus,
      by_kind: this.byKind,
      pass_rate: this.total ? round4((this.byStatus.PASS ?? 0) / this.total) : null,
      mean_best_score: mean(this.best),
      input_tokens: this.inTok,
      output_tokens: this.outTok,
      total_duration_s: round2(this.duration),
      producer_models: this.models.size,
      first_started_at: this.firstAt,
      last_started_at: this.lastAt,
    };
  }

  failureRate() {
    return [...this.models.entries()]
      .map(([model, m]) => {
        const pass = m.by_status.PASS ?? 0;
        return {
          producer_model: model,
          runs: m.runs,
          by_status: m.by_status,
          failure_rate: round4((m.runs - pass) / m.runs),
          error_rate: round4((m.by_status.ERROR ?? 0) / m.runs),
        };
      })
      .sort((a, b) => b.runs - a.runs || a.producer_model.localeCompare(b.producer_model));
  }

  firstRoundScores() {
    return [...this.models.entries()]
      .map(([model, m]) => ({
        producer_model: model,
        runs_scored: m.first_composite.n,
        composite: mean(m.first_composite),
        dimensions: Object.fromEntries(
          DIMENSIONS.map((d) => [d, { mean: mean(m.first_dims[d]), n: m.first_dims[d].n }]),
        ) as Record<Dimension, { mean: number | null; n: number }>,
      }))
      .sort((a, b) => b.runs_scored - a.runs_scored || a.producer_model.localeCompare(b.producer_model));
  }

  scoreDistribution() {
    const bins = (h: number[]) => h.map((count, i) => ({ from: i, to: i + 1, count }));
    return { best: bins(this.bestHist), first_round: bins(this.firstHist), unscored: this.unscored };
  }

  /** In the order stages first appeared (pipeline order). */
  stageStats() {
    return [...this.stages.entries()].map(([stage, a]) => ({
      stage,
      runs: a.runs,
      duration_s: {
        total: round2(a.duration_s),
        mean: round2(a.duration_s / a.runs),
        max: round2(a.duration_max),
      },
      input_tokens: { total: a.input_tokens, mean: round2(a.input_tokens / a.runs) },
      output_tokens: { total: a.output_tokens, mean: round2(a.output_tokens / a.runs) },
      attempts: a.attempts,
    }));
  }
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/**
 * The aggregates per run kind (harness `run`, `rollout`, `lit_review`, …) and over all: scores of different kinds
 * come from different rubrics, so the endpoints read one kind at a time (`run` unless asked) or `all` explicitly.
 */
export class AnalyticsByKind {
  private readonly all = new RunAnalytics();
  private readonly kinds = new Map<string, RunAnalytics>();

  reset(): void {
    this.all.reset();
    this.kinds.clear();
  }

  add(row: RunRow, rec: Record<string, unknown>): void {
    this.all.add(row, rec);
    let k = this.kinds.get(row.kind);
    if (!k) this.kinds.set(row.kind, (k = new RunAnalytics()));
    k.add(row, rec);
  }

  /** The aggregates of one kind (empty when there is none), or of every run for `all`. */
  of(kind: string): RunAnalytics {
    return kind === 'all' ? this.all : (this.kinds.get(kind) ?? new RunAnalytics());
  }
}
