// `npm run bench`: every benchmark, each printing ratios measured in the same run. Results go to bench/results/.
import fs from 'node:fs';
import path from 'node:path';

type Bench = { name: string; load: () => Promise<() => Promise<object>> };

const BENCHES: Bench[] = [
  { name: 'harness', load: async () => (await import('./harness')).benchHarness },
  { name: 'audit-append', load: async () => (await import('./audit-append')).benchAuditAppend },
  { name: 'export', load: async () => (await import('./export')).benchExport },
  { name: 'dashboard', load: async () => (await import('./dashboard')).benchDashboard },
  { name: 'lit-review', load: async () => (await import('./lit-review')).benchLitReview },
  { name: 'idle-share', load: async () => (await import('./idle-share')).benchIdleShare },
  { name: 'worker-tuning', load: async () => (await import('./worker-tuning')).benchWorkerTuning },
  { name: 'cluster', load: async () => (await import('./cluster')).benchCluster },
  { name: 'train', load: async () => (await import('./train')).benchTrain },
  { name: 'injection', load: async () => (await import('./injection')).benchInjection },
];

async function main() {
  const only = process.argv.slice(2);
  const outDir = path.join(__dirname, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  let failed = 0;
  for (const b of BENCHES) {
    if (only.length && !only.includes(b.name)) continue;
    process.stdout.write(`\n=== ${b.name} ===\n`);
    try {
      const result = await (await b.load())();
      fs.writeFileSync(
        path.join(outDir, `${b.name}.json`),
        JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2),
      );
    } catch (e) {
      failed++;
      process.stdout.write(`${b.name} failed: ${(e as Error).message}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
