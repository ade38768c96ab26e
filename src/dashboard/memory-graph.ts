// The memory store seen as a graph (similar memories, memories of the same run or task) and the memories worth
// pruning (low quality, near-duplicates, never retrieved), each with the reason.
import { cosine } from '../llm/client';
import type { Memory } from '../memory/store';

export function memorySummary(m: Memory) {
  return {
    id: m.id,
    text: m.text,
    run_id: m.run_id,
    task: m.task,
    score: m.score,
    quality: m.quality,
    tags: m.tags,
    created_at: m.created_at,
    updated_at: m.updated_at,
    retrieved_count: m.retrieved_count,
    last_retrieved_at: m.last_retrieved_at,
    embedding_dims: m.embedding ? m.embedding.length : 0,
  };
}

const label = (m: Memory) => {
  const body = m.text
    .replace(/^Task:.*\n(Score:.*\n)?/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return (m.task ?? body).slice(0, 80);
};
const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

export type EdgeKind = 'similar' | 'same_run' | 'same_task';
export interface Edge {
  source: string;
  target: string;
  kind: EdgeKind;
  weight: number;
}

/** Pairs of memories with both embeddings whose cosine similarity is at least `threshold`. */
function similarPairs(ms: Memory[], threshold: number, max: number): { a: Memory; b: Memory; sim: number }[] {
  const out: { a: Memory; b: Memory; sim: number }[] = [];
  const withVec = ms.filter((m) => m.embedding && m.embedding.length);
  for (let i = 0; i < withVec.length; i++) {
    for (let j = i + 1; j < withVec.length; j++) {
      const sim = cosine(withVec[i].embedding!, withVec[j].embedding!);
      if (sim >= threshold) {
        out.push({ a: withVec[i], b: withVec[j], sim: Math.round(sim * 10000) / 10000 });
        if (out.length >= max) return out;
      }
    }
  }
  return out;
}

export function memoryGraph(ms: Memory[], opts: { threshold: number; maxEdges: number }) {
  const nodes = ms.map((m) => ({
    id: m.id,
    label: label(m),
    run_id: m.run_id,
    task: m.task,
    score: m.score,
    quality: m.quality,
    retrieved_count: m.retrieved_count,
    has_embedding: Boolean(m.embedding && m.embedding.length),
    created_at: m.created_at,
  }));
  const edges: Edge[] = [];
  const groups = (key: (m: Memory) => string | null, kind: EdgeKind) => {
    const by = new Map<string, Memory[]>();
    for (const m of ms) {
      const k = key(m);
      if (!k) continue;
      let g = by.get(k);
      if (!g) by.set(k, (g = []));
      g.push(m);
    }
    // Consecutive members only: a group of n gets n-1 edges, enough to draw it as one cluster.
    for (const g of by.values())
      for (let i = 1; i < g.length && edges.length < opts.maxEdges; i++)
        edges.push({ source: g[i - 1].id, target: g[i].id, kind, weight: 1 });
  };
  groups((m) => m.run_id, 'same_run');
  groups((m) => (m.task ? norm(m.task) : null), 'same_task');
  for (const p of similarPairs(ms, opts.threshold, Math.max(0, opts.maxEdges - edges.length)))
    edges.push({ source: p.a.id, target: p.b.id, kind: 'similar', weight: p.sim });
  return { nodes, edges, truncated: edges.length >= opts.maxEdges };
}

export type PruneReasonKind = 'low_quality' | 'near_duplicate' | 'never_retrieved';
export interface PruneReason {
  kind: PruneReasonKind;
  detail: string;
  related_id?: string;
  similarity?: number;
}

/** The weaker of two near-duplicates: lower quality, then lower score, then the newer one. */
function weaker(a: Memory, b: Memory): [Memory, Memory] {
  if (a.quality !== b.quality) return a.quality < b.quality ? [a, b] : [b, a];
  if ((a.score ?? -1) !== (b.score ?? -1)) return (a.score ?? -1) < (b.score ?? -1) ? [a, b] : [b, a];
  return a.created_at > b.created_at ? [a, b] : [b, a];
}

export function pruneCandidates(
  ms: Memory[],
  opts: { qualityBelow: number; duplicateThreshold: number; unusedDays: number; now: number },
) {
  const reasons = new Map<string, PruneReason[]>();
  const push = (id: string, r: PruneReason) => {
    let l = reasons.get(id);
    if (!l) reasons.set(id, (l = []));
    l.push(r);
  };
  for (const m of ms) {
    if (m.quality < opts.qualityBelow)
      push(m.id, { kind: 'low_quality', detail: `quality ${m.quality} is below ${opts.qualityBelow}` });
    const ageDays = (opts.now - Date.parse(m.created_at)) / 86_400_000;
    if (m.retrieved_count === 0 && ageDays >= opts.unusedDays)
      push(m.id, {
        kind: 'never_retrieved',
        detail: `never retrieved in the ${Math.floor(ageDays)} day(s) since it was stored`,
      });
  }
  for (const p of similarPairs(ms, opts.duplicateThreshold, 10_000)) {
    const [drop, keep] = weaker(p.a, p.b);
    push(drop.id, {
      kind: 'near_duplicate',
      detail: `${Math.round(p.sim * 1000) / 1000} similar to ${keep.id}, which is kept (higher quality, score or older)`,
      related_id: keep.id,
      similarity: p.sim,
    });
  }
  const byId = new Map(ms.map((m) => [m.id, m]));
  return [...reasons.entries()].map(([id, rs]) => ({ memory: memorySummary(byId.get(id)!), reasons: rs }));
}
