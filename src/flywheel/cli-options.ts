// Option parsing shared by the flywheel commands: numbers in a range, and a Temporal client with a clear error.
import { InvalidArgumentError } from 'commander';
import type { Client } from '@temporalio/client';
import { EXIT, UserError } from '../cli/common';
import type { Settings } from '../config';
import { connectClient, TemporalUnreachable } from '../temporal/connection';

export function numberIn(min: number, max: number, integer = false) {
  return (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x)))
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    return x;
  };
}

/** Runs fn with a Temporal client, closing its connection afterwards; an unreachable server is exit code 5. */
export async function withClient<T>(settings: Settings, fn: (client: Client) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = await connectClient(settings);
  } catch (e) {
    if (e instanceof TemporalUnreachable) throw new UserError(e.message, EXIT.UNAVAILABLE);
    throw e;
  }
  try {
    return await fn(client);
  } finally {
    await client.connection.close().catch(() => undefined);
  }
}
