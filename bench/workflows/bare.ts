// A bare workflow with the same number of activities as a PASS-in-round-1 harness run, and no interceptors.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(i: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function bareRun(steps: number): Promise<number> {
  let x = 0;
  for (let i = 0; i < steps; i++) x += await noop(i);
  return x;
}
