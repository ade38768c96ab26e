// Draws battery score by model generation (the Models page's plot) from a data folder's evals.jsonl into an SVG.
// Usage: npx tsx scripts/plot-battery.ts [--data <dir>] [--battery <name>] [--out <file.svg>]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evalsLog, type EvalRecord } from '../src/activities/eval';
import { readJsonl } from '../src/audit/jsonl';
import { batteryPlotSvg, plotPoints } from '../src/dashboard/web/src/battery-plot';

/** The plot of a data folder's battery evals (one battery, or all), in time order. */
export async function batteryPlotOf(
  dataDir: string,
  battery?: string,
): Promise<{ svg: string; evals: number }> {
  const evals: EvalRecord[] = [];
  const file = evalsLog(dataDir);
  if (fs.existsSync(file))
    for await (const r of readJsonl(file, { onSkip: () => undefined })) {
      const e = r as EvalRecord;
      if (!battery || e.battery?.name === battery) evals.push(e);
    }
  evals.sort((a, b) => a.at.localeCompare(b.at));
  const points = plotPoints(
    evals.map((e) => ({
      model: e.model,
      mean_composite: e.battery_figures.model.mean_composite,
      diff_mean: e.battery_figures.diff?.mean ?? null,
      diff_ci95: e.battery_figures.diff?.ci95 ?? null,
    })),
  );
  return { svg: batteryPlotSvg(points), evals: evals.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: 'data' },
      battery: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const out = values.out ?? path.join('docs', 'img', 'battery-by-generation.svg');
  const { svg, evals } = await batteryPlotOf(values.data!, values.battery);
  if (evals === 0) {
    process.stderr.write(`no battery evals in ${evalsLog(values.data!)}: run \`flywheel eval\` first\n`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${svg}\n`);
  process.stdout.write(`${evals} eval(s) → ${out}\n`);
}

if (require.main === module)
  main().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
