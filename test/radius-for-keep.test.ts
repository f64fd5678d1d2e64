// radiusForKeep against this library's own projections: on tie-free data the
// projection at the returned radius keeps exactly k groups, and at that
// radius x (1 + 1e-9) it keeps more; the radius also matches a breakpoint
// computed here independently (sorting, no library code).
import fc from 'fast-check';
import * as bp from '../lib';

type P = bp.KeepProjection;
const PROJECT: Record<P, (y: bp.Matrix, eta: number, g: bp.Groups) => bp.Projection> = {
  'bilevel-l1inf': (y, e, groups) => bp.bilevelL1Inf(y, e, { groups }),
  'bilevel-l11': (y, e, groups) => bp.bilevelL11(y, e, { groups }),
  'bilevel-l12': (y, e, groups) => bp.bilevelL12(y, e, { groups }),
  l1inf: (y, e, groups) => bp.projectL1Inf(y, e, { groups }),
};

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function groupsOf(y: bp.Matrix, g: bp.Groups): number[][] {
  const out: number[][] = [];
  const ng = g === 'columns' ? y.cols : y.rows;
  for (let j = 0; j < ng; j++) {
    const v: number[] = [];
    if (g === 'columns') for (let i = 0; i < y.rows; i++) v.push(Math.abs(y.data[i * y.cols + j]));
    else for (let i = 0; i < y.cols; i++) v.push(Math.abs(y.data[j * y.cols + i]));
    out.push(v);
  }
  return out;
}

const NORM = {
  linf: (v: number[]) => Math.max(...v),
  l1: (v: number[]) => v.reduce((a, b) => a + b, 0),
  l2: (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)),
};
const ORDER_NORM: Record<P, keyof typeof NORM> = { 'bilevel-l1inf': 'linf', 'bilevel-l11': 'l1', 'bilevel-l12': 'l2', l1inf: 'l1' };

/** The threshold t with sum max(a - t, 0) = r (by sorting), for sum(a) > r > 0. */
function l1Threshold(a: number[], r: number): number {
  const s = [...a].sort((x, z) => z - x);
  let acc = 0;
  let t = 0;
  for (let i = 0; i < s.length; i++) {
    acc += s[i];
    const cand = (acc - r) / (i + 1);
    if (i + 1 === s.length || cand >= s[i + 1]) { t = cand; break; }
  }
  return Math.max(t, 0);
}

/** The breakpoint computed from first principles (see docs/radius-for-keep.md). */
function breakpoint(groups: number[][], p: P, k: number): number {
  const n = groups.map(NORM[ORDER_NORM[p]]);
  const idx = n.map((_, j) => j).sort((a, b) => n[b] - n[a]);
  const next = n[idx[k]];
  let eta = 0;
  for (let i = 0; i < k; i++) eta += p === 'l1inf' ? l1Threshold(groups[idx[i]], next) : n[idx[i]] - next;
  return eta;
}

/** Smallest relative gap between the sorted group norms (tie-free data has a wide one). */
function minGap(groups: number[][], p: P): number {
  const n = groups.map(NORM[ORDER_NORM[p]]).sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < n.length; i++) gap = Math.min(gap, (n[i] - n[i - 1]) / n[i]);
  return gap;
}

const kept = (y: bp.Matrix, p: P, eta: number, g: bp.Groups) => {
  const r = PROJECT[p](y, eta, g);
  return (g === 'columns' ? y.cols : y.rows) - r.zeroGroups;
};

const caseArb = fc.record({
  rows: fc.integer({ min: 1, max: 9 }),
  cols: fc.integer({ min: 1, max: 9 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  groups: fc.constantFrom<bp.Groups>('columns', 'rows'),
  f32: fc.boolean(),
  projection: fc.constantFrom<P>('bilevel-l1inf', 'bilevel-l11', 'bilevel-l12', 'l1inf'),
  spread: fc.constantFrom(1, 1e-3, 1e4),
});

describe('radiusForKeep', () => {
  test('keeps exactly k groups on tie-free data, and more just above (every projection, both axes, float32 and float64)', () => {
    let checked = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = rng(c.seed);
        const n = c.rows * c.cols;
        const data = c.f32 ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) data[i] = (r() * 2 - 1) * c.spread;
        const y = { data, rows: c.rows, cols: c.cols };
        const groups = groupsOf(y, c.groups);
        if (minGap(groups, c.projection) < 1e-5) return; // not tie-free enough to ask 1e-9 of it
        const ng = groups.length;
        for (let k = 0; k <= ng + 1; k++) {
          const eta = bp.radiusForKeep(y, k, { projection: c.projection, groups: c.groups });
          if (k === 0) {
            expect(eta).toBe(0);
            continue;
          }
          if (k >= ng) {
            const normKind = c.projection === 'bilevel-l11' ? 'l11' : c.projection === 'bilevel-l12' ? 'l12' : 'l1inf';
            expect(eta).toBeCloseTo(bp.norm(y, normKind, { groups: c.groups }), 12);
            expect(kept(y, c.projection, eta, c.groups)).toBe(ng);
            continue;
          }
          const exact = breakpoint(groups, c.projection, k);
          expect(kept(y, c.projection, eta, c.groups)).toBe(k);
          expect(kept(y, c.projection, eta * (1 + 1e-9), c.groups)).toBeGreaterThan(k);
          expect(Math.abs(eta - exact)).toBeLessThanOrEqual(1e-9 * exact);
          checked++;
        }
      }),
      { numRuns: 400, seed: 13 },
    );
    expect(checked).toBeGreaterThan(500);
  });

  test('the exact l1,inf answer also holds for the sort method', () => {
    const r = rng(99);
    const y = { data: Float64Array.from({ length: 8 * 12 }, () => r() * 2 - 1), rows: 8, cols: 12 };
    for (let k = 1; k < 12; k++) {
      const eta = bp.radiusForKeep(y, k, { projection: 'l1inf' });
      expect(12 - bp.projectL1Inf(y, eta, { method: 'sort' }).zeroGroups).toBe(k);
    }
  });

  test('ties at the boundary enter together: the answer keeps fewer than k', () => {
    // Column maxima 3, 2, 2, 1: keep 2 would split the tied pair.
    const y = { data: Float64Array.of(3, 2, -2, 1, 0, 1, 1, 0.5), rows: 2, cols: 4 };
    const eta = bp.radiusForKeep(y, 2);
    expect(eta).toBeCloseTo(1, 12); // (3 - 2) + (2 - 2)
    expect(kept(y, 'bilevel-l1inf', eta, 'columns')).toBe(1);
    expect(kept(y, 'bilevel-l1inf', eta * (1 + 1e-9), 'columns')).toBe(3);
    // Keep 3 is unambiguous again.
    const e3 = bp.radiusForKeep(y, 3);
    expect(e3).toBeCloseTo(4, 12); // (3 - 1) + (2 - 1) + (2 - 1)
    expect(kept(y, 'bilevel-l1inf', e3, 'columns')).toBe(3);
  });

  test('zero groups are never kept; keep beyond the non-zero groups gives the norm', () => {
    const y = { data: Float64Array.of(0, 1, 0, 0, 2, -3), rows: 2, cols: 3 };
    expect(bp.radiusForKeep(y, 2)).toBe(5); // 2 + 3
    expect(bp.radiusForKeep(y, 7)).toBe(5);
    expect(bp.radiusForKeep(y, 1)).toBe(1); // 3 - 2
    expect(3 - bp.bilevelL1Inf(y, bp.radiusForKeep(y, 1)).zeroGroups).toBe(1);
    expect(bp.radiusForKeep({ data: new Float64Array(0), rows: 0, cols: 3 }, 2)).toBe(0);
  });

  test('bad arguments are refused, naming them', () => {
    const y = { data: new Float64Array(4), rows: 2, cols: 2 };
    for (const k of [-1, 1.5, NaN, Infinity]) {
      expect(() => bp.radiusForKeep(y, k)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringContaining('keep') }));
    }
    expect(() => bp.radiusForKeep(y, '2' as unknown as number)).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('keep') }));
    expect(() => bp.radiusForKeep(y, 1, { projection: 'l2' as P })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('opts.projection') }));
    expect(() => bp.radiusForKeep(y, 1, { keep: 1 } as never)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining("'keep'") }));
    expect(() => bp.radiusForKeep({ data: new Float64Array(3), rows: 2, cols: 2 }, 1)).toThrow(/y\.data/);
    expect(() => bp.radiusForKeep({ data: Float64Array.of(1, NaN), rows: 1, cols: 2 }, 1)).toThrow(expect.objectContaining({ code: 'ERR_BP_NON_FINITE' }));
  });
});
