// Checks shared by the harness tests: records as written, every trace valid, waiting for a condition.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readJsonl } from '../../src/audit/jsonl';
import { RunRecord } from '../../src/audit/records';
import { checkTrace } from '../../src/audit/trace';
import { harnessEnv, type HarnessEnv } from './harness-env';

/** The records of runs.jsonl as the reader everywhere sees them (torn or invalid lines skipped). */
export async function readRecords(dataDir: string): Promise<any[]> {
  const out: any[] = [];
  for await (const r of readJsonl(path.join(dataDir, 'runs.jsonl'))) out.push(r);
  return out;
}

/** The raw non-empty lines of runs.jsonl (to count what is really on disk). */
export function rawLines(dataDir: string): string[] {
  const file = path.join(dataDir, 'runs.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
}

/** The one record of a data folder, checked against the record schema. */
export async function onlyRecord(dataDir: string): Promise<any> {
  const lines = rawLines(dataDir);
  assert.equal(lines.length, 1, `expected exactly one line in runs.jsonl, found ${lines.length}`);
  const recs = await readRecords(dataDir);
  assert.equal(recs.length, 1);
  const parsed = RunRecord.safeParse(recs[0]);
  assert.ok(parsed.success, `record does not match the schema: ${parsed.error?.message}`);
  return recs[0];
}

/** Every trace in the data folder passes the checker; returns how many there are. */
export function assertTracesValid(dataDir: string): number {
  const dir = path.join(dataDir, 'traces');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.trace.json')) : [];
  for (const f of files) {
    const trace = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    assert.deepEqual(checkTrace(trace), [], `trace ${f} is not valid`);
  }
  return files.length;
}

export function readTrace(dataDir: string, rec: { trace_path: string }): any {
  return JSON.parse(fs.readFileSync(path.join(dataDir, rec.trace_path), 'utf8'));
}

export function readData(dataDir: string, rel: string): string {
  return fs.readFileSync(path.join(dataDir, rel), 'utf8');
}

/** The lines of security_events.jsonl as written. */
export function securityEvents(dataDir: string): Record<string, unknown>[] {
  return readData(dataDir, 'security_events.jsonl')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export { waitFor } from './wait';

/** Runs `fn` with a fresh harness env (own task queue, data folder, scripted Ollama); checks every trace after. */
export async function withHarnessEnv<T>(
  opts: Parameters<typeof harnessEnv>[0],
  fn: (env: HarnessEnv) => Promise<T>,
): Promise<T> {
  const env = await harnessEnv(opts);
  try {
    const out = await fn(env);
    assertTracesValid(env.dataDir);
    return out;
  } finally {
    // The scripted server first: a call still hanging on it ends now, so the worker can shut down at once.
    await env.ollama.close();
    await env.close();
  }
}
