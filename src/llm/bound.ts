// The LLM client as stages use it: bound once to the model server and timeout, and to a cancellation signal read
// at each call (the running activity's), so a stage passes only what is its own: model, messages, sampling.
import {
  chat,
  chatStructured,
  embed,
  type ChatRequest,
  type ChatResult,
  type StructuredResult,
} from './client';
import type { z } from 'zod';

type Bound<R> = Omit<R, 'host' | 'signal' | 'timeoutMs'>;
type StructuredRequest<T> = ChatRequest & { schema: z.ZodType<T>; formatSchema?: z.ZodType };

export interface BoundLlm {
  chat(req: Bound<ChatRequest>): Promise<ChatResult>;
  chatStructured<T>(req: Bound<StructuredRequest<T>>): Promise<StructuredResult<T>>;
  embed(req: { model: string; input: string[] }): Promise<number[][]>;
}

export function boundLlm(o: {
  host: string;
  timeoutMs: number;
  signal?: () => AbortSignal | undefined;
}): BoundLlm {
  const bind = () => ({ host: o.host, timeoutMs: o.timeoutMs, signal: o.signal?.() });
  return {
    chat: (req) => chat({ ...bind(), ...req }),
    chatStructured: (req) => chatStructured({ ...bind(), ...req }),
    embed: (req) => embed({ host: o.host, signal: o.signal?.(), ...req }),
  };
}
