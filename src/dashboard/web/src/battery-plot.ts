// The plot of battery score by model generation, as an SVG string: drawn by our own code (no chart library) and
// shared by the Models page and `scripts/plot-battery.ts` (the README's figure). Pure: no DOM, no Node.

export interface PlotPoint {
  /** The model (a generation), shown under its point. */
  label: string;
  /** Mean composite on the battery, 0–10. */
  mean: number;
  /** The 95% interval of the paired difference against the baseline, placed on the baseline's mean. */
  interval: [number, number] | null;
}

export interface EvalLike {
  model: string;
  mean_composite: number | null;
  diff_mean: number | null;
  diff_ci95: [number, number] | null;
}

/** Points from evals in time order: the interval is baseline mean + the difference's interval. */
export function plotPoints(evals: EvalLike[]): PlotPoint[] {
  return evals
    .filter((e) => e.mean_composite !== null)
    .map((e) => {
      const mean = e.mean_composite!;
      const base = e.diff_mean === null ? null : mean - e.diff_mean;
      return {
        label: e.model,
        mean,
        interval: base !== null && e.diff_ci95 ? [base + e.diff_ci95[0], base + e.diff_ci95[1]] : null,
      };
    });
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** The SVG: y is the 0–10 composite, one column per generation, a dot at the mean and a bar for the interval. */
export function batteryPlotSvg(points: PlotPoint[], title = 'Battery score by model generation'): string {
  const W = 640;
  const H = 300;
  const m = { l: 48, r: 16, t: 32, b: 64 };
  const x = (i: number) => m.l + ((i + 0.5) * (W - m.l - m.r)) / Math.max(1, points.length);
  const y = (v: number) => m.t + ((10 - Math.max(0, Math.min(10, v))) * (H - m.t - m.b)) / 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let v = 0; v <= 10; v += 2)
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v}</text>`,
    );
  parts.push(
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="#555">mean composite (0–10)</text>`,
  );
  if (points.length === 0)
    parts.push(
      `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no battery evals yet</text>`,
    );
  points.forEach((p, i) => {
    const cx = x(i);
    if (p.interval)
      parts.push(
        `<line class="interval" x1="${cx}" x2="${cx}" y1="${y(p.interval[0])}" y2="${y(p.interval[1])}" stroke="#1f6feb" stroke-width="2"><title>95% interval ${f1(p.interval[0])}–${f1(p.interval[1])}</title></line>`,
      );
    if (i > 0)
      parts.push(
        `<line x1="${x(i - 1)}" x2="${cx}" y1="${y(points[i - 1].mean)}" y2="${y(p.mean)}" stroke="#999" stroke-dasharray="3 3"/>`,
      );
    parts.push(
      `<circle class="point" cx="${cx}" cy="${y(p.mean)}" r="5" fill="#1f6feb" data-model="${esc(p.label)}" data-mean="${p.mean}"><title>${esc(p.label)}: ${f1(p.mean)}</title></circle>`,
      `<text x="${cx}" y="${y(p.mean) - 10}" text-anchor="middle">${f1(p.mean)}</text>`,
      `<text x="${cx}" y="${H - m.b + 18}" text-anchor="middle" fill="#333">${esc(p.label.length > 22 ? `${p.label.slice(0, 21)}…` : p.label)}</text>`,
      `<text x="${cx}" y="${H - m.b + 34}" text-anchor="middle" fill="#888">gen ${i + 1}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
