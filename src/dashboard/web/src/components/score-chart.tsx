// Per-dimension scores for each scored round as grouped SVG bars (0–10), with the composite as a marker line.
import { DIMENSIONS, PALETTE, fmtScore } from '../format';

export interface ScoreChartProps {
  /** Dimension → score per scored round (null = not scored). */
  dimensions: Record<string, (number | null)[]>;
  /** Composite per scored round. */
  composites: number[];
  threshold?: number;
}

const W = 640;
const H = 240;
const PAD = { left: 34, right: 12, top: 12, bottom: 28 };

export function ScoreChart({ dimensions, composites, threshold }: ScoreChartProps) {
  const dims = DIMENSIONS.filter((d) => d in dimensions).concat(
    Object.keys(dimensions).filter((d) => !DIMENSIONS.includes(d)),
  );
  const rounds = Math.max(composites.length, ...dims.map((d) => dimensions[d]?.length ?? 0));
  const scored = composites.length > 0 || dims.some((d) => dimensions[d].some((v) => v !== null));
  if (!scored) return <p class="muted">No round was scored.</p>;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - (Math.max(0, Math.min(10, v)) / 10) * plotH;
  const groupW = plotW / rounds;
  const barW = Math.min(28, (groupW * 0.8) / dims.length);
  return (
    <figure class="chart score-layout" data-testid="score-chart">
      <div>
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Scores per round and dimension">
          {[0, 2, 4, 6, 8, 10].map((t) => (
            <g key={t}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} class="grid" />
              <text x={PAD.left - 6} y={y(t) + 4} class="axis" text-anchor="end">
                {t}
              </text>
            </g>
          ))}
          {threshold !== undefined && (
            <line x1={PAD.left} x2={W - PAD.right} y1={y(threshold)} y2={y(threshold)} class="threshold">
              <title>pass threshold {threshold}</title>
            </line>
          )}
          {Array.from({ length: rounds }, (_, r) => {
            const gx = PAD.left + r * groupW + (groupW - barW * dims.length) / 2;
            const c = composites[r];
            return (
              <g key={r} data-round={r + 1}>
                {dims.map((d, i) => {
                  const v = dimensions[d]?.[r];
                  if (v === null || v === undefined) return null;
                  return (
                    <rect
                      key={d}
                      x={gx + i * barW + 1}
                      y={y(v)}
                      width={barW - 2}
                      height={y(0) - y(v)}
                      fill={PALETTE[i % 6]}
                      data-dimension={d}
                    >
                      <title>{`round ${r + 1} · ${d}: ${fmtScore(v)}`}</title>
                    </rect>
                  );
                })}
                {c !== undefined && (
                  <line x1={gx - 4} x2={gx + barW * dims.length + 4} y1={y(c)} y2={y(c)} class="composite">
                    <title>{`round ${r + 1} · composite: ${fmtScore(c)}`}</title>
                  </line>
                )}
                <text x={PAD.left + r * groupW + groupW / 2} y={H - 8} class="axis" text-anchor="middle">
                  round {r + 1}
                </text>
              </g>
            );
          })}
        </svg>
        <figcaption class="legend">
          <span>
            <i class="composite-key" />
            composite (weighted)
          </span>
          {threshold !== undefined && (
            <span>
              <i class="threshold-key" />
              pass threshold {threshold}
            </span>
          )}
        </figcaption>
      </div>
      <table class="scores" data-testid="score-table">
        <thead>
          <tr>
            <th>dimension</th>
            {Array.from({ length: rounds }, (_, r) => (
              <th key={r} class="num">
                round {r + 1}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {dims.map((d, i) => (
            <tr key={d} data-dimension={d}>
              <td>
                <i class="swatch" style={{ background: PALETTE[i % 6] }} />
                {d}
              </td>
              {Array.from({ length: rounds }, (_, r) => (
                <td key={r} class="num">
                  {fmtScore(dimensions[d]?.[r])}
                </td>
              ))}
            </tr>
          ))}
          <tr data-dimension="composite" class="strong">
            <td>composite</td>
            {Array.from({ length: rounds }, (_, r) => (
              <td key={r} class="num">
                {fmtScore(composites[r])}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </figure>
  );
}
