import { AsyncLocalStorage } from 'node:async_hooks';

/** One LLM call as RunTrace records it (times in epoch ms, durations in ms). */
export interface LlmCallRecord {
  op: 'chat' | 'embed';
  model: string;
  startMs: number;
  endMs: number;
  loadMs: number;
  promptEvalMs: number;
  evalMs: number;
  totalMs: number;
  inputTokens: number;
  outputTokens: number;
  ok: boolean;
  error?: string;
  purpose?: string;
  /** Why the model stopped: 'stop', or 'length' when the token limit (num_predict) cut the answer. */
  doneReason?: string;
}

/** The activity-side RunTrace interceptor opens a scope per attempt; the LLM client reports into it. */
export const llmCallScope = new AsyncLocalStorage<{ push(rec: LlmCallRecord): void }>();

export function reportLlmCall(rec: LlmCallRecord): void {
  llmCallScope.getStore()?.push(rec);
}
