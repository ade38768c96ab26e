// Position consistency: the evaluator is shown the same two outputs in both orders and asked which is
// better. It is consistent on a pair when it picks the same output both times (whatever slot it was in).
import { z } from 'zod';
import { PAIRWISE_SYSTEM } from '../harness/prompts';
import type { BoundLlm } from '../llm/bound';
import { LlmError } from '../llm/client';

export { PAIRWISE_SYSTEM };

const Verdict = z.object({ better: z.enum(['A', 'B']) });
const MAX_CHARS = 6000;

export interface PositionCall {
  /** The bound client: model server, timeout and (in an activity) the cancellation signal. */
  llm: BoundLlm;
  model: string;
  temperature: number;
  numPredict: number;
  /** Recorded with each LLM call. Default 'calibrate'. */
  purpose?: string;
}

export interface PositionResult {
  /** Slot picked with (first, second) shown as (A, B), and with the order swapped; null = unusable reply. */
  forward: 'A' | 'B' | null;
  swapped: 'A' | 'B' | null;
  /** Same output chosen both times; null when either reply was unusable. */
  consistent: boolean | null;
  /** The output chosen when consistent. */
  prefers: 'first' | 'second' | null;
}

async function ask(c: PositionCall, task: string, a: string, b: string): Promise<'A' | 'B' | null> {
  try {
    const res = await c.llm.chatStructured({
      model: c.model,
      schema: Verdict,
      temperature: c.temperature,
      numPredict: c.numPredict,
      purpose: c.purpose ?? 'calibrate',
      messages: [
        { role: 'system', content: PAIRWISE_SYSTEM },
        {
          role: 'user',
          content: `Task: ${task}\n\n[Response A]\n${a.slice(0, MAX_CHARS)}\n\n[Response B]\n${b.slice(0, MAX_CHARS)}`,
        },
      ],
    });
    return res.value.better;
  } catch (e) {
    if (e instanceof LlmError && e.kind === 'parse') return null;
    throw e;
  }
}

export async function positionCheck(
  c: PositionCall,
  task: string,
  first: string,
  second: string,
): Promise<PositionResult> {
  const forward = await ask(c, task, first, second);
  const swapped = await ask(c, task, second, first);
  if (forward === null || swapped === null) return { forward, swapped, consistent: null, prefers: null };
  const pick1 = forward === 'A' ? 'first' : 'second';
  const pick2 = swapped === 'A' ? 'second' : 'first';
  return { forward, swapped, consistent: pick1 === pick2, prefers: pick1 === pick2 ? pick1 : null };
}
