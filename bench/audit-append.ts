// The audit append (lock + duplicate check + write + fdatasync) vs a bare fdatasync'd append loop.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendJsonl } from '../src/audit/jsonl';

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export async function benchAuditAppend(n = Number(process.env.BENCH_APPENDS ?? 500)): Promise<object> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-bench-'));
  const record = (i: number) => ({
    run_id: `20260101T000000_${i.toString(16).padStart(8, '0')}`,
    task: 'x'.repeat(200),
    final: 'PASS',
  });
  // Baseline: open(O_APPEND) + write + fdatasync per line, no lock, no key check.
  const bare = path.join(dir, 'bare.jsonl');
  const bareT: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    const fd = fs.openSync(bare, 'a');
    fs.writeSync(fd, JSON.stringify(record(i)) + '\n');
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    bareT.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const audit = path.join(dir, 'runs.jsonl');
  const auditT: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await appendJsonl(audit, record(i), { key: 'run_id' });
    auditT.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const result = {
    appends: n,
    bare_p50_ms: pct(bareT, 50),
    bare_p99_ms: pct(bareT, 99),
    audit_p50_ms: pct(auditT, 50),
    audit_p99_ms: pct(auditT, 99),
    throughput_ratio_audit_vs_bare: sum(bareT) / sum(auditT),
  };
  process.stdout.write(
    `audit append vs bare fdatasync'd append (${n} each): p50 ${result.audit_p50_ms.toFixed(2)} vs ${result.bare_p50_ms.toFixed(2)} ms, ` +
      `p99 ${result.audit_p99_ms.toFixed(2)} vs ${result.bare_p99_ms.toFixed(2)} ms, throughput ratio ${result.throughput_ratio_audit_vs_bare.toFixed(2)}\n`,
  );
  return result;
}

if (require.main === module) void benchAuditAppend();
