// Security KPI cards (counts per severity, type, layer) and the filterable event table.
import { useState } from 'preact/hooks';
import { DateFilter, SelectFilter } from '../components/filter-fields';
import { useApi } from '../use-api';
import { href, navigate } from '../router';
import { fmtInt, fmtTime } from '../format';
import type { Page, SecurityEvent, SecuritySummary } from '../types';

const FILTERS = ['severity', 'event_type', 'layer', 'run_id', 'from', 'to'] as const;

export function SecurityPage({ query }: { query: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const summary = useApi<SecuritySummary>('/api/security/summary');
  const [cursors, setCursors] = useState<string[]>([]);
  const key = JSON.stringify(filters);
  const [lastKey, setLastKey] = useState(key);
  if (key !== lastKey) {
    setLastKey(key);
    setCursors([]);
  }
  const events = useApi<Page<SecurityEvent>>('/api/security/events', {
    ...filters,
    limit: 50,
    cursor: cursors[cursors.length - 1],
  });
  const set = (k: string, v: string) => navigate(['security'], { ...filters, [k]: v });
  const s = summary.data;
  return (
    <section class="security">
      <h1>Security</h1>
      {summary.error && <p class="error">{summary.error}</p>}
      {s && (
        <>
          <div class="cards" data-testid="security-cards">
            <Card label="events" value={s.total} testId="kpi-total" />
            <Card
              label="blocked"
              value={s.by_severity.block}
              tone="bad"
              testId="kpi-block"
              onClick={() => set('severity', 'block')}
            />
            <Card
              label="warnings"
              value={s.by_severity.warn}
              tone="warn"
              testId="kpi-warn"
              onClick={() => set('severity', 'warn')}
            />
            <Card label="runs with events" value={s.runs_with_events} testId="kpi-runs" />
          </div>
          <div class="breakdowns">
            <Breakdown
              title="By event type"
              rows={s.by_event_type.map((r) => ({ key: r.event_type, ...r }))}
              onPick={(v) => set('event_type', v)}
              testId="by-type"
            />
            <Breakdown
              title="By layer"
              rows={s.by_layer.map((r) => ({ key: r.layer, ...r }))}
              onPick={(v) => set('layer', v)}
              testId="by-layer"
            />
            <Breakdown
              title="Runs with the most events"
              rows={s.top_runs.map((r) => ({ key: r.run_id, ...r }))}
              onPick={(v) => set('run_id', v)}
              testId="by-run"
            />
          </div>
        </>
      )}
      <h2>Events</h2>
      <form class="filters" data-testid="security-filters" onSubmit={(e) => e.preventDefault()}>
        <SelectFilter
          label="Severity"
          name="severity"
          value={filters.severity}
          choices={['block', 'warn']}
          onChange={(v) => set('severity', v)}
        />
        <SelectFilter
          label="Event type"
          name="event_type"
          value={filters.event_type}
          choices={(s?.by_event_type ?? []).map((r) => r.event_type)}
          onChange={(v) => set('event_type', v)}
        />
        <SelectFilter
          label="Layer"
          name="layer"
          value={filters.layer}
          choices={(s?.by_layer ?? []).map((r) => r.layer)}
          onChange={(v) => set('layer', v)}
        />
        <label>
          Run id
          <input
            name="run_id"
            value={filters.run_id}
            onChange={(e) => set('run_id', e.currentTarget.value.trim())}
          />
        </label>
        <DateFilter label="From" name="from" value={filters.from} onChange={(v) => set('from', v)} />
        <DateFilter label="To" name="to" value={filters.to} onChange={(v) => set('to', v)} />
        <a class="button subtle" href="#/security">
          Clear
        </a>
      </form>
      {events.error && <p class="error">{events.error}</p>}
      <table class="data" data-testid="security-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Severity</th>
            <th>Type</th>
            <th>Layer</th>
            <th>Run</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.data?.items.map((e) => (
            <tr key={e.id}>
              <td class="nowrap">{fmtTime(e.ts)}</td>
              <td>
                <span class={`badge ${e.severity === 'block' ? 'bad' : 'warn'}`}>{e.severity}</span>
              </td>
              <td>{e.event_type}</td>
              <td>{e.layer}</td>
              <td>
                {e.run_id ? <a href={href(['runs', e.run_id])}>{e.run_id}</a> : <span class="muted">–</span>}
              </td>
              <td class="detail">{e.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.data && events.data.items.length === 0 && <p class="muted">No events match.</p>}
      <div class="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          ← Newer
        </button>
        <span class="muted">page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!events.data?.next_cursor}
          onClick={() => events.data?.next_cursor && setCursors([...cursors, events.data.next_cursor])}
        >
          Older →
        </button>
      </div>
    </section>
  );
}

function Card(props: { label: string; value: number; tone?: string; testId: string; onClick?: () => void }) {
  return (
    <button
      type="button"
      class={`card ${props.tone ?? ''}`}
      data-testid={props.testId}
      onClick={props.onClick}
      disabled={!props.onClick}
    >
      <b>{fmtInt(props.value)}</b>
      <small>{props.label}</small>
    </button>
  );
}

interface BreakdownRow {
  key: string;
  block: number;
  warn: number;
  total: number;
}

/** Horizontal bars, block (red) stacked on warn (amber); a click filters the table by that value. */
function Breakdown(props: {
  title: string;
  rows: BreakdownRow[];
  onPick: (value: string) => void;
  testId: string;
}) {
  const rows = [...props.rows].sort((a, b) => b.total - a.total);
  const max = Math.max(1, ...rows.map((r) => r.total));
  return (
    <div class="panel breakdown" data-testid={props.testId}>
      <h3>{props.title}</h3>
      {rows.length === 0 && <p class="muted">none</p>}
      {rows.map((r) => (
        <button
          type="button"
          key={r.key}
          class="hbar"
          data-key={r.key}
          title={`${r.block} block, ${r.warn} warn`}
          onClick={() => props.onPick(r.key)}
        >
          <span class="hbar-label">{r.key}</span>
          <span class="hbar-track">
            <span class="hbar-fill block" style={{ width: `${(r.block / max) * 100}%` }} />
            <span class="hbar-fill warn" style={{ width: `${(r.warn / max) * 100}%` }} />
          </span>
          <span class="num">{fmtInt(r.total)}</span>
        </button>
      ))}
    </div>
  );
}
