// `flywheel import`: brings a runs.jsonl written by the original Python harness into data/runs.jsonl.
// Core fields keep their (seed) names; missing Flywheel fields are filled; extra fields are kept;
// records that cannot be read as runs are reported, never guessed.
import fs from 'node:fs';
import path from 'node:path';
import { appendJsonl, readJsonl } from '../audit/jsonl';
import { DIMENSIONS, RUN_ID_RE, RunRecord, RunStatus, SCHEMA_VERSION } from '../audit/records';
import { resolveInside } from '../security/sandbox';

export interface ImportReport {
  file: string;
  read: number;
  imported: number;
  alreadyPresent: number;
  corruptLines: number;
  /** Lines that are not run records (or fail validation), with why. */
  unknownShapes: { line: number; run_id: string | null; reason: string }[];
  outputsCopied: number;
  /** Runs whose output (or draft) file was not found next to the imported file. */
  outputsMissing: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const nonNeg = (v: unknown, int = false) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? (int ? Math.round(v) : v) : 0;

/** `20260522T143027_…` → 2026-05-22T14:30:27.000Z. */
export function startedAtFromRunId(runId: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})_/.exec(runId)!;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])).toISOString();
}

/** Fills Flywheel's fields around a Python-harness record; returns the record or why it is not a run. */
export function mapImported(
  rec: Record<string, unknown>,
  from: string,
): { record: RunRecord } | { reason: string } {
  const runId = rec.run_id;
  if (typeof runId !== 'string') return { reason: 'no run_id' };
  if (!RUN_ID_RE.test(runId)) return { reason: `run_id "${runId}" is not YYYYMMDDTHHMMSS_<8 hex>` };
  if (typeof rec.task !== 'string' || !rec.task.trim()) return { reason: 'no task' };
  const final = typeof rec.final === 'string' ? rec.final.toUpperCase() : '';
  if (!RunStatus.safeParse(final).success)
    return { reason: `final "${String(rec.final)}" is not a known status` };
  const scores = rec.wiggum_scores ?? [];
  if (!Array.isArray(scores) || !scores.every((x) => typeof x === 'number' && Number.isFinite(x)))
    return { reason: 'wiggum_scores is not a list of numbers' };
  const want = Math.max(1, scores.length);
  const dimsIn = isObj(rec.wiggum_dimensions) ? rec.wiggum_dimensions : {};
  const dims: Record<string, unknown> = { ...dimsIn };
  for (const d of DIMENSIONS) if (!Array.isArray(dimsIn[d])) dims[d] = new Array(want).fill(null);
  const evaluatorModels = Array.isArray(rec.evaluator_models)
    ? rec.evaluator_models
    : typeof rec.evaluator_model === 'string'
      ? [rec.evaluator_model]
      : [];
  const toolCalls = Array.isArray(rec.tool_calls)
    ? rec.tool_calls.filter(isObj).map((t) => ({
        ...t,
        name: typeof t.name === 'string' ? t.name : 'unknown',
        query: typeof t.query === 'string' ? t.query : '',
        urls: Array.isArray(t.urls) ? t.urls.filter((u) => typeof u === 'string') : [],
        novelty_score: typeof t.novelty_score === 'number' ? t.novelty_score : null,
      }))
    : [];
  const startedAt =
    typeof rec.started_at === 'string' &&
    !Number.isNaN(Date.parse(rec.started_at)) &&
    /[zZ]|[+-]\d\d:\d\d$/.test(rec.started_at)
      ? rec.started_at
      : startedAtFromRunId(runId);
  const mapped = {
    ...rec,
    run_id: runId,
    kind: rec.kind ?? 'run',
    task: rec.task,
    producer_model: typeof rec.producer_model === 'string' ? rec.producer_model : 'unknown',
    evaluator_model:
      typeof rec.evaluator_model === 'string' ? rec.evaluator_model : (evaluatorModels[0] ?? 'unknown'),
    evaluator_models: evaluatorModels,
    run_duration_s: nonNeg(rec.run_duration_s),
    input_tokens: nonNeg(rec.input_tokens, true),
    output_tokens: nonNeg(rec.output_tokens, true),
    wiggum_rounds: Math.max(nonNeg(rec.wiggum_rounds, true), scores.length),
    wiggum_scores: scores,
    wiggum_dimensions: dims,
    final,
    error: typeof rec.error === 'string' ? rec.error : null,
    failed_stage: typeof rec.failed_stage === 'string' ? rec.failed_stage : null,
    tool_calls: toolCalls,
    output_path: typeof rec.output_path === 'string' ? rec.output_path : null,
    draft_path: typeof rec.draft_path === 'string' ? rec.draft_path : null,
    rubric_version: typeof rec.rubric_version === 'string' ? rec.rubric_version : 'imported',
    evaluator_scores: Array.isArray(rec.evaluator_scores) ? rec.evaluator_scores : [],
    score_spread: Array.isArray(rec.score_spread) ? rec.score_spread : [],
    stages: isObj(rec.stages) ? rec.stages : {},
    workflow_id: typeof rec.workflow_id === 'string' ? rec.workflow_id : 'imported',
    parent_id: typeof rec.parent_id === 'string' ? rec.parent_id : null,
    session_id: typeof rec.session_id === 'string' ? rec.session_id : null,
    trace_path: null,
    started_at: startedAt,
    schema_version: SCHEMA_VERSION,
    imported: true,
    imported_from: from,
  };
  const ok = RunRecord.safeParse(mapped);
  if (!ok.success)
    return {
      reason: ok.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; '),
    };
  return { record: ok.data };
}

/** Finds a file a Python record names (relative to the harness folder) among the candidate roots. */
function findSource(roots: string[], rel: string): string | null {
  for (const root of roots) {
    const p = path.isAbsolute(rel) ? rel : path.join(root, rel);
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  return null;
}

/**
 * Imports every usable record, copying output and round-1 draft files into data/outputs/ and pointing the record
 * at the copies. A run already in data/runs.jsonl (same run_id) is left alone.
 */
export async function importRuns(o: {
  file: string;
  dataDir: string;
  outputsRoot?: string;
}): Promise<ImportReport> {
  const r: ImportReport = {
    file: o.file,
    read: 0,
    imported: 0,
    alreadyPresent: 0,
    corruptLines: 0,
    unknownShapes: [],
    outputsCopied: 0,
    outputsMissing: [],
  };
  if (!fs.existsSync(o.file)) throw new Error(`no such file: ${o.file}`);
  const dir = path.dirname(path.resolve(o.file));
  const roots = o.outputsRoot ? [path.resolve(o.outputsRoot)] : [dir, path.dirname(dir)];
  const from = path.basename(o.file);
  let line = 0;
  for await (const rec of readJsonl(o.file, {
    onSkip: (s) => {
      r.corruptLines++;
      line = s.line;
    },
  })) {
    line++;
    r.read++;
    const m = mapImported(rec, from);
    if ('reason' in m) {
      r.unknownShapes.push({
        line,
        run_id: typeof rec.run_id === 'string' ? rec.run_id : null,
        reason: m.reason,
      });
      continue;
    }
    const record: Record<string, unknown> = { ...m.record };
    let missing = false;
    for (const [field, rel] of [
      ['output_path', `outputs/${m.record.run_id}.md`],
      ['draft_path', `outputs/${m.record.run_id}.r1.md`],
    ] as const) {
      const src = m.record[field];
      if (!src) continue;
      record[`original_${field}`] = src;
      const found = findSource(roots, src);
      if (!found) {
        record[field] = null;
        missing = true;
        continue;
      }
      const dest = resolveInside(o.dataDir, rel);
      if (!fs.existsSync(dest)) {
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(found, dest);
        r.outputsCopied++;
      }
      record[field] = rel;
    }
    const res = await appendJsonl(resolveInside(o.dataDir, 'runs.jsonl'), record, { key: 'run_id' });
    if (res === 'appended') {
      r.imported++;
      if (missing) r.outputsMissing.push(m.record.run_id);
    } else r.alreadyPresent++;
  }
  return r;
}
