// `flywheel lit-review "<topic>"`: run the seven-stage literature review, follow it, print the output paths.
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import type { Settings } from '../config';
import {
  LIT_SOURCES,
  resolveLitReviewInput,
  type LitReviewInput,
  type LitReviewInputOverrides,
  type LitSource,
} from '../lit-review/input';
import { outputRels } from '../lit-review/paths';
import { startLitReview } from '../lit-review/start';
import { TEMPLATE_NAMES } from '../lit-review/templates';
import type { LitReviewProgress } from '../lit-review/types';
import { connectClient } from '../temporal/connection';
import { litReviewProgressQuery } from '../workflows/lit-review';
import { action, EXIT, parseList, parseNumber, settingsOrExit, UserError } from './common';
import { followWorkflow } from './follow';
import { embeddedStackIfNeeded, onStopSignal, warnAboutModels, webUiUrl, type RoleModel } from './embedded';
import { awaitRecord, EXIT_HELP, exitFor, outcomeFromTemporal, printRecord } from './status';

interface LitOptions {
  from?: string;
  to?: string;
  maxPapers?: number;
  source?: string[];
  corpus?: string;
  template?: string;
  concurrency?: number;
  producer?: string;
  curator?: string;
  evaluator?: string[];
  maxRounds?: number;
  threshold?: number;
  wait: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('lit-review')
    .exitOverride()
    .description(
      'Literature review: plan queries → retrieve papers → five personas curate every paper → extract → organise → ' +
        'write with checked citations → review (Wiggum loop). Writes <data>/outputs/<id>.md, <id>.bib and ' +
        '<id>.curation.csv. Resumes after a crash without re-asking finished work.',
    )
    .argument('<topic>', 'what the review is about, in quotes')
    .option('--from <date>', 'earliest publication date, YYYY-MM-DD')
    .option('--to <date>', 'latest publication date, YYYY-MM-DD')
    .option('--max-papers <n>', 'most candidate papers to curate (default 50)', parseNumber)
    .option(
      '--source <names>',
      `paper sources, comma-separated: ${LIT_SOURCES.join(', ')} (default local: the bundled corpus)`,
      parseList,
    )
    .option(
      '--corpus <file>',
      'JSONL or CSV corpus for the local source (default the bundled 300 arXiv papers)',
    )
    .option('--template <name>', `${TEMPLATE_NAMES.join(' or ')} (default survey)`)
    .option(
      '--concurrency <n>',
      'model calls in flight at once (default FLYWHEEL_LITREVIEW_CONCURRENCY, 4)',
      parseNumber,
    )
    .option(
      '--producer <model>',
      'model that extracts, organises and writes (default FLYWHEEL_PRODUCER_MODEL)',
    )
    .option('--curator <model>', 'model behind the five personas (default the first evaluator)')
    .option('--evaluator <model>', 'review evaluator; repeat or comma-separate for a pool', parseList)
    .option('--max-rounds <n>', 'most review rounds, 1-10 (default FLYWHEEL_MAX_ROUNDS, 3)', parseNumber)
    .option(
      '--threshold <x>',
      'PASS at this review score, 0-10 (default FLYWHEEL_PASS_THRESHOLD, 8)',
      parseNumber,
    )
    .option('--no-wait', 'print the workflow id and exit once the review has started')
    .option('--json', 'print the result as one JSON object on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  flywheel lit-review "memory in LLM agents" --from 2024-01-01 --to 2025-06-30\n' +
        '  flywheel lit-review "tool use" --source arxiv,openalex --max-papers 30 --template gaps\n' +
        '  flywheel lit-review "agent evaluation" --corpus my-papers.csv --concurrency 8\n' +
        `\n${EXIT_HELP}\n`,
    )
    .action(action(litReviewCommand));
}

const FLAG_OF: Record<string, string> = {
  task: '<topic>',
  from: '--from',
  to: '--to',
  maxPapers: '--max-papers',
  sources: '--source',
  template: '--template',
  concurrency: '--concurrency',
  producerModel: '--producer',
  curatorModel: '--curator',
  evaluatorModels: '--evaluator',
  maxRounds: '--max-rounds',
  threshold: '--threshold',
};

/** The review's input, or a usage error naming the flag at fault. */
export function litReviewInputFromOptions(
  topic: string,
  s: Settings,
  o: LitOptions,
  cwd = process.cwd(),
): LitReviewInput {
  const overrides: LitReviewInputOverrides = {};
  if (o.from !== undefined) overrides.from = o.from;
  if (o.to !== undefined) overrides.to = o.to;
  if (o.maxPapers !== undefined) overrides.maxPapers = o.maxPapers;
  if (o.source !== undefined) overrides.sources = o.source as LitSource[];
  if (o.template !== undefined) overrides.template = o.template as LitReviewInput['template'];
  if (o.concurrency !== undefined) overrides.concurrency = o.concurrency;
  if (o.producer !== undefined) overrides.producerModel = o.producer;
  if (o.curator !== undefined) overrides.curatorModel = o.curator;
  if (o.evaluator !== undefined) {
    overrides.evaluatorModels = o.evaluator;
    if (o.curator === undefined) overrides.curatorModel = o.evaluator[0];
  }
  if (o.maxRounds !== undefined) overrides.maxRounds = o.maxRounds;
  if (o.threshold !== undefined) overrides.threshold = o.threshold;
  if (o.corpus !== undefined) {
    const file = path.resolve(cwd, o.corpus);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile())
      throw new UserError(`--corpus: no such file: ${file}`, EXIT.USAGE);
    overrides.corpus = file;
  }
  try {
    return resolveLitReviewInput(topic, s, overrides);
  } catch (e) {
    if (!(e instanceof ZodError)) throw e;
    const lines = e.issues.map(
      (i) => `  ${FLAG_OF[String(i.path[0] ?? '')] ?? String(i.path[0] ?? 'input')}: ${i.message}`,
    );
    throw new UserError(`Invalid lit-review input:\n${lines.join('\n')}`, EXIT.USAGE);
  }
}

export function litProgressLine(p: LitReviewProgress): string {
  const parts = [`stage ${p.stage ?? 'starting'}`];
  if (p.fetched) parts.push(`${p.fetched} fetched`);
  if (p.curated) parts.push(`${p.curated}/${p.fetched} curated (${p.included} in, ${p.excluded} out)`);
  if (p.annotated) parts.push(`${p.annotated}/${p.included} annotated`);
  if (p.sectionsTotal) parts.push(`sections ${p.sectionsWritten}/${p.sectionsTotal}`);
  if (p.round) parts.push(`round ${p.round}/${p.maxRounds}`);
  if (p.scores.length) parts.push(`scores ${p.scores.map((x) => x.toFixed(2)).join(', ')}`);
  if (p.status !== 'RUNNING') parts.push(p.status);
  return parts.join(' · ');
}

function roleModels(i: LitReviewInput): RoleModel[] {
  return [
    { role: 'planner', model: i.plannerModel },
    { role: 'producer', model: i.producerModel },
    { role: 'evaluator', model: i.curatorModel },
    ...i.evaluatorModels.map((model) => ({ role: 'evaluator' as const, model })),
  ];
}

async function litReviewCommand(topic: string, o: LitOptions): Promise<number> {
  const settings = settingsOrExit();
  const input = litReviewInputFromOptions(topic, settings, o);
  const say = (line: string) => (o.json || !o.wait ? process.stderr : process.stdout).write(`${line}\n`);
  const warn = (line: string) => process.stderr.write(`${line}\n`);

  const stack = await embeddedStackIfNeeded(settings, { what: 'review', wait: o.wait, say, warn });
  const s = stack?.settings ?? settings;

  let interrupted = false;
  const unhook = onStopSignal(() => (interrupted = true));
  let client: Client | undefined;
  try {
    await warnAboutModels(s.OLLAMA_HOST, roleModels(input), 'review', warn);
    client = await connectClient(s);
    const handle = await startLitReview(client, s.FLYWHEEL_TASK_QUEUE, input);
    const id = handle.workflowId.replace(/^litreview-/, '');
    if (!o.wait) {
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ workflowId: handle.workflowId, runId: id })}\n`
          : `${handle.workflowId}\n`,
      );
      say(`Web UI: ${webUiUrl(s, handle.workflowId)}`);
      return EXIT.OK;
    }
    say(`Started literature review ${id} (workflow ${handle.workflowId}).`);
    say(`Web UI: ${webUiUrl(s, handle.workflowId)}`);
    await followWorkflow({
      client,
      handle,
      settings: s,
      query: litReviewProgressQuery,
      line: litProgressLine,
      intervalMs: 1000,
      what: 'review',
      say,
      warn,
      stop: () => interrupted,
    });
    if (interrupted) {
      warn(
        `Stopped following. The review is durable: it resumes when a worker runs, and finished papers are never ` +
          `asked again. Follow it: \`flywheel status ${handle.workflowId}\`.`,
      );
      return EXIT.CANCELLED;
    }
    return await finish(client, handle.workflowId, id, s, say, o.json === true);
  } finally {
    unhook();
    await client?.connection.close();
    await stack?.stop();
  }
}

async function finish(
  client: Client,
  workflowId: string,
  id: string,
  s: Settings,
  say: (l: string) => void,
  json: boolean,
): Promise<number> {
  const abs = (rel: string) => path.resolve(s.dataDir, rel);
  const rels = outputRels(id);
  const files = {
    bibPath: abs(rels.bib),
    csvPath: abs(rels.csv),
    curationLogPath: abs(rels.curationLog),
  };
  const rec = await awaitRecord(s.dataDir, { runId: id, workflowId });
  if (rec) {
    printRecord(rec, s, say);
    if (fs.existsSync(files.bibPath)) {
      say(`BibTeX: ${files.bibPath}`);
      say(`Curation table: ${files.csvPath}`);
    }
    if (fs.existsSync(files.curationLogPath)) say(`Curation log: ${files.curationLogPath}`);
    if (json)
      process.stdout.write(
        `${JSON.stringify({
          status: rec.final,
          exitCode: exitFor(rec.final),
          workflowId,
          runId: id,
          outputPath: rec.output_path ? abs(rec.output_path) : null,
          tracePath: rec.trace_path ? abs(rec.trace_path) : null,
          ...files,
          record: rec,
        })}\n`,
      );
    return exitFor(rec.final);
  }
  const o = await outcomeFromTemporal(client, workflowId);
  say(`Status: ${o.status}  (${o.detail})`);
  say(`No record for it in ${s.dataDir}: the worker that ran it uses another data folder.`);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ status: o.status, exitCode: exitFor(o.status), workflowId })}\n`,
    );
  return exitFor(o.status);
}
