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

export async function connect(settings: Settings): Promise<Client> {
  try {
    return await connectClient(settings);
  } catch (e) {
    if (e instanceof TemporalUnreachable) throw new UserError(e.message, EXIT.UNAVAILABLE);
    throw e;
  }
}
