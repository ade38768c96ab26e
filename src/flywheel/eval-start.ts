// Builds and starts a `flywheel eval` workflow: the battery's tasks (and a training-distribution sample) per
// model, judged by one fixed evaluator set that must be qualified (or explicitly allowed).
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Settings } from '../config';
import { resolveHarnessInput } from '../harness/input';
import { modelDigest, readQualifications, statusOf, type RunQualification } from '../judge/qualification';
import type { EvalJob, EvalWorkflowInput, evalBattery } from '../workflows/eval';
import type { Battery } from './battery';
import { taskHash } from './task-hash';

export class UnqualifiedEvaluators extends Error {}

export async function evaluatorStatus(
  s: Settings,
  models: string[],
): Promise<Record<string, RunQualification>> {
  const all = await readQualifications(s.dataDir);
  const out: Record<string, RunQualification> = {};
  for (const m of models) out[m] = statusOf(all, m, { digest: await modelDigest(s.OLLAMA_HOST, m) });
  return out;
}

export async function buildEvalInput(
  s: Settings,
  o: {
    battery: Battery;
    model: string;
    baseline?: string;
    evaluatorModels: string[];
    trainTasks: string[];
    allowUnqualified: boolean;
    concurrency: number;
    evalId?: string;
    maxRounds?: number;
  },
): Promise<EvalWorkflowInput> {
  const qualifications = await evaluatorStatus(s, o.evaluatorModels);
  const bad = Object.entries(qualifications).filter(([, q]) => q.status !== 'qualified');
  if (bad.length && !o.allowUnqualified)
    throw new UnqualifiedEvaluators(
      `battery evaluators must be qualified (flywheel judge qualify): ${bad
        .map(([m, q]) => `${m} is ${q.status} (${q.reason})`)
        .join('; ')}. --allow-unqualified runs anyway and says so in the results.`,
    );
  const evalId = o.evalId ?? `eval-${crypto.randomBytes(4).toString('hex')}`;
  const models = o.baseline ? [o.model, o.baseline] : [o.model];
  const jobs: EvalJob[] = [];
  const add = (set: EvalJob['set'], task: string) => {
    for (const model of models)
      jobs.push({
        model,
        set,
        task_hash: taskHash(task),
        input: resolveHarnessInput(task, s, {
          kind: 'eval',
          producerModel: model,
          evaluatorModels: o.evaluatorModels,
          sessionId: evalId,
          ...(o.maxRounds ? { maxRounds: o.maxRounds } : {}),
        }),
      });
  };
  for (const t of o.battery.items) add('battery', t.task);
  for (const t of o.trainTasks) add('train', t);
  return {
    evalId,
    battery: { name: o.battery.name, version: o.battery.version, sha256: o.battery.sha256 },
    model: o.model,
    baseline: o.baseline,
    evaluatorModels: o.evaluatorModels,
    qualifications,
    allowUnqualified: o.allowUnqualified,
    jobs,
    concurrency: o.concurrency,
  };
}

export function startEval(client: Client, taskQueue: string, input: EvalWorkflowInput) {
  return client.workflow.start<typeof evalBattery>('evalBattery', {
    taskQueue,
    workflowId: input.evalId,
    args: [input],
  });
}
