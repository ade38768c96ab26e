// The runs table: status, score, model, duration; filters kept in the URL, cursor pagination, KPI strip on top.
import { useState } from 'preact/hooks';
import { DateFilter, SelectFilter } from '../components/filter-fields';
import { useApi } from '../use-api';
import { href, navigate } from '../router';
import { STATUS_CLASS, fmtDuration, fmtInt, fmtScore, fmtTime } from '../format';
import type { FailureRateItem, Overview, Page, RunSummary } from '../types';

const STATUSES = ['PASS', 'FAIL', 'ERROR', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'];
const FILTERS = ['status', 'model', 'kind', 'session', 'q', 'from', 'to', 'sort', 'order', 'limit'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const PAGE_SIZES = [10, 25, 50, 100, 200];

const SORTS: [string, string, string][] = [
  ['', '', 'newest first'],
  ['started_at', 'asc', 'oldest first'],
  ['score', 'desc', 'best score'],
  ['score', 'asc', 'worst score'],
  ['duration', 'desc', 'slowest'],
  ['tokens', 'desc', 'most tokens'],
];

function pageSize(raw: string): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 200 ? n : 25;
}

export function RunsPage({ query }: { query: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Filters;
  const [cursors, setCursors] = useState<string[]>([]);
  const filterKey = JSON.stringify(filters);
  const [lastKey, setLastKey] = useState(filterKey);
  if (lastKey !== filterKey) {
    setLastKey(filterKey);
    setCursors([]);
  }
  const runs = useApi<Page<RunSummary>>('/api/runs', {
    ...filters,
    limit: pageSize(filters.limit),
    cursor: cursors[cursors.length - 1],
  });
  // The figures are for one kind of run (harness runs unless the Kind filter says otherwise): rubrics differ.
  const kind = { kind: filters.kind || 'run' };
  const overview = useApi<Overview>('/api/analytics/summary', kind);
  const byModel = useApi<{ items: FailureRateItem[] }>('/api/analytics/failure-rate', kind);
  const set = (patch: Partial<Filters>) => navigate(['runs'], { ...filters, ...patch });
  const data = runs.data;
  return (
    <section>
      <h1>Runs</h1>
      {overview.data && <OverviewStrip o={overview.data} />}
      <form class="filters" data-testid="run-filters" onSubmit={(e) => e.preventDefault()}>
        <SelectFilter
          label="Status"
          name="status"
          value={filters.status}
          choices={[...STATUSES, ['FAIL,ERROR,TIMED_OUT', 'not passed']]}
          onChange={(v) => set({ status: v })}
        />
        <SelectFilter
          label="Producer model"
          name="model"
          value={filters.model}
          choices={(byModel.data?.items ?? []).map((m) => m.producer_model)}
          onChange={(v) => set({ model: v })}
        />
        <SelectFilter
          label="Kind"
          name="kind"
          value={filters.kind}
          choices={['run', 'rollout', 'lit_review', 'eval']}
          onChange={(v) => set({ kind: v })}
        />
        <label class="grow">
          Task contains
          <input
            name="q"
            type="search"
            value={filters.q}
            placeholder="text in task"
            onChange={(e) => set({ q: e.currentTarget.value.trim() })}
          />
        </label>
        <DateFilter label="From" name="from" value={filters.from} onChange={(v) => set({ from: v })} />
        <DateFilter label="To" name="to" value={filters.to} onChange={(v) => set({ to: v })} />
        <label>
          Sort
          <select
            name="sort"
            value={`${filters.sort}|${filters.order}`}
            onChange={(e) => {
              const [sort, order] = e.currentTarget.value.split('|');
              set({ sort, order });
            }}
          >
            {SORTS.map(([s, o, label]) => (
              <option key={label} value={`${s}|${o}`}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Per page
          <select
            name="limit"
            value={String(pageSize(filters.limit))}
            onChange={(e) => set({ limit: e.currentTarget.value })}
          >
            {[...new Set([...PAGE_SIZES, pageSize(filters.limit)])]
              .sort((a, b) => a - b)
              .map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
          </select>
        </label>
        <a class="button subtle" href="#/runs">
          Clear
        </a>
      </form>
      {filters.session && (
        <p class="muted">
          Session <code>{filters.session}</code> ·{' '}
          <a href={href(['runs'], { ...filters, session: '' })}>all runs</a>
        </p>
      )}
      {runs.error && <p class="error">{runs.error}</p>}
      <table class="data runs" data-testid="runs-table">
        <thead>
          <tr>
            <th>Started</th>
            <th>Status</th>
            <th>Task</th>
            <th>Producer</th>
            <th class="num">Rounds</th>
            <th class="num">First</th>
            <th class="num">Score</th>
            <th class="num">Duration</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((r) => (
            <tr key={r.run_id} data-run-id={r.run_id}>
              <td class="nowrap">{fmtTime(r.started_at)}</td>
              <td>
                <span class={`badge ${STATUS_CLASS[r.final] ?? ''}`} title={r.error ?? undefined}>
                  {r.final}
                </span>
              </td>
              <td class="task">
                <a href={href(['runs', r.run_id])}>{r.task}</a>
                {r.kind !== 'run' && <span class="badge muted kind">{r.kind}</span>}
              </td>
              <td>{r.producer_model}</td>
              <td class="num">{r.wiggum_rounds}</td>
              <td class="num">{fmtScore(r.first_score)}</td>
              <td class="num strong">{fmtScore(r.best_score)}</td>
              <td class="num">{fmtDuration(r.run_duration_s)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.items.length === 0 && <p class="muted">No runs match.</p>}
      <div class="pager">
        {data?.total !== null && data?.total !== undefined && (
          <span class="muted">{fmtInt(data.total)} matching</span>
        )}
        <button
          type="button"
          data-testid="runs-prev"
          disabled={cursors.length === 0 || runs.loading}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          ← Previous
        </button>
        <span class="muted" data-testid="runs-page-number">
          page {cursors.length + 1}
        </span>
        <button
          type="button"
          data-testid="runs-next"
          disabled={!data?.next_cursor || runs.loading}
          onClick={() => data?.next_cursor && setCursors([...cursors, data.next_cursor])}
        >
          Next →
        </button>
      </div>
      {byModel.data && byModel.data.items.length > 0 && <ModelTable items={byModel.data.items} />}
    </section>
  );
}

const KIND_LABEL: Record<string, string> = {
  run: 'harness',
  rollout: 'rollout',
  lit_review: 'lit-review',
  all: 'all',
};

function OverviewStrip({ o }: { o: Overview }) {
  return (
    <div class="cards" data-testid="runs-kpis">
      <div class="card">
        <b>{fmtInt(o.runs)}</b>
        <small data-testid="kpi-kind">{KIND_LABEL[o.kind] ?? o.kind} runs</small>
      </div>
      <div class="card">
        <b>{o.pass_rate === null ? '–' : `${Math.round(o.pass_rate * 100)}%`}</b>
        <small>pass rate</small>
      </div>
      <div class="card">
        <b>{fmtScore(o.mean_best_score)}</b>
        <small>mean best score</small>
      </div>
      <div class="card">
        <b>{fmtInt(o.input_tokens + o.output_tokens)}</b>
        <small>tokens</small>
      </div>
      <div class="card">
        <b>{fmtDuration(o.total_duration_s)}</b>
        <small>total run time</small>
      </div>
    </div>
  );
}

function ModelTable({ items }: { items: FailureRateItem[] }) {
  return (
    <>
      <h2>By producer model</h2>
      <table class="data compact" data-testid="model-table">
        <thead>
          <tr>
            <th>Producer model</th>
            <th class="num">Runs</th>
            <th class="num">Failure rate</th>
            <th class="num">Error rate</th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.producer_model}>
              <td>
                <a href={href(['runs'], { model: m.producer_model })}>{m.producer_model}</a>
              </td>
              <td class="num">{fmtInt(m.runs)}</td>
              <td class="num">{Math.round(m.failure_rate * 100)}%</td>
              <td class="num">{Math.round(m.error_rate * 100)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
