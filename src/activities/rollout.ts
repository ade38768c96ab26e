// Rollout activities: read a page of a batch's task list, and record one preference pair per task.
import { ApplicationFailure } from '@temporalio/activity';
import { appendJsonl } from '../audit/jsonl';
import { SCHEMA_VERSION } from '../audit/records';
import { taskHash } from '../flywheel/task-hash';
import { readTaskFile } from '../flywheel/tasks';
import { readRecordText } from '../flywheel/text';
import { resolveInside } from '../security/sandbox';
import type { ActivityDeps } from './deps';

/** One scored candidate, as the rollout task workflow reports it. */
export interface CandidateSummary {
  run_id: string;
  temperature: number;
  /** Composite, or null when no evaluator could score it (or the candidate failed). */
  score: number | null;
  dimensions: Record<string, number> | null;
  final: string;
  output_path: string | null;
}

export interface RecordPairInput {
  batchId: string;
  taskIndex: number;
  task: string;
  chosen: CandidateSummary;
  rejected: CandidateSummary;
  reward: number;
  candidates: CandidateSummary[];
  rubricVersion: string;
  evaluatorModels: string[];
  producerModel: string;
}

export const pairsRel = (batchId: string) => `rollouts/${batchId}.jsonl`;

export function rolloutActivities({ settings }: ActivityDeps) {
  const dataDir = settings.dataDir;
  return {
    /** Tasks [offset, offset + limit) of a task list stored in the data folder, and the list's length. */
    async readRolloutTasks(a: { tasksPath: string; offset: number; limit: number }) {
      const list = readTaskFile(resolveInside(dataDir, a.tasksPath));
      return { tasks: list.tasks.slice(a.offset, a.offset + a.limit), total: list.tasks.length };
    },

    /** Appends the pair (best vs worst candidate) to rollouts/<batch_id>.jsonl; idempotent by task hash. */
    async recordRolloutPair(a: RecordPairInput) {
      const chosen = readRecordText(dataDir, a.chosen.output_path);
      const rejected = readRecordText(dataDir, a.rejected.output_path);
      for (const [who, t] of [
        ['chosen', chosen],
        ['rejected', rejected],
      ] as const)
        if (!t.ok) throw ApplicationFailure.nonRetryable(`${who} candidate: ${t.reason}`, 'MissingOutput');
      const hash = taskHash(a.task);
      const pair = {
        task_hash: hash,
        batch_id: a.batchId,
        task_index: a.taskIndex,
        prompt: a.task,
        chosen: (chosen as { text: string }).text,
        rejected: (rejected as { text: string }).text,
        reward: a.reward,
        chosen_score: a.chosen.score,
        rejected_score: a.rejected.score,
        chosen_dimensions: a.chosen.dimensions,
        rejected_dimensions: a.rejected.dimensions,
        chosen_run_id: a.chosen.run_id,
        rejected_run_id: a.rejected.run_id,
        chosen_temperature: a.chosen.temperature,
        rejected_temperature: a.rejected.temperature,
        candidates: a.candidates.map((c) => ({
          run_id: c.run_id,
          temperature: c.temperature,
          score: c.score,
          final: c.final,
        })),
        rubric_version: a.rubricVersion,
        evaluator_models: a.evaluatorModels,
        producer_model: a.producerModel,
        created_at: new Date().toISOString(),
        schema_version: SCHEMA_VERSION,
      };
      const result = await appendJsonl(resolveInside(dataDir, pairsRel(a.batchId)), pair, {
        key: 'task_hash',
      });
      return { result, taskHash: hash };
    },
  };
}
