// Starts a literature review: id `litreview-<id>`, the topic as static summary, search attributes at start.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { newRunId } from '../run-trace/run-id';
import { FlywheelKind, FlywheelProducer, FlywheelStatus } from '../temporal/search-attributes';
import type { litReview } from '../workflows';
import type { LitReviewInput } from './input';

export async function startLitReview(
  client: Client,
  taskQueue: string,
  input: LitReviewInput,
): Promise<WorkflowHandle<typeof litReview>> {
  const runId = input.runId ?? newRunId(new Date());
  const summary = `lit-review: ${input.task}`;
  return client.workflow.start<typeof litReview>('litReview', {
    taskQueue,
    workflowId: `litreview-${runId}`,
    args: [{ ...input, runId }],
    staticSummary: summary.length > 200 ? `${summary.slice(0, 197)}...` : summary,
    typedSearchAttributes: [
      { key: FlywheelKind, value: 'lit_review' },
      { key: FlywheelStatus, value: 'RUNNING' },
      { key: FlywheelProducer, value: input.producerModel },
    ],
  });
}
