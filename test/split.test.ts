// The split path (groupNorms -> combineGroupNorms -> bilevelRadii ->
// applyRadii) against the one-shot projections, on random matrices cut at
// random rows and columns, float32 and float64; the distributed l1-ball
// threshold against projectL1Ball; and the argument checks.
import * as bp from '../lib';
import type { FloatArray, Groups, Matrix } from '../lib';
import { colBlock, concat, cuts, distributedThreshold, putColBlock, randomMatrix, rng, rowBlock, sameBytes, type Ctor } from './helpers/split';

const TYPES: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const GROUPS: Groups[] = ['columns', 'rows'];
const CASES = 40;

type Kind = 'l1inf' | 'l12';
const NORM_OF: Record<Kind, 'linf' | 'l2'> = { l1inf: 'linf', l12: 'l2' };

/** eta below, near and above the mixed norm, and 0. */
function etas(y: Matrix, kind: Kind, g: Groups, rand: () => number): number[] {
  const n = bp.norm(y, kind, { groups: g });
  return [0, n * (0.02 + 0.5 * rand()), n * (0.6 + 0.39 * rand()), n * 1.5];
}

/** Merges per-block norms in a random order and grouping (the combine may run as any tree). */
function combineShuffled(kind: 'linf' | 'l1' | 'l2', parts: Float64Array[], rand: () => number): Float64Array {
  const pool = parts.map((p) => Float64Array.from(p));
  while (pool.length > 1) {
    const i = Math.floor(rand() * pool.length);
    const a = pool.splice(i, 1)[0];
    const k = Math.floor(rand() * pool.length);
    pool[k] = bp.combineGroupNorms(kind, a, pool[k], { out: pool[k] }) as Float64Array<ArrayBuffer>;
  }
  return pool[0];
}

/** Row blocks: the row cuts split groups when groups are columns, and hold whole groups when they are rows. */
function splitByRows(y: Matrix, kind: Kind, g: Groups, eta: number, rowCuts: number[], rand: () => number, norms?: Float64Array) {
  const blocks = rowCuts.slice(1).map((r1, b) => rowBlock(y, rowCuts[b], r1));
  const parts = blocks.map((b) => bp.groupNorms(b, NORM_OF[kind], { groups: g }));
  const whole = g === 'columns' ? combineShuffled(NORM_OF[kind], parts, rand) : concat(parts);
  const used = norms ?? whole;
  const { radii } = bp.bilevelRadii(used, eta);
  const out = new (y.data.constructor as Ctor)(y.data.length);
  let zeroGroups = 0;
  blocks.forEach((b, k) => {
    const r0 = rowCuts[k], r1 = rowCuts[k + 1];
    const [rb, nb] = g === 'columns' ? [radii, used] : [radii.subarray(r0, r1), used.subarray(r0, r1)];
    const p = bp.applyRadii(b, rb, kind, { groups: g, norms: nb, out: rowBlock({ data: out, rows: y.rows, cols: y.cols }, r0, r1).data });
    zeroGroups = g === 'columns' ? p.zeroGroups : zeroGroups + p.zeroGroups;
  });
  return { data: out, radii, norms: whole, zeroGroups };
}

/** Column blocks: whole groups when groups are columns, split groups when they are rows. */
function splitByCols(y: Matrix, kind: Kind, g: Groups, eta: number, colCuts: number[], rand: () => number, norms?: Float64Array) {
  const blocks = colCuts.slice(1).map((c1, b) => colBlock(y, colCuts[b], c1));
  const parts = blocks.map((b) => bp.groupNorms(b, NORM_OF[kind], { groups: g }));
  const whole = g === 'rows' ? combineShuffled(NORM_OF[kind], parts, rand) : concat(parts);
  const used = norms ?? whole;
  const { radii } = bp.bilevelRadii(used, eta);
  const out = new (y.data.constructor as Ctor)(y.data.length);
  let zeroGroups = 0;
  blocks.forEach((b, k) => {
    const c0 = colCuts[k], c1 = colCuts[k + 1];
    const [rb, nb] = g === 'rows' ? [radii, used] : [radii.subarray(c0, c1), used.subarray(c0, c1)];
    const p = bp.applyRadii(b, rb, kind, { groups: g, norms: nb });
    putColBlock(out, y.cols, { data: p.data, rows: b.rows, cols: b.cols }, c0);
    zeroGroups = g === 'rows' ? p.zeroGroups : zeroGroups + p.zeroGroups;
  });
  return { data: out, radii, norms: whole, zeroGroups };
}

function maxRelDiff(a: FloatArray, b: FloatArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > 0) m = Math.max(m, d / Math.max(Math.abs(a[i]), Math.abs(b[i])));
  }
  return m;
}

describe.each(TYPES)('%s', (_name, F) => {
  describe.each(GROUPS)('groups = %s', (g) => {
    test('l1,inf: any row split and any column split give the one-shot bytes, radii and zeroGroups', () => {
      const rand = rng(F === Float32Array ? 11 : 12);
      for (let c = 0; c < CASES; c++) {
        const y = randomMatrix(F, 1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 30), rand);
        for (const eta of etas(y, 'l1inf', g, rand)) {
          const one = bp.bilevelL1Inf(y, eta, { groups: g });
          for (const split of [
            splitByRows(y, 'l1inf', g, eta, cuts(y.rows, 1 + Math.floor(rand() * 5), rand), rand),
            splitByCols(y, 'l1inf', g, eta, cuts(y.cols, 1 + Math.floor(rand() * 5), rand), rand),
          ]) {
            expect(sameBytes(split.data, one.data)).toBe(true);
            expect(sameBytes(split.radii, one.radii)).toBe(true);
            expect(split.zeroGroups).toBe(one.zeroGroups);
          }
        }
      }
    });

    test('l1,2: blocks of whole groups give the one-shot bytes exactly', () => {
      const rand = rng(F === Float32Array ? 21 : 22);
      for (let c = 0; c < CASES; c++) {
        const y = randomMatrix(F, 1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 30), rand);
        for (const eta of etas(y, 'l12', g, rand)) {
          const one = bp.bilevelL12(y, eta, { groups: g });
          const split = g === 'columns'
            ? splitByCols(y, 'l12', g, eta, cuts(y.cols, 1 + Math.floor(rand() * 5), rand), rand)
            : splitByRows(y, 'l12', g, eta, cuts(y.rows, 1 + Math.floor(rand() * 5), rand), rand);
          expect(sameBytes(split.data, one.data)).toBe(true);
          expect(sameBytes(split.radii, one.radii)).toBe(true);
          expect(split.zeroGroups).toBe(one.zeroGroups);
        }
      }
    });

    test('l1,2: blocks that split groups give the one-shot bytes with the whole norms, and ulps of them with combined norms', () => {
      const rand = rng(F === Float32Array ? 31 : 32);
      let worstNorm = 0, worstData = 0;
      for (let c = 0; c < CASES; c++) {
        const y = randomMatrix(F, 2 + Math.floor(rand() * 40), 2 + Math.floor(rand() * 30), rand);
        const whole = bp.groupNorms(y, 'l2', { groups: g });
        for (const eta of etas(y, 'l12', g, rand)) {
          const one = bp.bilevelL12(y, eta, { groups: g });
          const cutsOf = g === 'columns' ? cuts(y.rows, 1 + Math.floor(rand() * 6), rand) : cuts(y.cols, 1 + Math.floor(rand() * 6), rand);
          const run = (norms?: Float64Array) => g === 'columns' ? splitByRows(y, 'l12', g, eta, cutsOf, rand, norms) : splitByCols(y, 'l12', g, eta, cutsOf, rand, norms);
          // The whole-matrix norms (an exact gather, or a first pass that kept them): the same bytes.
          const exact = run(whole);
          expect(sameBytes(exact.data, one.data)).toBe(true);
          expect(sameBytes(exact.radii, one.radii)).toBe(true);
          // Combined norms: a few roundings per merge, so a few ulps.
          const merged = run();
          worstNorm = Math.max(worstNorm, maxRelDiff(merged.norms, whole));
          worstData = Math.max(worstData, maxRelDiff(merged.data, one.data));
        }
      }
      // Per merge: one rounding of the hypot plus the partial sums' own: 7 blocks at most.
      expect(worstNorm).toBeLessThanOrEqual(32 * Number.EPSILON);
      // The result inherits that through u_j / n_j (relative), plus the float32 rounding of the write.
      expect(worstData).toBeLessThanOrEqual(F === Float32Array ? 2 ** -22 : 1e-12);
    });

    test('l1 and l2 norms of whole groups are exact; linf norms are exact on any split', () => {
      const rand = rng(F === Float32Array ? 41 : 42);
      for (let c = 0; c < CASES; c++) {
        const y = randomMatrix(F, 1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 30), rand);
        for (const kind of ['linf', 'l1', 'l2'] as const) {
          const whole = bp.groupNorms(y, kind, { groups: g });
          // Blocks of whole groups.
          const wc = g === 'columns' ? cuts(y.cols, 4, rand) : cuts(y.rows, 4, rand);
          const parts = wc.slice(1).map((e, b) => bp.groupNorms(g === 'columns' ? colBlock(y, wc[b], e) : rowBlock(y, wc[b], e), kind, { groups: g }));
          expect(sameBytes(concat(parts), whole)).toBe(true);
          if (kind === 'linf') {
            const sc = g === 'columns' ? cuts(y.rows, 4, rand) : cuts(y.cols, 4, rand);
            const split = sc.slice(1).map((e, b) => bp.groupNorms(g === 'columns' ? rowBlock(y, sc[b], e) : colBlock(y, sc[b], e), kind, { groups: g }));
            expect(sameBytes(combineShuffled('linf', split, rand), whole)).toBe(true);
          }
        }
      }
    });
  });

  test('the async twins give the bytes of the sync calls (plain and SharedArrayBuffer memory)', async () => {
    const rand = rng(51);
    for (let c = 0; c < 6; c++) {
      const y = randomMatrix(F, 30, 20, rand);
      const shared = new F(new SharedArrayBuffer(y.data.byteLength) as unknown as ArrayBuffer);
      shared.set(y.data);
      for (const data of [y.data, shared]) {
        const m = { data, rows: y.rows, cols: y.cols };
        const norms = bp.groupNorms(m, 'l2');
        expect(sameBytes(await bp.groupNormsAsync(m, 'l2'), norms)).toBe(true);
        const { radii } = bp.bilevelRadii(norms, bp.norm(m, 'l12') / 3);
        const sync = bp.applyRadii(m, radii, 'l12', { norms });
        const asyncOut = new F(data.length);
        const a = await bp.applyRadiiAsync(m, radii, 'l12', { norms, out: asyncOut });
        expect(a.data).toBe(asyncOut);
        expect(sameBytes(a.data, sync.data)).toBe(true);
        expect(a.zeroGroups).toBe(sync.zeroGroups);
      }
    }
  });
});

describe('l2 norms of cut groups: why no merge of one number per group is exact', () => {
  // docs/split.md, "Norms": (0.25, 1.25, 1.375) has l2 norm exactly 1.875,
  // which the one-shot kernel and one split find; the other split rounds
  // n(1.25, 1.375) before the merge and lands one ulp above.
  test('the same column, cut in two places, merges to two different norms', () => {
    const col = (v: number[]) => bp.groupNorms({ data: Float64Array.from(v), rows: v.length, cols: 1 }, 'l2');
    const whole = col([0.25, 1.25, 1.375])[0];
    const topCut = bp.combineGroupNorms('l2', col([0.25]), col([1.25, 1.375]))[0];
    const bottomCut = bp.combineGroupNorms('l2', col([0.25, 1.25]), col([1.375]))[0];
    expect(whole).toBe(1.875);
    expect(bottomCut).toBe(1.875);
    expect(topCut).toBe(1.8750000000000002);
  });
});

describe('bilevelRadii', () => {
  test('threshold: radii = max(norms - threshold, 0), 0 inside the ball, max(norms) for eta = 0', () => {
    const norms = Float64Array.from([3, 1, 0, 2]);
    const r = bp.bilevelRadii(norms, 3);
    expect(Array.from(r.radii)).toEqual([2, 0, 0, 1]);
    expect(r.threshold).toBe(1);
    expect(bp.bilevelRadii(norms, 6).threshold).toBe(0);
    expect(Array.from(bp.bilevelRadii(norms, 6).radii)).toEqual([3, 1, 0, 2]);
    const z = bp.bilevelRadii(norms, 0);
    expect(Array.from(z.radii)).toEqual([0, 0, 0, 0]);
    expect(z.threshold).toBe(3);
  });

  test('combineGroupNorms: max, sum, and an overflow-safe hypot', () => {
    const a = Float64Array.from([1, 3, 1e300, 0]);
    const b = Float64Array.from([2, 4, 1e300, 0]);
    expect(Array.from(bp.combineGroupNorms('linf', a, b))).toEqual([2, 4, 1e300, 0]);
    expect(Array.from(bp.combineGroupNorms('l1', a, b))).toEqual([3, 7, 2e300, 0]);
    const h = bp.combineGroupNorms('l2', a, b);
    expect(h[1]).toBe(5);
    expect(h[2]).toBeCloseTo(Math.SQRT2 * 1e300, -290);
    expect(h[3]).toBe(0);
  });
});

describe('l1BallThresholdStats: the distributed threshold over 8 shards', () => {
  test.each(TYPES)('%s: matches projectL1Ball, in a few rounds of two numbers', (_n, F) => {
    const rand = rng(F === Float32Array ? 61 : 62);
    let maxRounds = 0;
    for (let c = 0; c < 60; c++) {
      const n = 8 + Math.floor(rand() * 3000);
      const v = new F(n);
      for (let i = 0; i < n; i++) v[i] = rand() < 0.1 ? 0 : (rand() - 0.5) * 10 ** (rand() * 3);
      let l1 = 0;
      for (let i = 0; i < n; i++) l1 += Math.abs(v[i]);
      const eta = [0, l1 * rand() * 0.2, l1 * rand(), l1 * 2][c % 4];
      const ref = bp.projectL1Ball(v, eta);
      const cut = cuts(n, 7, rand);
      const shards = cut.slice(1).map((e, k) => v.subarray(cut[k], e));
      const { tau, rounds } = distributedThreshold(shards, eta, bp.l1BallThresholdStats);
      maxRounds = Math.max(maxRounds, rounds);
      let worst = 0, maxAbs = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(v[i]);
        maxAbs = Math.max(maxAbs, a);
        const x = Math.sign(v[i]) * Math.max(a - tau, 0);
        worst = Math.max(worst, Math.abs(Math.fround(x) - ref[i]) * (F === Float32Array ? 1 : 0), Math.abs(x - ref[i]) * (F === Float64Array ? 1 : 0));
      }
      expect(worst).toBeLessThanOrEqual((F === Float32Array ? 2 ** -22 : 1e-12) * Math.max(maxAbs, 1e-300));
    }
    // Newton steps from tau = 0: a handful of rounds on every case here.
    expect(maxRounds).toBeLessThanOrEqual(12);
  });
});

describe('errors name the argument', () => {
  const y = { data: new Float64Array(6), rows: 2, cols: 3 };
  const cases: [string, () => unknown, string, RegExp][] = [
    ['groupNorms bad kind', () => bp.groupNorms(y, 'l3' as 'l1'), 'RangeError', /kind/],
    ['groupNorms y not a matrix', () => bp.groupNorms(null as unknown as Matrix, 'l1'), 'TypeError', /\by\b/],
    ['groupNorms out too short', () => bp.groupNorms(y, 'l1', { out: new Float64Array(2) }), 'RangeError', /opts\.out/],
    ['groupNorms out wrong type', () => bp.groupNorms(y, 'l1', { out: new Float32Array(3) as unknown as Float64Array }), 'TypeError', /opts\.out/],
    ['groupNorms unknown option', () => bp.groupNorms(y, 'l1', { group: 'rows' } as never), 'RangeError', /'group'.*known options: 'groups', 'out'/],
    ['groupNorms NaN', () => bp.groupNorms({ data: Float64Array.from([1, NaN]), rows: 1, cols: 2 }, 'l2'), 'RangeError', /y\.data\[1\]/],
    ['combine length mismatch', () => bp.combineGroupNorms('l2', new Float64Array(3), new Float64Array(4)), 'RangeError', /\bb\b.*length/],
    ['combine negative', () => bp.combineGroupNorms('l1', Float64Array.from([-1]), new Float64Array(1)), 'RangeError', /a\[0\]/],
    ['combine not Float64Array', () => bp.combineGroupNorms('l1', [1] as unknown as Float64Array, new Float64Array(1)), 'TypeError', /\ba\b/],
    ['bilevelRadii NaN norm', () => bp.bilevelRadii(Float64Array.from([1, NaN]), 1), 'RangeError', /norms\[1\]/],
    ['bilevelRadii infinite norm', () => bp.bilevelRadii(Float64Array.from([Infinity]), 1), 'RangeError', /norms\[0\]/],
    ['bilevelRadii negative eta', () => bp.bilevelRadii(new Float64Array(2), -1), 'RangeError', /eta/],
    ['bilevelRadii out length', () => bp.bilevelRadii(new Float64Array(2), 1, { out: new Float64Array(3) }), 'RangeError', /opts\.out/],
    ['applyRadii radii length', () => bp.applyRadii(y, new Float64Array(2), 'l1inf'), 'RangeError', /radii.*length 3/],
    ['applyRadii radii length (rows)', () => bp.applyRadii(y, new Float64Array(3), 'l1inf', { groups: 'rows' }), 'RangeError', /radii.*length 2/],
    ['applyRadii l12 without norms', () => bp.applyRadii(y, new Float64Array(3), 'l12'), 'TypeError', /opts\.norms/],
    ['applyRadii norms length', () => bp.applyRadii(y, new Float64Array(3), 'l12', { norms: new Float64Array(4) }), 'RangeError', /opts\.norms/],
    ['applyRadii radii above norms', () => bp.applyRadii(y, Float64Array.from([0, 2, 0]), 'l12', { norms: Float64Array.from([1, 1, 1]) }), 'RangeError', /radii\[1\].*opts\.norms\[1\]/],
    ['applyRadii bad kind', () => bp.applyRadii(y, new Float64Array(3), 'l21' as 'l12'), 'RangeError', /kind/],
    ['applyRadii out type', () => bp.applyRadii(y, new Float64Array(3), 'l1inf', { out: new Float32Array(6) as never }), 'TypeError', /opts\.out/],
    ['applyRadii NaN radius', () => bp.applyRadii(y, Float64Array.from([0, NaN, 0]), 'l1inf'), 'RangeError', /radii\[1\]/],
    ['l1BallThresholdStats tau', () => bp.l1BallThresholdStats(new Float64Array(2), -1), 'RangeError', /tau/],
    ['l1BallThresholdStats v', () => bp.l1BallThresholdStats([1, 2] as unknown as Float64Array, 0), 'TypeError', /\bv\b/],
  ];
  test.each(cases)('%s', (_label, call, name, message) => {
    expect(call).toThrow(expect.objectContaining({ name, message: expect.stringMatching(message), code: expect.stringMatching(/^ERR_BP_/) }));
  });

  test('a non-finite entry in the block: a RangeError (ERR_BP_NON_FINITE); y untouched, a separate out all NaN', () => {
    const data = Float32Array.from([1, -2, Infinity, 4]);
    const out = new Float32Array(4).fill(7);
    expect(() => bp.applyRadii({ data, rows: 2, cols: 2 }, Float64Array.from([1, 1]), 'l1inf', { out })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_BP_NON_FINITE', message: expect.stringMatching(/y\.data\[2\]/) }),
    );
    expect(Array.from(data)).toEqual([1, -2, Infinity, 4]);
    expect(out.every(Number.isNaN)).toBe(true);
  });

  test('a non-finite entry, in place: the block is checked before the first write and left as it was', () => {
    for (const kind of ['l1inf', 'l12'] as const) {
      const data = Float64Array.from({ length: 600 }, (_, k) => Math.sin(k));
      data[451] = Number.NaN;
      const before = Float64Array.from(data);
      const opts = kind === 'l12' ? { out: data, norms: new Float64Array(300).fill(1) } : { out: data };
      expect(() => bp.applyRadii({ data, rows: 2, cols: 300 }, new Float64Array(300).fill(0.1), kind, opts)).toThrow(
        expect.objectContaining({ code: 'ERR_BP_NON_FINITE', message: expect.stringMatching(/y\.data\[451\]/) }),
      );
      expect(Buffer.compare(Buffer.from(data.buffer), Buffer.from(before.buffer))).toBe(0);
    }
  });

  test('async twins reject with the same errors, and with ABORT_ERR when aborted', async () => {
    await expect(bp.groupNormsAsync(y, 'l9' as 'l1')).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_BP_INVALID_ARGUMENT' });
    await expect(bp.applyRadiiAsync(y, new Float64Array(1), 'l1inf')).rejects.toMatchObject({ name: 'RangeError', message: expect.stringMatching(/radii/) });
    const ac = new AbortController();
    ac.abort();
    await expect(bp.applyRadiiAsync(y, new Float64Array(3), 'l1inf', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await expect(bp.groupNormsAsync(y, 'l1', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  });
});

describe('streamed and direct writes agree to the signed zero', () => {
  // Large outputs are written with streaming vector stores, small ones and
  // in-place ones directly; a column clipped to radius 0 must read +0 on
  // every path, or row blocks (written in place) would differ from the
  // one-shot call (written to a new array) in the sign bit of their zeros.
  test.each(TYPES)('%s: one-shot new array, in place, offset view, row blocks in place', (_n, F) => {
    const rand = rng(91);
    const rows = 2100, cols = 2001; // 16 MB of float32 at least: the streaming path
    const y = randomMatrix(F, rows, cols, rand);
    const eta = bp.norm(y, 'l1inf') * 0.01; // many columns get radius 0
    const one = bp.bilevelL1Inf(y, eta);
    expect(one.zeroGroups).toBeGreaterThan(cols / 4);
    const copy = F === Float32Array ? Float32Array.from(y.data) : Float64Array.from(y.data);
    bp.bilevelL1Inf({ data: copy, rows, cols }, eta, { out: copy });
    expect(sameBytes(copy, one.data)).toBe(true);
    const shifted = new F(rows * cols + 1);
    shifted.set(y.data, 1);
    const view = shifted.subarray(1);
    expect(sameBytes(bp.bilevelL1Inf({ data: view, rows, cols }, eta).data, one.data)).toBe(true);
    const { radii } = bp.bilevelRadii(bp.groupNorms(y, 'linf'), eta);
    const blocks = F === Float32Array ? Float32Array.from(y.data) : Float64Array.from(y.data);
    for (const [r0, r1] of [[0, 7], [7, 1300], [1300, rows]]) {
      const b = rowBlock({ data: blocks, rows, cols }, r0, r1);
      bp.applyRadii(b, radii, 'l1inf', { out: b.data });
    }
    expect(sameBytes(blocks, one.data)).toBe(true);
  });
});

describe('streamed writes in blocks of rows agree with direct writes', () => {
  // A wide enough matrix (a row's worth of per-column parameters beyond 16 KB)
  // written to a new array of 16 MB or more is streamed a block of rows at a
  // time; in place it is written row by row. Both must give the same bytes,
  // with the row count not a multiple of the block and with rows whose
  // stride does and does not keep the vector alignment.
  const SHAPES: Record<string, [number, number][]> = { float32: [[1029, 4096], [1029, 4099]], float64: [[1029, 2056], [1029, 2051]] };
  test.each(TYPES)('%s: one-shot new array equals one-shot in place, l1,inf and l1,2', (name, F) => {
    let state = 92;
    for (const [rows, cols] of SHAPES[name]) {
      // Millions of entries: 11 random rows, repeated in turn (quick to make).
      const base = new F(11 * cols);
      for (let i = 0; i < base.length; i++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        // Column scales from 1/13 to 1, so that some groups go to zero.
        base[i] = state % 7 === 0 ? 0 : ((state / 2147483648 - 1) * (((i % cols) % 13) + 1)) / 13;
      }
      const data = new F(rows * cols);
      for (let i = 0; i < rows; i++) data.set(base.subarray((i % 11) * cols, (i % 11 + 1) * cols), i * cols);
      const y = { data, rows, cols };
      for (const kind of ['l1inf', 'l12'] as Kind[]) {
        const eta = bp.norm(y, kind) * 0.3;
        const run = kind === 'l1inf' ? bp.bilevelL1Inf : bp.bilevelL12;
        const streamed = run(y, eta);
        const copy = F === Float32Array ? Float32Array.from(y.data) : Float64Array.from(y.data);
        const direct = run({ data: copy, rows, cols }, eta, { out: copy });
        expect(sameBytes(streamed.data, direct.data)).toBe(true);
        expect(sameBytes(streamed.radii, direct.radii)).toBe(true);
        expect(streamed.zeroGroups).toBe(direct.zeroGroups);
        expect(streamed.zeroGroups).toBeGreaterThan(0);
        expect(streamed.zeroGroups).toBeLessThan(cols);
      }
      // A non-finite entry in the last full block: refused, out all NaN.
      const bad = F === Float32Array ? Float32Array.from(y.data) : Float64Array.from(y.data);
      bad[(rows - 6) * cols + 5] = Number.POSITIVE_INFINITY;
      const out = new F(rows * cols);
      const radii = bp.bilevelRadii(bp.groupNorms(y, 'linf'), 1).radii;
      expect(() => bp.applyRadii({ data: bad, rows, cols }, radii, 'l1inf', { out })).toThrow(expect.objectContaining({ code: 'ERR_BP_NON_FINITE' }));
      let nan = 0;
      for (let i = 0; i < out.length; i++) nan += Number.isNaN(out[i]) ? 1 : 0;
      expect(nan).toBe(out.length);
    }
  });
});
