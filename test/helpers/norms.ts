// Plain TypeScript mixed norms for the tests (independent of the addon).
export type Kind = 'l1inf' | 'l11' | 'l12' | 'linf1' | 'fro';

export function groupNorms(x: ArrayLike<number>, rows: number, cols: number, groups: 'columns' | 'rows') {
  const byRows = groups === 'rows';
  const ng = byRows ? rows : cols, len = byRows ? cols : rows;
  const max = new Float64Array(ng), l1 = new Float64Array(ng), l2 = new Float64Array(ng);
  for (let g = 0; g < ng; g++) {
    let mx = 0, s = 0;
    for (let k = 0; k < len; k++) {
      const a = Math.abs(byRows ? x[g * cols + k] : x[k * cols + g]);
      mx = Math.max(mx, a); s += a;
    }
    // Scaled by the group's max so that the squares neither overflow nor underflow.
    let q = 0;
    for (let k = 0; k < len && mx > 0; k++) {
      const a = Math.abs(byRows ? x[g * cols + k] : x[k * cols + g]) / mx;
      q += a * a;
    }
    max[g] = mx; l1[g] = s; l2[g] = mx * Math.sqrt(q);
  }
  return { max, l1, l2 };
}

export function mixedNorm(x: ArrayLike<number>, rows: number, cols: number, groups: 'columns' | 'rows', kind: Kind): number {
  const g = groupNorms(x, rows, cols, groups);
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  switch (kind) {
    case 'l1inf': return sum(g.max);
    case 'l11': return sum(g.l1);
    case 'l12': return sum(g.l2);
    case 'linf1': return g.l1.reduce((m, v) => Math.max(m, v), 0);
    case 'fro': return Math.sqrt(sum(g.l2.map((v) => v * v)));
  }
}

export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export function sub(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const r = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i] - b[i];
  return r;
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
