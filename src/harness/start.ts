import type { Client, WorkflowHandle } from '@temporalio/client';
import { newRunId } from '../run-trace/run-id';
import { FlywheelKind, FlywheelProducer, FlywheelStatus } from '../temporal/search-attributes';
import type { harnessRun } from '../workflows';
import type { HarnessInput } from './input';

/** Starts a harness run: id `run-<run_id>`, the task as static summary, search attributes set at start. */
export async function startHarnessRun(
  client: Client,
  taskQueue: string,
  input: HarnessInput,
): Promise<WorkflowHandle<typeof harnessRun>> {
  const runId = input.runId ?? newRunId(new Date());
  return client.workflow.start<typeof harnessRun>('harnessRun', {
    taskQueue,
    workflowId: `run-${runId}`,
    args: [{ ...input, runId }],
    staticSummary: input.task.length > 200 ? `${input.task.slice(0, 197)}...` : input.task,
    typedSearchAttributes: [
      { key: FlywheelKind, value: input.kind },
      { key: FlywheelStatus, value: 'RUNNING' },
      { key: FlywheelProducer, value: input.producerModel },
    ],
  });
}
