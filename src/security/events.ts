import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import { SecurityEvent } from '../audit/records';
import { redactForLog } from './redact';
import { scanText, type ScanResult } from './scanner';

export interface SecurityEventInput {
  runId: string | null;
  /** injection_scanner, path_sandbox, … */
  eventType: string;
  /** fetch, memory_write, synthesis_write, file_api, … */
  layer: string;
  severity: 'block' | 'warn';
  detail: string;
}

export const SECURITY_EVENTS_FILE = 'security_events.jsonl';

/** Appends one decision to `<dataDir>/security_events.jsonl`; `detail` is redacted and cut to ~120 chars. */
export async function recordSecurityEvent(dataDir: string, ev: SecurityEventInput): Promise<void> {
  const record = SecurityEvent.parse({
    ts: new Date().toISOString(),
    run_id: ev.runId,
    event_type: ev.eventType,
    layer: ev.layer,
    severity: ev.severity,
    detail: redactForLog(ev.detail),
  });
  await appendJsonl(path.join(dataDir, SECURITY_EVENTS_FILE), record);
}

/** Scans `text` and records one `injection_scanner` event per finding (none when the text is clean). */
export async function scanAndRecord(
  dataDir: string,
  text: string,
  ctx: { runId: string | null; layer: string },
): Promise<ScanResult> {
  const result = scanText(text);
  for (const f of result.findings) {
    await recordSecurityEvent(dataDir, {
      runId: ctx.runId,
      eventType: 'injection_scanner',
      layer: ctx.layer,
      severity: f.severity,
      detail: `${f.rule}: ${f.excerpt}`,
    });
  }
  return result;
}
