// A small deterministic force layout (repulsion, springs on edges, gravity) for the memory graph.
export interface LayoutNode {
  id: string;
}
export interface LayoutEdge {
  source: string;
  target: string;
}

export function forceLayout(
  nodes: LayoutNode[],
  edges: LayoutEdge[],
  width: number,
  height: number,
  iterations = 300,
  margin = 24,
): Map<string, { x: number; y: number }> {
  const n = nodes.length;
  const index = new Map(nodes.map((v, i) => [v.id, i]));
  // Start on a circle (deterministic), so equal data gives an equal picture.
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const r0 = Math.min(width, height) * 0.35;
  nodes.forEach((_, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, n);
    xs[i] = width / 2 + r0 * Math.cos(a);
    ys[i] = height / 2 + r0 * Math.sin(a);
  });
  const links = edges
    .map((e) => [index.get(e.source), index.get(e.target)] as const)
    .filter((l): l is readonly [number, number] => l[0] !== undefined && l[1] !== undefined && l[0] !== l[1]);
  const k = Math.sqrt((width * height) / Math.max(1, n)) * 0.45;
  // Pulls every node towards the middle just enough that the repulsion of all others settles near radius r1.
  const r1 = Math.min(width, height) * 0.4;
  const gravity = (0.2 * width * height) / (r1 * r1);
  const steps = n > 400 ? 60 : iterations;
  for (let it = 0; it < steps; it++) {
    const temp = (Math.min(width, height) / 10) * (1 - it / steps) + 0.5;
    const dx = new Float64Array(n);
    const dy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ddx = xs[i] - xs[j];
        let ddy = ys[i] - ys[j];
        let d2 = ddx * ddx + ddy * ddy;
        if (d2 < 0.01) {
          ddx = 0.1 * ((i % 7) - 3);
          ddy = 0.1;
          d2 = ddx * ddx + ddy * ddy;
        }
        const f = (k * k) / d2;
        dx[i] += ddx * f;
        dy[i] += ddy * f;
        dx[j] -= ddx * f;
        dy[j] -= ddy * f;
      }
    }
    for (const [a, b] of links) {
      const ddx = xs[a] - xs[b];
      const ddy = ys[a] - ys[b];
      const d = Math.sqrt(ddx * ddx + ddy * ddy) || 0.01;
      const f = (0.35 * d) / k;
      dx[a] -= ddx * f;
      dy[a] -= ddy * f;
      dx[b] += ddx * f;
      dy[b] += ddy * f;
    }
    for (let i = 0; i < n; i++) {
      dx[i] += (width / 2 - xs[i]) * gravity * (height / width);
      dy[i] += (height / 2 - ys[i]) * gravity;
      const len = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]) || 1;
      xs[i] += (dx[i] / len) * Math.min(len, temp);
      ys[i] += (dy[i] / len) * Math.min(len, temp);
      xs[i] = Math.max(margin, Math.min(width - margin, xs[i]));
      ys[i] = Math.max(margin, Math.min(height - margin, ys[i]));
    }
  }
  // Springs can pull linked nodes on top of each other: push apart any pair closer than minGap.
  const minGap = 44;
  for (let pass = 0; pass < 20 && n <= 400; pass++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const ddx = xs[j] - xs[i] || 0.01 * (j - i);
        const ddy = ys[j] - ys[i];
        const d = Math.sqrt(ddx * ddx + ddy * ddy);
        if (d >= minGap) continue;
        const push = (minGap - d) / 2 / (d || 1);
        xs[i] -= ddx * push;
        ys[i] -= ddy * push;
        xs[j] += ddx * push;
        ys[j] += ddy * push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  // Stretch the result to fill the box (at most 3×), so small graphs are not a huddle in the middle.
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = x1 > x0 ? Math.min(3, (width - 2 * margin) / (x1 - x0)) : 1;
  const sy = y1 > y0 ? Math.min(3, (height - 2 * margin) / (y1 - y0)) : 1;
  const s = Math.min(sx, sy * 1.6);
  const fit = (v: number, lo: number, hi: number, c: number, scale: number) =>
    Math.max(lo, Math.min(hi, c + (v - c) * scale));
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return new Map(
    nodes.map((v, i) => [
      v.id,
      {
        x: fit(xs[i] - cx + width / 2, margin, width - margin, width / 2, s),
        y: fit(ys[i] - cy + height / 2, margin, height - margin, height / 2, Math.min(sy, s)),
      },
    ]),
  );
}
