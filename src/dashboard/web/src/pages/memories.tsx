// The memory graph (similarity and shared-run edges), an editor for one memory, and the prune candidates.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { useApi } from '../use-api';
import { href, navigate } from '../router';
import { forceLayout } from '../components/force-layout';
import { FeedbackForm } from '../components/feedback-form';
import { fmtScore, fmtTime } from '../format';
import type { Memory, MemoryGraph as Graph, Page, PruneCandidate } from '../types';

const W = 720;
const H = 460;

export function MemoriesPage({ selected }: { selected?: string }) {
  const graph = useApi<Graph>('/api/memories/graph');
  const prune = useApi<{ items: PruneCandidate[] }>('/api/memories/prune-candidates');
  const [version, setVersion] = useState(0);
  const reloadAll = () => {
    graph.reload();
    prune.reload();
    setVersion((v) => v + 1);
  };
  return (
    <section class="memories">
      <h1>Memories</h1>
      {graph.error && <p class="error">{graph.error}</p>}
      <div class="graph-layout">
        <div class="panel">
          {graph.data ? (
            <MemoryGraph graph={graph.data} selected={selected} />
          ) : (
            <p class="muted">Loading…</p>
          )}
        </div>
        <aside class="panel editor">
          {selected ? (
            <MemoryEditor key={selected} id={selected} onChanged={reloadAll} />
          ) : (
            <>
              <p class="muted">Pick a memory in the graph or the list to read and edit it.</p>
              <NewMemory onCreated={(m) => (reloadAll(), navigate(['memories', m.id]))} />
            </>
          )}
        </aside>
      </div>
      <MemoryList key={version} selected={selected} />
      <h2>Prune candidates</h2>
      {prune.error && <p class="error">{prune.error}</p>}
      {prune.data && prune.data.items.length === 0 && <p class="muted">None: every memory looks useful.</p>}
      {prune.data && prune.data.items.length > 0 && (
        <table class="data" data-testid="prune-table">
          <thead>
            <tr>
              <th>Memory</th>
              <th class="num">Quality</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {prune.data.items.map((p) => (
              <tr key={p.memory.id}>
                <td>
                  <a href={href(['memories', p.memory.id])}>{labelOf(graph.data, p.memory)}</a>
                </td>
                <td class="num">{fmtScore(p.memory.quality)}</td>
                <td>
                  {p.reasons.map((r) => (
                    <div key={r.kind}>
                      <span class="badge muted">{r.kind.replace(/_/g, ' ')}</span> {r.detail}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function labelOf(graph: Graph | undefined, m: Memory): string {
  return graph?.nodes.find((n) => n.id === m.id)?.label ?? (m.task || m.text.slice(0, 80));
}

function qualityColor(q: number): string {
  const t = Math.max(0, Math.min(10, q)) / 10;
  return `hsl(${Math.round(t * 130)} 65% 45%)`;
}

function MemoryGraph({ graph, selected }: { graph: Graph; selected?: string }) {
  const pos = useMemo(() => forceLayout(graph.nodes, graph.edges, W, H, 300, 85), [graph]);
  if (graph.nodes.length === 0) return <p class="muted">The memory store is empty.</p>;
  const showLabels = graph.nodes.length <= 40;
  return (
    <figure class="chart" data-testid="memory-graph">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Memory graph">
        {graph.edges.map((e, i) => {
          const a = pos.get(e.source);
          const b = pos.get(e.target);
          if (!a || !b) return null;
          return (
            <line key={i} x1={a.x} y1={a.y} x2={b.x} y2={b.y} class={`edge ${e.kind}`}>
              <title>
                {e.kind === 'similar' ? `similarity ${e.weight.toFixed(2)}` : e.kind.replace('_', ' ')}
              </title>
            </line>
          );
        })}
        {graph.nodes.map((n) => {
          const p = pos.get(n.id);
          if (!p) return null;
          return (
            <a key={n.id} href={href(['memories', n.id])} class="node" data-memory-id={n.id}>
              <circle
                cx={p.x}
                cy={p.y}
                r={7 + Math.max(0, Math.min(10, n.quality))}
                fill={qualityColor(n.quality)}
                class={n.id === selected ? 'selected' : ''}
              >
                <title>{`${n.label} (quality ${fmtScore(n.quality)})`}</title>
              </circle>
              {showLabels && (
                <text x={p.x} y={p.y + 30} text-anchor="middle" class="node-label">
                  {n.label.length > 26 ? `${n.label.slice(0, 25)}…` : n.label}
                </text>
              )}
            </a>
          );
        })}
      </svg>
      <figcaption class="legend">
        <span>
          <i class="edge-key similarity" />
          similar text
        </span>
        <span>
          <i class="edge-key same_run" />
          same source run
        </span>
        <span>
          <i class="edge-key same_task" />
          same task
        </span>
        <span>circle size and color: quality (red low, green high)</span>
        {graph.truncated && <span>some edges left out</span>}
      </figcaption>
    </figure>
  );
}

function MemoryEditor({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { data, error, reload } = useApi<Memory>(`/api/memories/${encodeURIComponent(id)}`);
  const [draft, setDraft] = useState<{ text: string; quality: number } | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; msg: string }>();
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const form = draft ?? { text: data.text, quality: data.quality };
  const save = () =>
    api<Memory>(`/api/memories/${encodeURIComponent(id)}`, { method: 'PATCH', body: form })
      .then(() => {
        setDraft(null);
        setStatus({ ok: true, msg: 'Saved.' });
        reload();
        onChanged();
      })
      .catch((e: Error) => setStatus({ ok: false, msg: e.message }));
  const remove = () => {
    if (!confirm('Delete this memory?')) return;
    api(`/api/memories/${encodeURIComponent(id)}`, { method: 'DELETE' })
      .then(() => {
        onChanged();
        navigate(['memories']);
      })
      .catch((e: Error) => setStatus({ ok: false, msg: e.message }));
  };
  return (
    <div data-testid="memory-editor">
      <h2>Memory</h2>
      <dl class="meta">
        <dt>id</dt>
        <dd>
          <code>{data.id}</code>
        </dd>
        {data.run_id && (
          <>
            <dt>from run</dt>
            <dd>
              <a href={href(['runs', data.run_id])}>{data.run_id}</a>
            </dd>
          </>
        )}
        {data.task && (
          <>
            <dt>task</dt>
            <dd>{data.task}</dd>
          </>
        )}
        <dt>run score</dt>
        <dd>{fmtScore(data.score)}</dd>
        <dt>retrieved</dt>
        <dd>
          {data.retrieved_count}× {data.last_retrieved_at ? `(last ${fmtTime(data.last_retrieved_at)})` : ''}
        </dd>
        <dt>updated</dt>
        <dd>{fmtTime(data.updated_at)}</dd>
      </dl>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label class="block">
          Text
          <textarea
            name="text"
            rows={8}
            value={form.text}
            onInput={(e) => setDraft({ ...form, text: e.currentTarget.value })}
          />
        </label>
        <label>
          Quality (0–10)
          <input
            name="quality"
            type="number"
            min={0}
            max={10}
            step={0.1}
            value={form.quality}
            onInput={(e) => setDraft({ ...form, quality: Number(e.currentTarget.value) })}
          />
        </label>
        <div class="row">
          <button type="submit" disabled={!draft}>
            Save
          </button>
          <button type="button" class="danger" onClick={remove}>
            Delete
          </button>
          {status && <span class={status.ok ? 'ok-text' : 'error'}>{status.msg}</span>}
        </div>
      </form>
      <h3>Rate this memory</h3>
      <FeedbackForm
        testId="memory-feedback"
        withComment={false}
        onSubmit={(rating) =>
          api(`/api/memories/${encodeURIComponent(id)}/feedback`, { method: 'POST', body: { rating } }).then(
            () => {
              reload();
              onChanged();
            },
          )
        }
      />
    </div>
  );
}

function NewMemory({ onCreated }: { onCreated: (m: Memory) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      class="new-memory"
      onSubmit={(e) => {
        e.preventDefault();
        api<{ memory: Memory }>('/api/memories', { method: 'POST', body: { text } })
          .then((r) => {
            setText('');
            onCreated(r.memory);
          })
          .catch((err: Error) => setError(err.message));
      }}
    >
      <h3>Add a memory</h3>
      <textarea name="new-text" rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit" disabled={!text.trim()}>
        Add
      </button>
      {error && <span class="error">{error}</span>}
    </form>
  );
}

function MemoryList({ selected }: { selected?: string }) {
  const [q, setQ] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const list = useApi<Page<Memory>>('/api/memories', { q, limit: 20, cursor: cursors[cursors.length - 1] });
  return (
    <>
      <h2>
        All memories{' '}
        {list.data?.total !== null && list.data?.total !== undefined && (
          <small class="muted">({list.data.total})</small>
        )}
      </h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label class="grow">
          Text contains
          <input
            name="memory-q"
            type="search"
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value.trim());
              setCursors([]);
            }}
          />
        </label>
      </form>
      {list.error && <p class="error">{list.error}</p>}
      <table class="data compact" data-testid="memory-table">
        <thead>
          <tr>
            <th>Memory</th>
            <th class="num">Quality</th>
            <th class="num">Run score</th>
            <th class="num">Retrieved</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((m) => (
            <tr key={m.id} class={m.id === selected ? 'selected' : ''} data-memory-id={m.id}>
              <td class="task">
                <a href={href(['memories', m.id])}>{m.task || m.text.slice(0, 100)}</a>
              </td>
              <td class="num">{fmtScore(m.quality)}</td>
              <td class="num">{fmtScore(m.score)}</td>
              <td class="num">{m.retrieved_count}</td>
              <td class="nowrap">{fmtTime(m.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          ← Previous
        </button>
        <span class="muted">page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!list.data?.next_cursor}
          onClick={() => list.data?.next_cursor && setCursors([...cursors, list.data.next_cursor])}
        >
          Next →
        </button>
      </div>
    </>
  );
}
