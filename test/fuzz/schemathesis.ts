// Runs schemathesis (PyPI, pinned in requirements-test.txt) against a dashboard's OpenAPI document:
// property-based requests for every operation, checked for 5xx, schema-breaking answers, undocumented
// statuses and content types.
import { spawn, spawnSync } from 'node:child_process';
import { testPython } from '../support/python';

export const CHECKS = [
  'not_a_server_error',
  'response_schema_conformance',
  'status_code_conformance',
  'content_type_conformance',
  'ignored_auth',
];

/** The CLI's entry point, called through python3 so a user-level pip install need not be on PATH. */
const LAUNCH = 'from schemathesis.cli import schemathesis; schemathesis(prog_name="schemathesis")';

export const python = testPython;

/** The installed schemathesis version, or an error saying how to install it. */
export function schemathesisVersion(): { version?: string; error?: string } {
  const r = spawnSync(python(), ['-c', 'import schemathesis; print(schemathesis.__version__)'], {
    encoding: 'utf8',
  });
  if (r.status === 0) return { version: r.stdout.trim() };
  return {
    error: `schemathesis is not installed for ${python()} (\`npx tsx test/setup.ts\` creates the test venv; or set FLYWHEEL_TEST_PYTHON): ${
      r.error?.message ?? r.stderr.trim().split('\n').pop()
    }`,
  };
}

export interface SchemathesisOptions {
  url: string;
  token: string;
  /** Examples per operation and phase (default FUZZ_MAX_EXAMPLES or 30). */
  maxExamples?: number;
  /** Hypothesis seed (default FUZZ_SEED or a fixed one, so a run can be repeated). */
  seed?: number;
  /** Working directory (reports, if any, go here). */
  cwd: string;
  timeoutMs?: number;
}

export function schemathesisArgs(o: SchemathesisOptions): string[] {
  const examples = o.maxExamples ?? Number(process.env.FUZZ_MAX_EXAMPLES ?? 30);
  const seed = o.seed ?? Number(process.env.FUZZ_SEED ?? 20240601);
  return [
    'run',
    `${o.url}/api/openapi.json`,
    '--header',
    `Authorization: Bearer ${o.token}`,
    '--checks',
    CHECKS.join(','),
    '--max-examples',
    String(examples),
    '--seed',
    String(seed),
    '--workers',
    '1',
    // No example database in the working tree; health checks judge the generator's speed, not the API.
    '--generation-database',
    'none',
    '--suppress-health-check',
    'all',
    '--request-timeout',
    '30',
    '--no-color',
  ];
}

export interface SchemathesisResult {
  code: number;
  output: string;
}

/**
 * Spawns schemathesis (never spawnSync: the server under test may live in this process) and collects its
 * output.
 */
export function runSchemathesis(o: SchemathesisOptions): Promise<SchemathesisResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python(), ['-c', LAUNCH, ...schemathesisArgs(o)], {
      cwd: o.cwd,
      env: {
        ...process.env,
        NO_COLOR: '1',
        COLUMNS: '120',
        PYTHONIOENCODING: 'utf-8',
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(
      () => {
        output += `\n[schemathesis killed after ${o.timeoutMs} ms]\n`;
        child.kill('SIGKILL');
      },
      o.timeoutMs ?? 10 * 60_000,
    );
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

/** The end of the report: the failures (each with a curl line to reproduce it) and the summary. */
export function reportTail(output: string, max = 12_000): string {
  return output.length > max ? `…${output.slice(-max)}` : output;
}
