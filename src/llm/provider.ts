// Which model server answers a model name: `openai:<name>` → the OpenAI-compatible endpoint, anything else → Ollama.
import { loadSettings, type Settings } from '../config';
import { OpenAiError, type OpenAiEndpoint } from './openai';

export type ProviderName = 'ollama' | 'openai';

/** Model names starting with this go to OPENAI_BASE_URL, with the prefix removed. */
export const OPENAI_PREFIX = 'openai:';

export interface ModelTarget {
  provider: ProviderName;
  /** The name the server knows the model by (prefix removed). */
  name: string;
}

/** Routing by name, so every role (producer, planner, each evaluator, embed) picks its provider in its model setting. */
export function resolveModel(model: string): ModelTarget {
  return model.startsWith(OPENAI_PREFIX)
    ? { provider: 'openai', name: model.slice(OPENAI_PREFIX.length) }
    : { provider: 'ollama', name: model };
}

export const isOllamaModel = (model: string) => resolveModel(model).provider === 'ollama';

let configured: OpenAiEndpoint | undefined;
let seed: number | undefined;

/** The worker calls this once with its settings; other processes fall back to reading settings themselves. */
export function configureProviders(
  s: Pick<Settings, 'OPENAI_BASE_URL' | 'OPENAI_API_KEY' | 'FLYWHEEL_LLM_SEED'>,
): void {
  configured = s.OPENAI_BASE_URL ? { baseUrl: s.OPENAI_BASE_URL, apiKey: s.OPENAI_API_KEY } : undefined;
  seed = s.FLYWHEEL_LLM_SEED;
}

/** FLYWHEEL_LLM_SEED of the configured worker: sent with every chat call to either provider. */
export const llmSeed = (): number | undefined => seed;

/** The OpenAI-compatible endpoint for `openai:` models, or a clear non-retryable error when none is set. */
export function openAiEndpoint(): OpenAiEndpoint {
  if (!configured) configureProviders(loadSettings());
  if (!configured)
    throw new OpenAiError(
      'A model named "openai:…" needs an OpenAI-compatible server. Fix: set OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1).',
      false,
      'bad_request',
    );
  return configured;
}
