/**
 * Starts the scripted Ollama on its own, so a person can try the CLI without a GPU:
 *   npm run scripted-ollama -- --port 11434
 */
import { Command, InvalidArgumentError } from 'commander';
import { ALL_FAULTS, ScriptedOllama, type Fault } from './scripted-ollama';

function number(min: number, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a number ${min}..${max}`);
    return n;
  };
}

function faultList(value: string): Fault[] {
  const names = value.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !(ALL_FAULTS as readonly string[]).includes(n));
  if (bad.length)
    throw new InvalidArgumentError(`unknown fault ${bad.join(', ')}; known: ${ALL_FAULTS.join(', ')}`);
  return names as Fault[];
}

/** The models the project's settings name, so the CLI finds every model it asks for. */
function modelsFromEnv(env: NodeJS.ProcessEnv): string[] {
  const names = [
    env.FLYWHEEL_PRODUCER_MODEL || 'smollm2:135m',
    env.FLYWHEEL_PLANNER_MODEL,
    ...(env.FLYWHEEL_EVALUATOR_MODELS ?? '').split(','),
    env.FLYWHEEL_EMBED_MODEL,
    'qwen3:8b',
  ];
  return [...new Set(names.map((n) => n?.trim()).filter((n): n is string => Boolean(n)))];
}

async function main(): Promise<void> {
  const program = new Command()
    .name('scripted-ollama')
    .description('A deterministic Ollama-compatible server (no GPU, no model weights).')
    .option('--port <n>', 'port to listen on', number(0, 65535), 11434)
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--model <name...>', 'models to serve (default: from FLYWHEEL_*_MODEL settings)')
    .option('--latency <ms>', 'latency added to every chat/generate/embed call', number(0, 3_600_000), 0)
    .option('--load-ms <ms>', 'time a model takes to load on its first call', number(0, 3_600_000), 200)
    .option(
      '--fault-rate <rate>',
      'share of chat/generate calls answered with a fault (0..1)',
      number(0, 1),
      0,
    )
    .option('--faults <list>', `faults to draw from (comma-separated: ${ALL_FAULTS.join(',')})`, faultList)
    .option('--seed <n>', 'seed for the fault dice', number(0, 2 ** 32 - 1), 1)
    .parse();
  const o = program.opts<{
    port: number;
    host: string;
    model?: string[];
    latency: number;
    loadMs: number;
    faultRate: number;
    faults?: Fault[];
    seed: number;
  }>();

  let server: ScriptedOllama;
  try {
    server = await ScriptedOllama.start({
      port: o.port,
      host: o.host,
      models: o.model ?? modelsFromEnv(process.env),
      latencyMs: o.latency,
      loadDurationMs: o.loadMs,
      faultRate: o.faultRate,
      faults: o.faults,
      seed: o.seed,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (is a real Ollama running? try another --port)' : '';
    console.error(`scripted-ollama: cannot listen on ${o.host}:${o.port}: ${code ?? String(err)}${hint}`);
    process.exitCode = 1;
    return;
  }

  const models = (await (await fetch(`${server.url}/api/tags`)).json()) as { models: { name: string }[] };
  console.log(`scripted Ollama listening on ${server.url}`);
  console.log(`models: ${models.models.map((m) => m.name).join(', ')}`);
  console.log(`use it with: OLLAMA_HOST=${server.url}   (Ctrl-C to stop)`);

  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
