import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

/** Thrown for invalid settings; the CLI prints `message` and exits with code 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
}

const csv = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1)).min(1, 'at least one name'));

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:7233');
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://127.0.0.1:11434' });
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['true', '1', 'yes'].includes(v));

/** Every setting Flywheel reads, with its environment variable name. The one schema. */
export const SettingsSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, 'a namespace name')
    .default('default'),
  TEMPORAL_UI_PORT: int(1, 65535).default(8233),
  /** `flywheel run`: start a dev server + worker in-process when nothing answers at a loopback TEMPORAL_ADDRESS. */
  FLYWHEEL_EMBEDDED: bool.default(true),
  FLYWHEEL_TASK_QUEUE: z.string().min(1).default('flywheel'),
  FLYWHEEL_DATA_DIR: z.string().min(1).default('data'),
  OLLAMA_HOST: url.default('http://127.0.0.1:11434'),
  FLYWHEEL_PRODUCER_MODEL: z.string().min(1).default('smollm2:135m'),
  FLYWHEEL_PLANNER_MODEL: z.string().min(1).optional(),
  FLYWHEEL_EVALUATOR_MODELS: csv.optional(),
  FLYWHEEL_EMBED_MODEL: z.string().min(1).optional(),
  FLYWHEEL_PRODUCER_TEMPERATURE: num(0, 2).default(0.7),
  FLYWHEEL_EVALUATOR_TEMPERATURE: num(0, 2).default(0),
  FLYWHEEL_PLANNER_TEMPERATURE: num(0, 2).default(0.2),
  FLYWHEEL_MAX_ROUNDS: int(1, 10).default(3),
  FLYWHEEL_PASS_THRESHOLD: num(0, 10).default(8.0),
  FLYWHEEL_NUM_PREDICT: int(16, 32768).default(1024),
  FLYWHEEL_SEARCH_PROVIDER: z.enum(['local', 'searxng']).default('local'),
  FLYWHEEL_CORPUS_DIR: z.string().min(1).optional(),
  SEARXNG_URL: url.optional(),
  FLYWHEEL_LLM_TIMEOUT_S: int(1, 86400).default(600),
  /** Injection classifier: a text window scoring at or above this is blocked; unset: the model's own (docs/security.md). */
  FLYWHEEL_INJECTION_THRESHOLD: num(0.01, 1).optional(),
  /** Injection encoder (the fine-tuned MiniLM layer): on, or off to scan with rules + classifier only. */
  FLYWHEEL_INJECTION_ENCODER: z.enum(['on', 'off']).default('on'),
  /** Injection encoder: a window scoring at or above this is blocked; unset: the model's own (calibrated). */
  FLYWHEEL_INJECTION_ENCODER_THRESHOLD: num(0.01, 1).optional(),
  /** Injection scanner: also scan the English gloss of lines in twelve other languages (src/security/gloss.ts). */
  FLYWHEEL_INJECTION_TRANSLATE: z.enum(['on', 'off']).default('on'),
  /** A fixed sampling seed for every chat call this process makes (reproducible runs); unset: the server's own. */
  FLYWHEEL_LLM_SEED: int(0, 2147483647).optional(),
  FLYWHEEL_WORKER_ACTIVITY_SLOTS: int(1, 1000).default(8), // defaults from bench/worker-tuning.ts (docs/production.md)
  FLYWHEEL_WORKER_WORKFLOW_SLOTS: int(1, 1000).default(20),
  FLYWHEEL_MAX_CACHED_WORKFLOWS: int(0, 100000).default(500),
  /** all = workflows + stage activities + the audit writer; stages = main queue only; audit = `<queue>-audit` only. */
  FLYWHEEL_WORKER_ROLE: z.enum(['all', 'stages', 'audit']).default('all'),
  /** OpenAI-compatible server for models named `openai:<name>` (vLLM, llama.cpp, LM Studio), e.g. http://host:8000/v1. */
  OPENAI_BASE_URL: url.optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** OTLP/HTTP traces URL (e.g. http://localhost:6006/v1/traces); unset = no OpenTelemetry export. */
  FLYWHEEL_OTEL_ENDPOINT: url.optional(),
  /** Extra OTLP headers, `k=v,k2=v2` (e.g. Authorization=Basic …): a secret. */
  FLYWHEEL_OTEL_HEADERS: z.string().min(1).optional(),
  FLYWHEEL_DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  FLYWHEEL_DASHBOARD_PORT: int(0, 65535).default(8787),
  FLYWHEEL_DASHBOARD_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Extra names the dashboard answers to in the Host header (e.g. a LAN name), comma-separated. */
  FLYWHEEL_DASHBOARD_ALLOWED_HOSTS: csv.optional(),
  /** lit-review: persona/extraction calls in flight at once (set to what the model server serves in parallel). */
  FLYWHEEL_LITREVIEW_CONCURRENCY: int(1, 256).default(4),
  /** lit-review: papers per child workflow (keeps every history small for hundreds of candidates). */
  FLYWHEEL_LITREVIEW_BATCH_SIZE: int(1, 500).default(25),
  /** lit-review paper APIs: base URLs (default the public APIs), Semantic Scholar key, OpenAlex polite-pool email. */
  ARXIV_API_URL: url.optional(),
  SEMANTIC_SCHOLAR_API_URL: url.optional(),
  OPENALEX_API_URL: url.optional(),
  S2_API_KEY: z.string().min(1).optional(),
  OPENALEX_MAILTO: z.email().optional(),
  /** Evaluator qualification (`flywheel judge qualify`): lower bound of the 95% accuracy interval, and position consistency. */
  FLYWHEEL_JUDGE_MIN_ACCURACY_LB: num(0, 1).default(0.6),
  FLYWHEEL_JUDGE_MIN_POSITION_CONSISTENCY: num(0, 1).default(0.7),
  /** `flywheel cluster up`: the operator's PostgreSQL for Temporal (postgres://user:password@host:port); unset = a managed one. A secret. */
  FLYWHEEL_CLUSTER_PG_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^@/\s]+@[^/\s]+/, 'expected postgres://user:password@host:port')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
});

/** The offline corpus shipped with Flywheel (300 arXiv abstracts on LLM agents). */
export const BUNDLED_CORPUS = path.resolve(__dirname, '..', 'corpus');

type Raw = z.infer<typeof SettingsSchema>;
export interface Settings extends Raw {
  /** Absolute data folder. */
  dataDir: string;
  plannerModel: string;
  evaluatorModels: string[];
  embedModel: string;
  corpusDir: string;
}

/** Names of settings whose values must never be printed, logged or served. */
export const SECRET_SETTINGS = new Set([
  'FLYWHEEL_DASHBOARD_TOKEN',
  'OLLAMA_API_KEY',
  'OPENAI_API_KEY',
  'S2_API_KEY',
  'FLYWHEEL_OTEL_HEADERS',
  'FLYWHEEL_CLUSTER_PG_URL',
]);
export const isSecretName = (name: string) =>
  SECRET_SETTINGS.has(name) || /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i.test(name);

/**
 * Reads settings from `env` (default: process.env) layered over an optional `.env` file in `cwd`.
 * Invalid values raise one ConfigError naming every bad variable and its expected form.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Settings {
  const envFile = path.join(cwd, '.env');
  const fromFile = fs.existsSync(envFile) ? dotenv.parse(fs.readFileSync(envFile)) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  const picked = Object.fromEntries(Object.keys(SettingsSchema.shape).map((k) => [k, merged[k]]));
  const parsed = SettingsSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      const shown = isSecretName(name) ? '(hidden)' : JSON.stringify(merged[name]);
      return `  ${name}=${shown}: ${i.message}`;
    });
    throw new ConfigError(`Invalid settings:\n${lines.join('\n')}`);
  }
  const s = parsed.data;
  const dataDir = path.resolve(cwd, s.FLYWHEEL_DATA_DIR);
  return {
    ...s,
    dataDir,
    plannerModel: s.FLYWHEEL_PLANNER_MODEL ?? s.FLYWHEEL_PRODUCER_MODEL,
    evaluatorModels: s.FLYWHEEL_EVALUATOR_MODELS ?? [s.FLYWHEEL_PRODUCER_MODEL],
    embedModel: s.FLYWHEEL_EMBED_MODEL ?? s.FLYWHEEL_PRODUCER_MODEL,
    corpusDir: s.FLYWHEEL_CORPUS_DIR ? path.resolve(cwd, s.FLYWHEEL_CORPUS_DIR) : BUNDLED_CORPUS,
  };
}

/** Settings safe to show (dashboard, doctor): secrets removed. */
export function publicSettings(s: Settings): Record<string, unknown> {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !isSecretName(k)));
}
