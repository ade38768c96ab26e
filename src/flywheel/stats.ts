// Agreement statistics for calibration and reports. Ties are handled explicitly: average ranks for
// Spearman, tau-b for Kendall. A statistic that is undefined for the data (n < 2, no variance) is null.

export function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** Pearson's r, or null when n < 2 or either side is constant. */
export function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) throw new RangeError('pearson: arrays differ in length');
  const n = xs.length;
  if (n < 2) return null;
  const mx = mean(xs)!;
  const my = mean(ys)!;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx;
    const dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks; tied values share the mean of the ranks they occupy. */
export function averageRanks(xs: number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho: Pearson's r on average ranks (correct with ties). */
export function spearman(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) throw new RangeError('spearman: arrays differ in length');
  return pearson(averageRanks(xs), averageRanks(ys));
}

/**
 * Kendall's tau-b: (concordant − discordant) / sqrt((n0 − tiesX)(n0 − tiesY)), where a pair tied in x
 * (or y) counts in tiesX (tiesY) and in neither concordant nor discordant. O(n²): calibration sets are small.
 */
export function kendallTauB(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) throw new RangeError('kendall: arrays differ in length');
  const n = xs.length;
  if (n < 2) return null;
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(xs[i] - xs[j]);
      const dy = Math.sign(ys[i] - ys[j]);
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      if (dx !== 0 && dy !== 0) {
        if (dx === dy) concordant++;
        else discordant++;
      }
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - tiesX) * (n0 - tiesY));
  return denom === 0 ? null : (concordant - discordant) / denom;
}

/** Cohen's kappa for two binary raters; null when chance agreement is 1 (both raters constant and equal). */
export function cohenKappa(a: boolean[], b: boolean[]): number | null {
  if (a.length !== b.length) throw new RangeError('kappa: arrays differ in length');
  const n = a.length;
  if (n === 0) return null;
  let agree = 0;
  let aYes = 0;
  let bYes = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    if (a[i]) aYes++;
    if (b[i]) bYes++;
  }
  const po = agree / n;
  const pe = (aYes / n) * (bYes / n) + (1 - aYes / n) * (1 - bYes / n);
  return pe === 1 ? null : (po - pe) / (1 - pe);
}

export const round = (x: number | null, digits = 4): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;
