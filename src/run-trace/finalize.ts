import fs from 'node:fs';
import path from 'node:path';
import { appendJsonl, readJsonl } from '../audit/jsonl';
import { SCHEMA_VERSION, type EvaluatorQualification, type RunRecord } from '../audit/records';
import { buildTrace, writeTraceFile, type Span } from '../audit/trace';
import { DIMENSIONS, RUBRIC } from '../harness/rubric';
import { modelDigest, readQualifications, statusOf } from '../judge/qualification';
import { resolveModel } from '../llm/provider';
import { appendSecurityEvents } from '../security/events';
import { resolveInside } from '../security/sandbox';
import { dataFile, type ActivityDeps } from '../activities/deps';
import { spoolDirRel, type SpoolLine } from './activity';
import type { FinalizeInput } from '../activities/types';

export const RUNS_FILE = 'runs.jsonl';
export const traceRel = (runId: string) => `traces/${runId}.trace.json`;
/** Where runs started before the per-attempt spool kept theirs (read, so an upgrade mid-run loses nothing). */
const legacySpoolRel = (runId: string) => `traces/${runId}.spans.jsonl`;

/** Every attempt's spool lines of the run, in time order (missing files and unreadable lines are skipped). */
export async function readSpool(dataDir: string, runId: string): Promise<SpoolLine[]> {
  const dir = resolveInside(dataDir, spoolDirRel(runId));
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')) : [];
  const files = [
    resolveInside(dataDir, legacySpoolRel(runId)),
    ...names.sort().map((n) => path.join(dir, n)),
  ];
  const lines: SpoolLine[] = [];
  for (const file of files) for await (const l of readJsonl(file)) lines.push(l as SpoolLine);
  const at = (l: SpoolLine) => (l.type === 'security' ? Date.parse(l.event.ts) : l.startMs);
  return lines.sort((a, b) => at(a) - at(b));
}

type LlmLine = Extract<SpoolLine, { type: 'llm' }>;
const eventsOf = (spool: SpoolLine[]) => spool.flatMap((l) => (l.type === 'security' ? [l.event] : []));
const isLlm = (l: SpoolLine): l is LlmLine => l.type === 'llm';

/**
 * Lanes for LLM calls: a call that overlaps an earlier one (an evaluator pool scoring in parallel) gets a lane
 * of its own, so each call and its load slice nest together; the others nest under their attempt on 'worker'.
 */
function llmLanes(spool: SpoolLine[]): Map<LlmLine, string> {
  const calls = spool.filter(isLlm).sort((a, b) => a.startMs - b.startMs);
  const busyUntil: number[] = [];
  const lanes = new Map<LlmLine, string>();
  for (const c of calls) {
    let slot = busyUntil.findIndex((end) => end <= c.startMs);
    if (slot < 0) slot = busyUntil.push(0) - 1;
    busyUntil[slot] = c.endMs;
    lanes.set(c, slot === 0 ? 'worker' : `worker: parallel call ${slot + 1}`);
  }
  return lanes;
}

/** The Chrome trace: workflow stages and activities (workflow time), worker attempts and LLM calls (real time). */
export function traceSpans(f: FinalizeInput, spool: SpoolLine[]): Span[] {
  const us = (ms: number) => Math.max(0, Math.round((ms - f.startedAtMs) * 1000));
  const spans: Span[] = [
    {
      name: `run ${f.runId}`,
      cat: 'run',
      startUs: 0,
      endUs: us(f.endedAtMs),
      lane: 'stages',
      args: { status: f.status, task: f.input.task, error: f.error },
    },
  ];
  for (const s of f.spans)
    spans.push({
      name: s.name,
      cat: s.cat,
      startUs: us(s.startMs),
      endUs: us(s.endMs),
      lane: s.lane,
      args: s.args,
    });
  const lanes = llmLanes(spool);
  for (const l of spool) {
    if (l.type === 'attempt') {
      spans.push({
        name: `${l.activity} #${l.attempt}`,
        cat: 'attempt',
        startUs: us(l.startMs),
        endUs: us(l.endMs),
        lane: 'worker',
        args: {
          stage: l.stage,
          attempt: l.attempt,
          round: l.round,
          ok: l.ok,
          error: l.error,
          worker: l.worker,
        },
      });
    } else if (l.type === 'llm') {
      const name = l.op === 'chat' ? `chat ${l.model}` : `embeddings ${l.model}`;
      const args = {
        'gen_ai.operation.name': l.op === 'chat' ? 'chat' : 'embeddings',
        'gen_ai.system': resolveModel(l.model).provider,
        'gen_ai.request.model': l.model,
        'gen_ai.usage.input_tokens': l.inputTokens,
        'gen_ai.usage.output_tokens': l.outputTokens,
        load_ms: l.loadMs,
        prompt_eval_ms: l.promptEvalMs,
        eval_ms: l.evalMs,
        stage: l.stage,
        attempt: l.attempt,
        purpose: l.purpose,
        done_reason: l.doneReason,
        ok: l.ok,
        error: l.error,
      };
      const lane = lanes.get(l) ?? 'worker';
      spans.push({ name, cat: 'llm', startUs: us(l.startMs), endUs: us(l.endMs), lane, args });
      // The model's cold load is its own slice, so a cold model is visible at a glance.
      if (l.loadMs > 0.5) {
        const loadEnd = Math.min(l.startMs + l.loadMs, l.endMs);
        spans.push({
          name: `load ${l.model}`,
          cat: 'llm.load',
          startUs: us(l.startMs),
          endUs: us(loadEnd),
          lane,
          args: { load_ms: l.loadMs },
        });
      }
    }
  }
  return spans;
}

/** Builds the run record (the seed's fields under the seed's names) from the workflow's facts and the spool. */
export function buildRecord(
  f: FinalizeInput,
  spool: SpoolLine[],
  qualifications?: Record<string, EvaluatorQualification>,
): RunRecord {
  const scored = f.rounds.filter((r) => r.composite !== null);
  // Index 0 always exists, so the seed's `d["specificity"][0]` works on every record: null = not scored.
  const dims = Object.fromEntries(
    DIMENSIONS.map((d) => [d, scored.length ? scored.map((r) => r.dimensions![d]) : [null]]),
  );
  const llm = spool.filter(isLlm);
  const stages: RunRecord['stages'] = {};
  for (const s of f.spans.filter((x) => x.cat === 'stage')) {
    const st = (stages[s.name] ??= { duration_s: 0, input_tokens: 0, output_tokens: 0, attempts: 0 });
    st.duration_s = Math.round((st.duration_s + (s.endMs - s.startMs) / 1000) * 1000) / 1000;
  }
  for (const l of spool) {
    const st = (stages[l.stage] ??= { duration_s: 0, input_tokens: 0, output_tokens: 0, attempts: 0 });
    if (l.type === 'llm') {
      st.input_tokens += l.inputTokens;
      st.output_tokens += l.outputTokens;
    } else if (l.type === 'attempt') st.attempts += 1;
  }
  const input = f.input;
  const evaluators: string[] = input.evaluatorModels ?? [];
  const error = f.error
    ? f.failedStage
      ? `${f.failedStage}: ${f.error}`
      : f.error
    : f.evaluatorErrors.length
      ? f.evaluatorErrors.join('; ')
      : null;
  return {
    run_id: f.runId,
    kind: input.kind ?? 'run',
    task: String(input.task ?? ''),
    producer_model: String(input.producerModel ?? ''),
    evaluator_model: evaluators[0] ?? '',
    evaluator_models: evaluators,
    run_duration_s: Math.round((f.endedAtMs - f.startedAtMs) / 10) / 100,
    input_tokens: llm.reduce((n, l) => n + l.inputTokens, 0),
    output_tokens: llm.reduce((n, l) => n + l.outputTokens, 0),
    wiggum_rounds: f.rounds.length,
    wiggum_scores: scored.map((r) => r.composite!),
    wiggum_dimensions: dims as RunRecord['wiggum_dimensions'],
    final: f.status,
    error,
    failed_stage: f.failedStage,
    tool_calls: f.toolCalls,
    output_path: f.outputPath,
    draft_path: f.draftPath,
    rubric_version: String(input.rubricVersion ?? ''),
    evaluator_scores: f.rounds.flatMap((r) =>
      r.perEvaluator.map((e) => ({
        model: e.model,
        round: r.round,
        composite: e.composite,
        dimensions: e.dimensions,
        ...(e.error ? { error: e.error } : {}),
      })),
    ),
    score_spread: scored.map((r) => r.spread ?? 0),
    ...(qualifications ? { evaluator_qualifications: qualifications } : {}),
    stages,
    workflow_id: f.workflowId,
    parent_id: f.parentId,
    session_id: (input.sessionId as string | null) ?? null,
    trace_path: traceRel(f.runId),
    started_at: new Date(f.startedAtMs).toISOString(),
    schema_version: SCHEMA_VERSION,
    temporal_run_id: f.temporalRunId,
  };
}

/**
 * Each evaluator's qualification as of the run's start, looked up in this data folder's evaluators.jsonl (the
 * audit worker's side). The weights are identified by the digest the model server reports now; when it does not
 * answer, the latest qualification under the model's name is taken and `reason` says the digest was not checked.
 * Qualifications cover the Wiggum rubric: runs scored on another rubric (a literature review) are `unknown`.
 */
export async function evaluatorQualifications(
  dataDir: string,
  f: Pick<FinalizeInput, 'input' | 'startedAtMs'>,
  ollamaHost: string | undefined,
): Promise<Record<string, EvaluatorQualification>> {
  const models: string[] = [...new Set<string>(f.input.evaluatorModels ?? [])];
  const all = await readQualifications(dataDir);
  const asOf = new Date(f.startedAtMs).toISOString();
  const out: Record<string, EvaluatorQualification> = {};
  const otherRubric = (f.input.rubricVersion ?? RUBRIC.version) !== RUBRIC.version;
  // In parallel: a model server that hangs costs one lookup timeout, not one per evaluator.
  const digests = await Promise.all(
    models.map((m) => (ollamaHost && !otherRubric ? modelDigest(ollamaHost, m) : null)),
  );
  for (const [i, model] of models.entries()) {
    if (otherRubric) {
      const reason = `qualifications cover the ${RUBRIC.version} rubric, not ${String(f.input.rubricVersion)}`;
      out[model] = { status: 'unknown', accuracy: null, accuracy_ci95: null, digest: null, at: null, reason };
      continue;
    }
    const digest = digests[i];
    const q = statusOf(all, model, { digest, asOf });
    out[model] =
      digest === null && q.status !== 'unknown'
        ? {
            ...q,
            reason: [q.reason, 'digest not checked: the model server did not list it']
              .filter(Boolean)
              .join('; '),
          }
        : q;
  }
  return out;
}

/**
 * The audit writer's part of a run: its security events, its trace, then exactly one record (last: the commit
 * point). Every step is idempotent (events by event_id, the record by run_id), so a retry writes nothing twice.
 */
export async function writeRunRecord(
  dataDir: string,
  f: FinalizeInput,
  opts: { ollamaHost?: string } = {},
): Promise<{ recordWritten: boolean }> {
  const spool = await readSpool(dataDir, f.runId);
  const qualifications = await evaluatorQualifications(dataDir, f, opts.ollamaHost);
  await appendSecurityEvents(dataDir, eventsOf(spool));
  const trace = buildTrace(
    { runId: f.runId, processName: `flywheel ${f.input.kind ?? 'run'} ${f.runId}` },
    traceSpans(f, spool),
  );
  await writeTraceFile(resolveInside(dataDir, traceRel(f.runId)), trace);
  const res = await appendJsonl(resolveInside(dataDir, RUNS_FILE), buildRecord(f, spool, qualifications), {
    key: 'run_id',
  });
  return { recordWritten: res === 'appended' };
}

export function finalizeActivities({ settings }: ActivityDeps) {
  return {
    async finalizeRun(f: FinalizeInput) {
      fs.mkdirSync(path.join(settings.dataDir, 'traces'), { recursive: true });
      return writeRunRecord(settings.dataDir, f, { ollamaHost: settings.OLLAMA_HOST });
    },
    /** A run's security events so far, appended now (the rest, if any, at finalize): each once, by event_id. */
    async recordSecurityEvents(a: { runId: string; stage: string }) {
      const spool = await readSpool(settings.dataDir, a.runId);
      const added = await appendSecurityEvents(settings.dataDir, eventsOf(spool));
      return { added };
    },
    async publishOutput(a: { runId: string; stage: string; draftPath: string }) {
      const rel = `outputs/${a.runId}.md`;
      fs.copyFileSync(resolveInside(settings.dataDir, a.draftPath), dataFile(settings.dataDir, rel));
      return { outputPath: rel };
    },
  };
}
