// Property tests on random shapes, data and radii (fast-check): what the
// mathematics promises of every projection, checked through the public API.
import fc from 'fast-check';
import * as bp from '../lib';
import { matrixCase, type Case } from './helpers/arbitraries';
import { groupNorms, maxAbs, maxDiff, mixedNorm, sub, type Kind } from './helpers/norms';

type Fn = (y: bp.Matrix, eta: number, o: { groups: bp.Groups; out?: bp.FloatArray }) => bp.Projection;

interface Method {
  name: string;
  own: Kind;
  run: Fn;
}

const METHODS: Method[] = [
  { name: 'bilevelL1Inf', own: 'l1inf', run: (y, e, o) => bp.bilevelL1Inf(y, e, o) },
  { name: 'bilevelL11', own: 'l11', run: (y, e, o) => bp.bilevelL11(y, e, o) },
  { name: 'bilevelL12', own: 'l12', run: (y, e, o) => bp.bilevelL12(y, e, o) },
  { name: 'projectL1Inf newton', own: 'l1inf', run: (y, e, o) => bp.projectL1Inf(y, e, { ...o, method: 'newton' }) },
  { name: 'projectL1Inf sort', own: 'l1inf', run: (y, e, o) => bp.projectL1Inf(y, e, { ...o, method: 'sort' }) },
  { name: 'projectL1Inf stream', own: 'l1inf', run: (y, e, o) => bp.projectL1Inf(y, e, { ...o, method: 'stream' }) },
];

const RUNS = { numRuns: 150 };

// Where every entry is subnormal (fast-check's doubles lean to the ends of
// their range, so a small all-subnormal matrix comes up about once in 600
// cases), every value is a whole multiple of UNIT = 2^-1074 and every
// threshold the library computes is rounded to one: a bound relative to the
// entries (1e-12 * max|Y|) is then below one unit and asks for exact
// arithmetic on values that are not representable. The bounds below add the
// units that rounding costs, derived where each is used; at normal scale the
// added term is below 1e-300 and changes nothing.
const UNIT = Number.MIN_VALUE;
const groupsAndLength = (c: Case) => (c.groups === 'rows' ? { ng: c.rows, len: c.cols } : { ng: c.cols, len: c.rows });

function setup(c: Case, m: Method) {
  const y = { data: c.data, rows: c.rows, cols: c.cols };
  const norm = mixedNorm(c.data, c.rows, c.cols, c.groups, m.own);
  const eta = c.fraction * norm;
  return { y, norm, eta, scale: maxAbs(c.data) };
}

function zeroGroupCount(x: ArrayLike<number>, c: Case): number {
  return Array.from(groupNorms(x, c.rows, c.cols, c.groups).max).filter((v) => v === 0).length;
}

describe.each(METHODS)('$name', (m) => {
  test('feasible: norm(P(Y)) <= eta (1 + 1e-12), in the projection\'s own norm', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta } = setup(c, m);
        const p = m.run(y, eta, { groups: c.groups });
        expect(mixedNorm(p.data, c.rows, c.cols, c.groups, m.own)).toBeLessThanOrEqual(eta * (1 + 1e-12));
      }),
      RUNS,
    );
  });

  test('feasible in float32 too (results are rounded toward zero)', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const f = Float32Array.from(c.data);
        const norm = mixedNorm(f, c.rows, c.cols, c.groups, m.own);
        const eta = c.fraction * norm;
        const p = m.run({ data: f, rows: c.rows, cols: c.cols }, eta, { groups: c.groups });
        expect(p.data).toBeInstanceOf(Float32Array);
        expect(mixedNorm(p.data, c.rows, c.cols, c.groups, m.own)).toBeLessThanOrEqual(eta * (1 + 1e-12));
        // And close to the float64 answer for the same (float32) values (up
        // to float32's resolution, down to its smallest subnormal).
        const d = m.run({ data: Float64Array.from(f), rows: c.rows, cols: c.cols }, eta, { groups: c.groups });
        expect(maxDiff(p.data, d.data)).toBeLessThanOrEqual(1e-6 * maxAbs(f) + 2 ** -149);
      }),
      RUNS,
    );
  });

  test('eta >= norm returns the input; eta = 0 returns zeros', () => {
    fc.assert(
      fc.property(matrixCase(), fc.double({ min: 1, max: 4, noNaN: true }), (c, k) => {
        const { y } = setup(c, m);
        // The library's own (compensated) norm: a plain sum can round below it.
        const norm = bp.norm(y, m.own === 'fro' ? 'l1inf' : m.own, { groups: c.groups });
        const same = m.run(y, norm * k, { groups: c.groups });
        expect(Array.from(same.data)).toEqual(Array.from(c.data));
        const zero = m.run(y, 0, { groups: c.groups });
        expect(zero.data.every((v) => v === 0)).toBe(true);
        expect(zero.radii.every((v) => v === 0)).toBe(true);
        expect(zero.zeroGroups).toBe(c.groups === 'columns' ? c.cols : c.rows);
      }),
      RUNS,
    );
  });

  test("the paper's identity: ||Y - P(Y)|| + ||P(Y)|| = ||Y|| (18, 19, 24, 27)", () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta, norm } = setup(c, m);
        const p = m.run(y, eta, { groups: c.groups });
        const lhs = mixedNorm(sub(c.data, p.data), c.rows, c.cols, c.groups, m.own) + mixedNorm(p.data, c.rows, c.cols, c.groups, m.own);
        // At subnormal scale each result entry is a whole number of units within
        // one of its exact value (l1,2 results there are rounded toward zero,
        // the others to nearest), which moves each group's two norms by at most
        // sqrt(len) units together, and each norm is itself rounded to a unit
        // (l1,1 and l1,inf: exact; l1,2 at most sqrt(len) - 1 plus 1.5 units in
        // a brute-force search of small matrices).
        const { ng, len } = groupsAndLength(c);
        expect(Math.abs(lhs - norm)).toBeLessThanOrEqual(1e-12 * norm + ng * (Math.sqrt(len) + 1) * UNIT);
      }),
      RUNS,
    );
  });

  test('signs are kept and no entry grows: sign(X) in {0, sign(Y)}, |X| <= |Y|', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta } = setup(c, m);
        const p = m.run(y, eta, { groups: c.groups });
        for (let i = 0; i < c.data.length; i++) {
          const a = p.data[i], b = c.data[i];
          expect(Math.abs(a)).toBeLessThanOrEqual(Math.abs(b));
          expect(a === 0 || Math.sign(a) === Math.sign(b)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  test('idempotent: P(P(Y)) = P(Y)', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta, scale } = setup(c, m);
        const p = m.run(y, eta, { groups: c.groups });
        const q = m.run({ data: p.data, rows: c.rows, cols: c.cols }, eta, { groups: c.groups });
        expect(maxDiff(q.data, p.data)).toBeLessThanOrEqual(1e-12 * scale);
      }),
      RUNS,
    );
  });

  test('radii and zeroGroups describe the result', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta, norm } = setup(c, m);
        const p = m.run(y, eta, { groups: c.groups });
        expect(p.radii.length).toBe(c.groups === 'columns' ? c.cols : c.rows);
        expect(p.zeroGroups).toBe(zeroGroupCount(p.data, c));
        const sum = p.radii.reduce((s, v) => s + v, 0);
        if (eta > 0 && eta < norm) expect(Math.abs(sum - eta)).toBeLessThanOrEqual(1e-12 * Math.max(norm, 1e-300));
        // A group's radius bounds the group in the projection's inner norm.
        const g = groupNorms(p.data, c.rows, c.cols, c.groups);
        const inner = m.own === 'l1inf' ? g.max : m.own === 'l11' ? g.l1 : g.l2;
        for (const [j, v] of inner.entries()) expect(v).toBeLessThanOrEqual(p.radii[j] * (1 + 1e-12) + 1e-300);
      }),
      RUNS,
    );
  });
});

// How far two exact methods may be apart at subnormal scale: theta sums ng
// rounded quotients (up to ng / 2 units off), each mu_j is rounded again and
// the radius fit takes a unit off some; the methods round in different places
// (found: ng units on tied data, never more in 60000 crafted cases).
const methodsApartAtSubnormalScale = (c: Case) => (groupsAndLength(c).ng + 2) * UNIT;

describe('the exact l1,inf projection', () => {
  test('Newton = sort to 1e-12 max|Y|', () => {
    fc.assert(
      fc.property(matrixCase(40), (c) => {
        const { y, eta, scale } = setup(c, METHODS[3]);
        const a = bp.projectL1Inf(y, eta, { groups: c.groups, method: 'newton' });
        const b = bp.projectL1Inf(y, eta, { groups: c.groups, method: 'sort' });
        const units = methodsApartAtSubnormalScale(c);
        expect(maxDiff(a.data, b.data)).toBeLessThanOrEqual(1e-12 * scale + units);
        expect(maxDiff(a.radii, b.radii)).toBeLessThanOrEqual(1e-12 * scale + units);
      }),
      { numRuns: 300 },
    );
  });

  test('stream = sort to 1e-12 max|Y|', () => {
    fc.assert(
      fc.property(matrixCase(40), (c) => {
        const { y, eta, scale } = setup(c, METHODS[3]);
        const a = bp.projectL1Inf(y, eta, { groups: c.groups, method: 'stream' });
        const b = bp.projectL1Inf(y, eta, { groups: c.groups, method: 'sort' });
        const units = methodsApartAtSubnormalScale(c);
        expect(maxDiff(a.data, b.data)).toBeLessThanOrEqual(1e-12 * scale + units);
        expect(maxDiff(a.radii, b.radii)).toBeLessThanOrEqual(1e-12 * scale + units);
      }),
      { numRuns: 300 },
    );
  });

  test('is the Frobenius-closest of the four projections (all four land in its ball)', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta, scale } = setup(c, METHODS[3]);
        const exact = bp.projectL1Inf(y, eta, { groups: c.groups });
        const d = (x: ArrayLike<number>) => mixedNorm(sub(c.data, x), c.rows, c.cols, c.groups, 'fro');
        for (const other of [bp.bilevelL1Inf, bp.bilevelL11, bp.bilevelL12]) {
          const o = other(y, eta, { groups: c.groups });
          expect(mixedNorm(o.data, c.rows, c.cols, c.groups, 'l1inf')).toBeLessThanOrEqual(eta * (1 + 1e-12));
          expect(d(exact.data)).toBeLessThanOrEqual(d(o.data) + 1e-12 * Math.max(scale, 1e-300));
        }
      }),
      RUNS,
    );
  });

  test('meets its KKT conditions: X = clip(Y, mu), sum mu = eta, one common removed mass theta', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta, norm, scale } = setup(c, METHODS[3]);
        fc.pre(eta > 0 && eta < norm);
        const p = bp.projectL1Inf(y, eta, { groups: c.groups });
        const byRows = c.groups === 'rows';
        const ng = byRows ? c.rows : c.cols, len = byRows ? c.cols : c.rows;
        const removed: number[] = [], l1: number[] = [];
        let sumMu = 0;
        for (let g = 0; g < ng; g++) {
          const mu = p.radii[g];
          sumMu += mu;
          let r = 0, s = 0;
          for (let k = 0; k < len; k++) {
            const idx = byRows ? g * c.cols + k : k * c.cols + g;
            const v = c.data[idx];
            expect(Math.abs(p.data[idx] - Math.min(Math.max(v, -mu), mu))).toBeLessThanOrEqual(1e-15 * scale);
            r += Math.abs(v) - Math.abs(p.data[idx]);
            s += Math.abs(v);
          }
          removed.push(r);
          l1.push(s);
        }
        // Subnormal scale: each mu_j is a whole number of units within half a
        // unit of its exact value, and the radius fit takes one more off some
        // of them (two groups of 3 units at eta = 3 units get 1 unit each: 1.5
        // is not representable and 2 + 2 leaves the ball; exact.cpp, fit_radius).
        expect(Math.abs(sumMu - eta)).toBeLessThanOrEqual(1e-12 * norm + 2 * ng * UNIT);
        const active = removed.filter((_, g) => p.radii[g] > 0);
        // With a subnormal eta every mu can round to 0; sum mu = eta held above.
        if (active.length === 0) return;
        const theta = Math.max(...active);
        // A group's removed mass moves by len units for each unit its mu_j
        // moves: mu_j lies from half a unit above to 3/2 units below its exact
        // value, so two groups' are at most 2 len units apart (found: 13 units
        // at len = 11).
        const tol = 1e-10 * scale * Math.max(len, 1) + 2 * Math.max(len, 1) * UNIT;
        for (const r of active) expect(Math.abs(r - theta)).toBeLessThanOrEqual(tol);
        l1.forEach((s, g) => {
          if (p.radii[g] === 0) expect(s).toBeLessThanOrEqual(theta + tol);
        });
      }),
      RUNS,
    );
  });

  test('the prox is Y minus the projection (Moreau), with the same radii', () => {
    fc.assert(
      fc.property(matrixCase(), (c) => {
        const { y, eta, scale } = setup(c, METHODS[3]);
        const p = bp.projectL1Inf(y, eta, { groups: c.groups });
        const x = bp.proxLInf1(y, eta, { groups: c.groups });
        expect(maxDiff(x.data, sub(c.data, p.data))).toBeLessThanOrEqual(1e-12 * scale);
        expect(Array.from(x.radii)).toEqual(Array.from(p.radii));
        expect(x.zeroGroups).toBe(zeroGroupCount(x.data, c));
      }),
      RUNS,
    );
  });
});

describe('projectL1Ball', () => {
  test('feasible, sign-preserving, idempotent, identity inside the ball', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { maxLength: 300 }), fc.double({ min: 0, max: 1.2, noNaN: true }), (vals, f) => {
        const v = Float64Array.from(vals, (x) => x + 0);
        const l1 = v.reduce((s, x) => s + Math.abs(x), 0);
        const eta = f * l1;
        const x = bp.projectL1Ball(v, eta);
        expect(x.reduce((s, a) => s + Math.abs(a), 0)).toBeLessThanOrEqual(eta * (1 + 1e-12));
        x.forEach((a, i) => {
          expect(Math.abs(a)).toBeLessThanOrEqual(Math.abs(v[i]));
          expect(a === 0 || Math.sign(a) === Math.sign(v[i])).toBe(true);
        });
        expect(maxDiff(bp.projectL1Ball(x, eta), x)).toBeLessThanOrEqual(1e-12 * maxAbs(v));
        if (eta >= l1) expect(Array.from(x)).toEqual(Array.from(v));
      }),
      RUNS,
    );
  });
});

describe('norm', () => {
  test('agrees with plain TypeScript sums', () => {
    fc.assert(
      fc.property(matrixCase(), fc.constantFrom('l1inf' as const, 'l11' as const, 'l12' as const, 'linf1' as const), (c, kind) => {
        const got = bp.norm({ data: c.data, rows: c.rows, cols: c.cols }, kind, { groups: c.groups });
        const want = mixedNorm(c.data, c.rows, c.cols, c.groups, kind);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-13 * want);
      }),
      RUNS,
    );
  });

  test('l2 norms near 1e308 and of subnormals are finite and right', () => {
    expect(bp.norm({ data: new Float64Array([1e308, 1e308]), rows: 2, cols: 1 }, 'l12')).toBeCloseTo(Math.SQRT2 * 1e308, -294);
    expect(bp.norm({ data: new Float64Array([3e-320, 4e-320]), rows: 2, cols: 1 }, 'l12')).toBe(5e-320);
  });
});
