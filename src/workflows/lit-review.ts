// The literature review (seed G3) as a workflow: plan → retrieve → curate → extract → organise → write → review.
// Curation and extraction run in child workflows of at most batchSize papers, so every history stays small for
// hundreds of candidates; papers, scores and drafts travel as indices and data-folder paths, never as text.
import {
  defineQuery,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RoundResult } from '../activities/types';
import { decide, type PersonaScore } from '../lit-review/decision';
import type { LitReviewInput } from '../lit-review/input';
import { slug } from '../lit-review/paths';
import { PERSONA_NAMES } from '../lit-review/personas';
import { chunks, pool } from '../lit-review/pool';
import type {
  BatchInput,
  BatchResult,
  LitReviewProgress,
  LitReviewResult,
  PaperDone,
} from '../lit-review/types';
import { FlywheelKind, FlywheelProducer } from '../temporal/search-attributes';
import { auditActivities } from '../run-trace/audit-queue';
import { runTrace } from '../run-trace/workflow';
import { wiggumLoop } from './wiggum';
import { verdict } from '../run-trace/definitions';

/** Same query name as a harness run's, so any run's progress is read the same way. */
export const litReviewProgressQuery = defineQuery<LitReviewProgress>('progress');
/** A batch child tells its review that one paper is done (live counts). */
export const paperDoneSignal = defineSignal<[PaperDone]>('litReviewPaperDone');

/** Retrieval retries with backoff; on its last attempt a still-failing source is reported, not fatal. */
const RETRIEVE_ATTEMPTS = 4;

// LLM stages heartbeat (the activity interceptor beats every 2 s), so a dead worker is noticed in 20 s.
const llmRetry = { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 5 } as const;
const LLM_OPTS = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: llmRetry,
} as const;
const PAPER_OPTS = {
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: llmRetry,
} as const;

const { litSetup, litAssemble } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 5 },
});
// The review's outputs are written by the audit writer (it owns outputs/).
const publisher = () => auditActivities({ startToCloseTimeout: '5 minutes' });
const { litRetrieve } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: RETRIEVE_ATTEMPTS },
});
const { litPlan, litOrganise, litWriteSection, litEvaluate, litRevise } =
  proxyActivities<Activities>(LLM_OPTS);
const { litCurate, litExtract } = proxyActivities<Activities>(PAPER_OPTS);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A literature review: its own record (kind lit_review) and trace through the RunTrace interceptor. */
export async function litReview(input: LitReviewInput): Promise<LitReviewResult> {
  const trace = runTrace();
  const runId = trace.runId;
  const curated = new Set<number>();
  const included = new Set<number>();
  const annotated = new Set<number>();
  const sections = { written: 0, total: 0 };
  let fetched = 0;

  const progress = (): LitReviewProgress => ({
    ...trace.progress(),
    topic: input.task,
    fetched,
    curated: curated.size,
    included: included.size,
    excluded: curated.size - included.size,
    annotated: annotated.size,
    sectionsWritten: sections.written,
    sectionsTotal: sections.total,
  });
  const details = () => {
    const p = progress();
    setCurrentDetails(
      `**stage:** ${p.stage ?? '-'}  \n` +
        `**papers:** ${p.fetched} fetched · ${p.curated} curated (${p.included} included, ${p.excluded} excluded) · ${p.annotated} annotated  \n` +
        `**sections:** ${p.sectionsWritten}/${p.sectionsTotal} · **round:** ${p.round}/${p.maxRounds} · **last score:** ${p.lastScore ?? '-'}`,
    );
  };
  const enter = (stage: string) => {
    trace.enterStage(stage);
    details();
  };
  setHandler(litReviewProgressQuery, progress);
  setHandler(paperDoneSignal, (e) => {
    if (e.stage === 'curate') {
      curated.add(e.index);
      if (e.included) included.add(e.index);
    } else annotated.add(e.index);
    details();
  });
  upsertSearchAttributes([
    { key: FlywheelKind, value: 'lit_review' },
    { key: FlywheelProducer, value: input.producerModel },
  ]);
  const base = { runId, topic: input.task };

  enter('plan');
  const setup = await litSetup({ runId, stage: 'plan', input });
  const plan = await litPlan({
    ...base,
    stage: 'plan',
    from: input.from,
    to: input.to,
    sources: input.sources,
    maxQueries: input.maxQueries,
    model: input.plannerModel,
    temperature: input.plannerTemperature,
    numPredict: input.numPredict,
  });

  enter('retrieve');
  const found = await litRetrieve({
    runId,
    stage: 'retrieve',
    queries: plan.queries,
    from: input.from,
    to: input.to,
    maxPapers: input.maxPapers,
    corpusPath: setup.corpusPath,
    maxAttempts: RETRIEVE_ATTEMPTS,
  });
  trace.recordToolCalls(found.toolCalls);
  fetched = found.count;

  enter('curate');
  const batch = (
    stage: BatchInput['stage'],
    indices: number[],
    n: number,
    model: string,
    temperature: number,
  ) =>
    executeChild(litReviewBatch, {
      workflowId: `litreview-${runId}-${stage}-${n + 1}`,
      args: [
        {
          runId,
          stage,
          indices,
          concurrency: setup.concurrency,
          topic: input.task,
          model,
          temperature,
          numPredict: input.numPredict,
        } satisfies BatchInput,
      ],
      // A batch is part of its review: it never outlives it.
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      staticSummary: `${stage} papers ${indices[0] + 1}–${indices[indices.length - 1] + 1} of review ${runId}`,
    });
  for (const [n, indices] of chunks(range(found.count), setup.batchSize).entries()) {
    const res = await batch('curate', indices, n, input.curatorModel, input.curatorTemperature);
    for (const i of [...res.included, ...res.excluded]) curated.add(i);
    for (const i of res.included) included.add(i);
  }
  details();
  const chosen = [...included].sort((a, b) => a - b);

  if (chosen.length === 0) {
    enter('publish');
    const note =
      found.count === 0
        ? 'No candidate papers were found for this topic and date range.'
        : 'No candidate passed curation, so there is nothing to review.';
    const pub = await publisher().litPublish({ runId, stage: 'publish', draftPath: null, note });
    trace.setOutcome('FAIL', pub.outputPath, null);
    return {
      ...base,
      ...pub,
      final: 'FAIL',
      scores: [],
      draftPath: null,
      candidates: found.count,
      included: 0,
    };
  }

  enter('extract');
  // One activity per paper here (five in curation): batches five times larger keep the same history size.
  for (const [n, indices] of chunks(chosen, setup.batchSize * PERSONA_NAMES.length).entries()) {
    const res = await batch('extract', indices, n, input.producerModel, input.plannerTemperature);
    for (const i of res.included) annotated.add(i);
  }

  enter('organise');
  const organised = await litOrganise({
    ...base,
    stage: 'organise',
    template: input.template,
    included: chosen,
    model: input.producerModel,
    temperature: input.plannerTemperature,
    numPredict: input.numPredict,
  });
  sections.total = organised.sections;

  enter('write');
  await pool(range(organised.sections), setup.concurrency, async (section) => {
    await litWriteSection({
      ...base,
      stage: 'write',
      section,
      template: input.template,
      model: input.producerModel,
      temperature: input.producerTemperature,
      numPredict: input.numPredict,
    });
    sections.written += 1;
    details();
  });
  const first = await litAssemble({ runId, stage: 'write', round: 1, sections: organised.sections });

  enter('review');
  const best = await reviewLoop(input, runId, first.draftPath, details);

  enter('publish');
  const pub = await publisher().litPublish({
    runId,
    stage: 'publish',
    draftPath: best.draftPath,
    note: null,
  });
  const final = verdict(best.composite, input.threshold);
  trace.setOutcome(final, pub.outputPath, first.draftPath);
  return {
    ...base,
    ...pub,
    final,
    scores: trace.progress().scores,
    draftPath: first.draftPath,
    candidates: found.count,
    included: chosen.length,
  };
}

/** The review's Wiggum loop (src/workflows/wiggum.ts) with the review rubric and revise prompt. */
function reviewLoop(
  input: LitReviewInput,
  runId: string,
  firstDraft: string,
  details: () => void,
): Promise<RoundResult> {
  return wiggumLoop(firstDraft, {
    maxRounds: input.maxRounds,
    threshold: input.threshold,
    score: (round, draftPath) =>
      litEvaluate({
        runId,
        stage: 'review',
        round,
        draftPath,
        topic: input.task,
        evaluators: input.evaluatorModels,
        temperature: input.evaluatorTemperature,
        numPredict: input.numPredict,
      }),
    revise: ({ round, fromRound, feedbackPath }) =>
      litRevise({
        runId,
        stage: 'review',
        round,
        fromRound,
        feedbackPath,
        topic: input.task,
        model: input.producerModel,
        temperature: input.producerTemperature,
        numPredict: input.numPredict,
      }),
    // A round no evaluator could score ends the review: keep what we have.
    continueAfterUnscored: () => false,
    onRound: details,
  });
}

/**
 * A batch of papers for one stage. Curation runs one activity per (paper, persona), extraction one per paper,
 * at most `concurrency` at a time. Each finished paper is signalled to the review for live progress.
 */
export async function litReviewBatch(b: BatchInput): Promise<BatchResult> {
  const parent = workflowInfo().parent;
  const review = parent ? getExternalWorkflowHandle(parent.workflowId, parent.runId) : null;
  const notices: Promise<void>[] = [];
  const notify = (e: PaperDone) => {
    // Progress only: a review that has gone away must not fail the batch.
    if (review) notices.push(review.signal(paperDoneSignal, e).catch(() => undefined));
  };
  const result: BatchResult = { stage: b.stage, included: [], excluded: [] };
  const common = {
    runId: b.runId,
    stage: b.stage,
    topic: b.topic,
    model: b.model,
    temperature: b.temperature,
    numPredict: b.numPredict,
  };
  let done = 0;
  const details = () =>
    setCurrentDetails(`**${b.stage}:** ${done}/${b.indices.length} papers · concurrency ${b.concurrency}`);
  details();

  if (b.stage === 'curate') {
    const scores = new Map<number, PersonaScore[]>();
    const jobs = b.indices.flatMap((index) => PERSONA_NAMES.map((persona) => ({ index, persona })));
    await pool(jobs, b.concurrency, async ({ index, persona }) => {
      const s = await litCurate.executeWithOptions({ summary: `curate · ${slug(index)} · ${persona}` }, [
        { ...common, index, persona },
      ]);
      const got = [...(scores.get(index) ?? []), s];
      scores.set(index, got);
      if (got.length < PERSONA_NAMES.length) return;
      got.sort(
        (x, y) => PERSONA_NAMES.indexOf(x.persona as never) - PERSONA_NAMES.indexOf(y.persona as never),
      );
      const decision = decide(got);
      (decision.included ? result.included : result.excluded).push(index);
      done += 1;
      details();
      notify({ stage: 'curate', index, included: decision.included });
    });
  } else {
    await pool(b.indices, b.concurrency, async (index) => {
      await litExtract.executeWithOptions({ summary: `extract · ${slug(index)}` }, [{ ...common, index }]);
      result.included.push(index);
      done += 1;
      details();
      notify({ stage: 'extract', index });
    });
  }
  await Promise.all(notices);
  result.included.sort((x, y) => x - y);
  result.excluded.sort((x, y) => x - y);
  return result;
}
