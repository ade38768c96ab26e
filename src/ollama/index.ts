import { resolveOllama, type ResolvedOllama } from './binary';
import { isOllamaUp, normalizeHost, startManagedOllama } from './managed';

export { OLLAMA_VERSION, OllamaNotFound, resolveOllama, type ResolvedOllama } from './binary';
export { isOllamaUp, normalizeHost, startManagedOllama, type ManagedOllama } from './managed';
export {
  DEFAULT_DEMO_MODEL,
  DEMO_EVAL_ALIAS,
  DEMO_MODEL_PIN,
  ModelHashMismatch,
  demoModelFile,
  ensureDemoModel,
  ensureModelAlias,
  hasModel,
  listModels,
} from './model';

export class OllamaNotRunning extends Error {}

export interface EnsuredOllama {
  host: string;
  /** True when we started `ollama serve` ourselves; `stop()` is a no-op otherwise. */
  managed: boolean;
  stop(): Promise<void>;
  pid?: number;
  /** The binary used, when we started the server. */
  binary?: ResolvedOllama;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0']);

/** An Ollama answering at `host`: the one already running, or a managed `ollama serve` started there. */
export async function ensureOllama(opts: {
  host: string;
  allowStart?: boolean;
  modelsDir?: string;
  logFile?: string;
}): Promise<EnsuredOllama> {
  const host = normalizeHost(opts.host);
  if (await isOllamaUp(host)) return { host, managed: false, stop: async () => {} };
  const { hostname } = new URL(host);
  if (opts.allowStart === false || !LOCAL_HOSTS.has(hostname))
    throw new OllamaNotRunning(
      `No Ollama answers at ${host}. Start it (\`ollama serve\`) or set OLLAMA_HOST to a running server` +
        (LOCAL_HOSTS.has(hostname) ? '.' : `; Flywheel only starts one itself on this machine (127.0.0.1).`),
    );
  const binary = await resolveOllama();
  const server = await startManagedOllama({
    ollamaPath: binary.path,
    host,
    modelsDir: opts.modelsDir,
    logFile: opts.logFile,
  });
  return { host: server.host, managed: true, stop: server.stop, pid: server.pid, binary };
}
