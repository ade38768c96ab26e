import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config';

export class TemporalUnreachable extends Error {}

/** Connects to the Temporal server named by settings, with a clear error when nobody answers. */
export async function connectClient(
  s: Pick<Settings, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>,
  timeoutMs = 5000,
): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: s.TEMPORAL_ADDRESS, connectTimeout: timeoutMs });
    return new Client({ connection, namespace: s.TEMPORAL_NAMESPACE });
  } catch (e) {
    throw new TemporalUnreachable(
      `Cannot reach the Temporal server at ${s.TEMPORAL_ADDRESS} (${(e as Error).message.split('\n')[0]}). ` +
        'Fix: run `flywheel dev` (starts one), or set TEMPORAL_ADDRESS.',
    );
  }
}
