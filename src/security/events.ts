import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import { SecurityEvent } from '../audit/records';
import { redactForLog } from './redact';
import { scan, type ScanResult } from './scanner';

export interface SecurityEventInput {
  runId: string | null;
  /** injection_scanner, path_sandbox, … */
  eventType: string;
  /** fetch, memory_write, synthesis_write, file_api, … */
  layer: string;
  severity: 'block' | 'warn';
  detail: string;
  detector?: 'rules' | 'classifier' | 'encoder';
  score?: number;
}

export const SECURITY_EVENTS_FILE = 'security_events.jsonl';

/**
 * Inside a traced activity attempt (opened by the RunTrace activity interceptor), events go to the run's
 * spool and the audit writer appends them (finalizeRun): stage workers never write outside `work/`.
 */
export const securityEventScope = new AsyncLocalStorage<{ push(ev: SecurityEvent): Promise<void> }>();

/**
 * Records one decision: `detail` is redacted and cut to ~120 chars. In a traced activity it is spooled
 * for the audit writer; anywhere else (the dashboard) it is appended to `<dataDir>/security_events.jsonl`.
 */
export async function recordSecurityEvent(dataDir: string, ev: SecurityEventInput): Promise<void> {
  const record = SecurityEvent.parse({
    ts: new Date().toISOString(),
    run_id: ev.runId,
    event_type: ev.eventType,
    layer: ev.layer,
    severity: ev.severity,
    detail: redactForLog(ev.detail),
    event_id: randomUUID(),
    ...(ev.detector ? { detector: ev.detector } : {}),
    ...(ev.score !== undefined ? { score: ev.score } : {}),
  });
  const scope = securityEventScope.getStore();
  if (scope) await scope.push(record);
  else await appendSecurityEvents(dataDir, [record]);
}

/** The one append to security_events.jsonl; idempotent by event_id, so a retried writer adds nothing twice. */
export async function appendSecurityEvents(dataDir: string, events: SecurityEvent[]): Promise<number> {
  let added = 0;
  for (const e of events) {
    const res = await appendJsonl(path.join(dataDir, SECURITY_EVENTS_FILE), e, { key: 'event_id' });
    if (res === 'appended') added++;
  }
  return added;
}

/** Scans `text` and records one `injection_scanner` event per finding (none when the text is clean), with its layer. */
export async function scanAndRecord(
  dataDir: string,
  text: string,
  ctx: { runId: string | null; layer: string },
): Promise<ScanResult> {
  // A draft the model wrote is not removed on a learned layer's word alone (a false positive would cost the run its
  // output): there it warns; inputs from outside (fetched pages, memories, files) are blocked.
  const mode = ctx.layer === 'synthesis_write' ? 'warn' : 'block';
  const result = await scan(text, { classifier: mode, encoder: mode });
  for (const f of result.findings) {
    await recordSecurityEvent(dataDir, {
      runId: ctx.runId,
      eventType: 'injection_scanner',
      layer: ctx.layer,
      severity: f.severity,
      detail: `${f.rule}: ${f.excerpt}`,
      detector: f.detector,
      ...(f.score !== undefined ? { score: f.score } : {}),
    });
  }
  return result;
}
