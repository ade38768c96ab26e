import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import type { Settings } from '../config';
import { boundLlm, type BoundLlm } from '../llm/bound';
import { resolveInside } from '../security/sandbox';

/** What activities need from the worker process: settings and (for the sweeper) a Temporal client. */
export interface ActivityDeps {
  settings: Settings;
  client?: Client;
}

/** Every file a run writes goes through here: resolved inside the data folder or refused. */
export function dataFile(dataDir: string, rel: string): string {
  const abs = resolveInside(dataDir, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  return abs;
}

/** Writes a file atomically (temp + rename) inside the data folder; returns its data-relative path. */
export function writeDataFile(dataDir: string, rel: string, content: string): string {
  const abs = dataFile(dataDir, rel);
  const tmp = `${abs}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, abs);
  return rel;
}

export function readDataFile(dataDir: string, rel: string): string {
  return fs.readFileSync(resolveInside(dataDir, rel), 'utf8');
}

export const workRel = (runId: string, name: string) => path.posix.join('work', runId, name);

/** The activity's cancellation signal (aborts LLM calls when the activity is cancelled). */
export function cancelSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** The one LLM client of a worker's activities: its model server, its timeout, the running activity's cancel signal. */
export function activityLlm(settings: Settings): BoundLlm {
  return boundLlm({
    host: settings.OLLAMA_HOST,
    timeoutMs: settings.FLYWHEEL_LLM_TIMEOUT_S * 1000,
    signal: cancelSignal,
  });
}
