// The split path of the bilevel l1,1 projection: groupNorms(block, 'l1') of
// blocks of whole groups, concatenated -> bilevelRadii -> applyRadii(block,
// radii, 'l11'), against bilevelL11 on the whole matrix (the same bytes,
// radii and zeroGroups), float32 and float64, groups = columns (column
// blocks) and rows (row blocks); each group's soft threshold against a
// sort-based reference; the kernel's tile boundaries, single-row and
// single-column matrices, groups kept whole; the async twin; the errors.
import * as bp from '../lib';
import type { Groups, Matrix } from '../lib';
import { colBlock, concat, cuts, putColBlock, randomMatrix, rng, rowBlock, sameBytes, type Ctor } from './helpers/split';

const TYPES: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const GROUPS: Groups[] = ['columns', 'rows'];

/** eta = 0, small, mid, large (inside the ball) and 1 (the paper's). */
function etas(y: Matrix, g: Groups, rand: () => number): number[] {
  const n = bp.norm(y, 'l11', { groups: g });
  return [0, 1, n * (0.005 + 0.05 * rand()), n * (0.1 + 0.8 * rand()), n * 1.5];
}

/** Blocks of whole groups (column blocks for groups = columns, row blocks for rows), projected block by block. */
function splitL11(y: Matrix, g: Groups, eta: number, at: number[]) {
  const blocks = at.slice(1).map((e, b) => (g === 'columns' ? colBlock(y, at[b], e) : rowBlock(y, at[b], e)));
  const norms = concat(blocks.map((b) => bp.groupNorms(b, 'l1', { groups: g })));
  const { radii } = bp.bilevelRadii(norms, eta);
  const out = new (y.data.constructor as Ctor)(y.data.length);
  let zeroGroups = 0;
  blocks.forEach((b, k) => {
    const r = radii.subarray(at[k], at[k + 1]);
    if (g === 'columns') {
      const p = bp.applyRadii(b, r, 'l11', { groups: g });
      putColBlock(out, y.cols, { data: p.data, rows: b.rows, cols: b.cols }, at[k]);
      zeroGroups += p.zeroGroups;
    } else {
      const dst = rowBlock({ data: out, rows: y.rows, cols: y.cols }, at[k], at[k + 1]).data;
      zeroGroups += bp.applyRadii(b, r, 'l11', { groups: g, out: dst }).zeroGroups;
    }
  });
  return { data: out, radii, zeroGroups };
}

/** The l1-ball soft threshold of v (radius < ||v||_1), by sorting: the reference for one group. */
function sortThreshold(v: number[], radius: number): number {
  const a = v.map(Math.abs).sort((p, q) => q - p);
  // The active set is the k largest for the last k with a[k - 1] > (sum of them - radius) / k.
  let s = 0;
  let tau = 0;
  for (let k = 0; k < a.length; k++) {
    s += a[k];
    const t = (s - radius) / (k + 1);
    if (!(a[k] > t)) break;
    tau = t;
  }
  return Math.max(tau, 0);
}

function groupOf(y: Matrix, g: Groups, j: number): number[] {
  const out: number[] = [];
  if (g === 'columns') for (let i = 0; i < y.rows; i++) out.push(y.data[i * y.cols + j]);
  else for (let k = 0; k < y.cols; k++) out.push(y.data[j * y.cols + k]);
  return out;
}

function expectSplitMatches(y: Matrix, g: Groups, eta: number, at: number[]): void {
  const one = bp.bilevelL11(y, eta, { groups: g });
  const split = splitL11(y, g, eta, at);
  expect(sameBytes(split.radii, one.radii)).toBe(true);
  expect(sameBytes(split.data, one.data)).toBe(true);
  expect(split.zeroGroups).toBe(one.zeroGroups);
}

describe.each(TYPES)('%s', (_name, F) => {
  describe.each(GROUPS)('groups = %s', (g) => {
    test('any split into blocks of whole groups gives the bytes, radii and zeroGroups of bilevelL11', () => {
      const rand = rng(F === Float32Array ? 61 : 62);
      for (let c = 0; c < 40; c++) {
        const y = randomMatrix(F, 1 + Math.floor(rand() * 40), 1 + Math.floor(rand() * 30), rand);
        const ng = g === 'columns' ? y.cols : y.rows;
        for (const eta of etas(y, g, rand)) expectSplitMatches(y, g, eta, cuts(ng, 1 + Math.floor(rand() * 6), rand));
      }
    });

    test('across the kernel tiles (256 columns), the filter raises (every 8 entries), single rows and columns', () => {
      const rand = rng(F === Float32Array ? 71 : 72);
      // Shapes around the column tile width and the raise period, and the degenerate ones.
      const shapes: [number, number][] = [[3, 600], [17, 257], [9, 513], [300, 7], [1, 700], [700, 1], [1, 1], [2, 256]];
      for (const [rows, cols] of shapes) {
        const y = randomMatrix(F, rows, cols, rand);
        const ng = g === 'columns' ? cols : rows;
        for (const eta of etas(y, g, rand)) {
          expectSplitMatches(y, g, eta, cuts(ng, 5, rand));
          expectSplitMatches(y, g, eta, [0, ng]);
        }
      }
    });

    test('each group is soft-thresholded onto the l1 ball of its radius (sort-based reference)', () => {
      const rand = rng(F === Float32Array ? 81 : 82);
      for (let c = 0; c < 30; c++) {
        const y = randomMatrix(F, 1 + Math.floor(rand() * 60), 1 + Math.floor(rand() * 300), rand);
        const ng = g === 'columns' ? y.cols : y.rows;
        const norms = bp.groupNorms(y, 'l1', { groups: g });
        // Any radii in [0, 1.2 * norm]: some groups zero, some kept whole, most thresholded.
        const radii = Float64Array.from(norms, (s) => (rand() < 0.15 ? 0 : s * 1.2 * rand()));
        const p = bp.applyRadii(y, radii, 'l11', { groups: g });
        let zero = 0;
        for (let j = 0; j < ng; j++) {
          const v = groupOf(y, g, j);
          const x = groupOf({ data: p.data, rows: y.rows, cols: y.cols }, g, j);
          const tau = radii[j] >= norms[j] ? 0 : radii[j] === 0 ? Infinity : sortThreshold(v, radii[j]);
          const scale = Math.max(...v.map(Math.abs), 1e-300);
          const tol = F === Float32Array ? 2 ** -23 * scale : 1e-12 * scale;
          let l1 = 0;
          let err = 0;
          for (let k = 0; k < v.length; k++) {
            const want = Math.sign(v[k]) * Math.max(Math.abs(v[k]) - tau, 0);
            err = Math.max(err, Math.abs(x[k] - want));
            l1 += Math.abs(x[k]);
          }
          expect(err).toBeLessThanOrEqual(tol);
          // Never outside the group's ball (the kernel raises tau until the kept mass fits).
          expect(l1).toBeLessThanOrEqual(radii[j] * (1 + 1e-12) + (F === Float32Array ? 0 : 1e-300));
          if (x.every((e) => e === 0)) zero++;
        }
        expect(p.zeroGroups).toBe(zero);
      }
    });

    test('a group whose radius is at least its l1 norm is kept bit for bit; radius 0 gives zeros', () => {
      const rand = rng(F === Float32Array ? 91 : 92);
      const y = randomMatrix(F, 20, 30, rand);
      const norms = bp.groupNorms(y, 'l1', { groups: g });
      const kept = bp.applyRadii(y, Float64Array.from(norms, (s, j) => (j % 2 === 0 ? s : s * 2)), 'l11', { groups: g });
      // -0 would come back as +0 (a soft threshold by 0): compare values, and bytes of the non-zero entries.
      for (let k = 0; k < y.data.length; k++) expect(Object.is(kept.data[k], y.data[k]) || (kept.data[k] === 0 && y.data[k] === 0)).toBe(true);
      const zeros = bp.applyRadii(y, new Float64Array(norms.length), 'l11', { groups: g });
      expect(zeros.data.every((e) => e === 0)).toBe(true);
      expect(zeros.zeroGroups).toBe(norms.length);
    });
  });

  test('groups whose l1 norm overflows: solved in scaled units, each group inside its ball', () => {
    // Column l1 norms of 3e308 and 2.5e308: groupNorms gives Infinity (bilevelRadii refuses
    // it), but radii from elsewhere still project, and so does the one-shot call.
    const y = { data: F.from([1.5e38, 1.5e38, 1.5e38, -1e38].map((v) => (F === Float32Array ? v : v * 1e270))), rows: 2, cols: 2 };
    const big = F === Float32Array ? 1e38 : 1e308;
    const p = bp.applyRadii(y, Float64Array.from([big, big / 2]), 'l11');
    // Column 0: lambda = 1e308, both entries 5e307; column 1: only the first entry is active.
    const want = [0.5, 0.5, 0.5, 0].map((v) => v * big);
    for (let k = 0; k < 4; k++) expect(Math.abs(p.data[k] - want[k])).toBeLessThanOrEqual(big * 1e-6);
    expect(p.zeroGroups).toBe(0);
    const one = bp.bilevelL11(y, big);
    expect(one.data.every((v) => Number.isFinite(v))).toBe(true);
    expect(Math.abs(one.data[0]) + Math.abs(one.data[1]) + Math.abs(one.data[2]) + Math.abs(one.data[3])).toBeLessThanOrEqual(big * (1 + 1e-6));
  });

  test('the async twin gives the bytes of the sync call', async () => {
    const rand = rng(F === Float32Array ? 101 : 102);
    for (const g of GROUPS) {
      const y = randomMatrix(F, 30, 300, rand);
      const { radii } = bp.bilevelRadii(bp.groupNorms(y, 'l1', { groups: g }), bp.norm(y, 'l11', { groups: g }) * 0.3);
      const sync = bp.applyRadii(y, radii, 'l11', { groups: g });
      const a = await bp.applyRadiiAsync(y, radii, 'l11', { groups: g });
      expect(sameBytes(a.data, sync.data)).toBe(true);
      expect(a.zeroGroups).toBe(sync.zeroGroups);
    }
  });
});

describe("applyRadii 'l11' errors name the argument", () => {
  const y = { data: Float64Array.from([1, -2, 3, 4, 0, -6]), rows: 2, cols: 3 };
  const cases: [string, () => unknown, string, RegExp][] = [
    ['radii too short (columns)', () => bp.applyRadii(y, new Float64Array(2), 'l11'), 'RangeError', /radii.*length 3/],
    ['radii too long (columns)', () => bp.applyRadii(y, new Float64Array(4), 'l11'), 'RangeError', /radii.*length 3/],
    ['radii length (rows)', () => bp.applyRadii(y, new Float64Array(3), 'l11', { groups: 'rows' }), 'RangeError', /radii.*length 2/],
    ['radii negative', () => bp.applyRadii(y, Float64Array.from([1, -1, 1]), 'l11'), 'RangeError', /radii\[1\]/],
    ['radii NaN', () => bp.applyRadii(y, Float64Array.from([1, 1, NaN]), 'l11'), 'RangeError', /radii\[2\]/],
    ['radii not a Float64Array', () => bp.applyRadii(y, [1, 1, 1] as unknown as Float64Array, 'l11'), 'TypeError', /radii/],
    ['radii above opts.norms', () => bp.applyRadii(y, Float64Array.from([9, 0, 0]), 'l11', { norms: Float64Array.from([5, 2, 9]) }), 'RangeError', /radii\[0\].*opts\.norms\[0\]/],
    ['NaN in the block', () => bp.applyRadii({ data: Float64Array.from([1, NaN]), rows: 1, cols: 2 }, new Float64Array(2), 'l11'), 'RangeError', /y\.data/],
    ['unknown option', () => bp.applyRadii(y, new Float64Array(3), 'l11', { group: 'rows' } as never), 'RangeError', /'group'/],
  ];
  test.each(cases)('%s', (_label, call, name, message) => {
    expect(call).toThrow(expect.objectContaining({ name, message: expect.stringMatching(message), code: expect.stringMatching(/^ERR_BP_/) }));
  });

  test('a non-finite entry leaves out untouched', () => {
    const out = new Float32Array(4).fill(7);
    expect(() => bp.applyRadii({ data: Float32Array.from([1, -2, -Infinity, 4]), rows: 2, cols: 2 }, Float64Array.from([1, 1]), 'l11', { out })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_BP_NON_FINITE' }),
    );
    expect(Array.from(out)).toEqual([7, 7, 7, 7]);
  });

  test('the async twin rejects with the same errors', async () => {
    await expect(bp.applyRadiiAsync(y, new Float64Array(1), 'l11')).rejects.toMatchObject({ name: 'RangeError', message: expect.stringMatching(/radii/) });
    await expect(bp.applyRadiiAsync(y, Float64Array.from([1, -1, 1]), 'l11')).rejects.toMatchObject({ name: 'RangeError', message: expect.stringMatching(/radii\[1\]/) });
  });
});
