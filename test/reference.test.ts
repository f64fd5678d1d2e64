// Every case of ../shared/reference meets its PASS rule through the public
// API, with every exact method and with the default; float64 inputs also meet
// atol_tight (what a kernel that accumulates in double must reach).
import * as bp from '../lib';
import { REFERENCE_DIR, hexOf, judge, loadManifest, readInput, type RefCase } from './helpers/reference';

const cases = loadManifest();

type Runner = (c: RefCase, y: Float32Array | Float64Array) => { data: ArrayLike<number>; radii?: ArrayLike<number>; zeroGroups?: number };

function matrixOf(c: RefCase, y: Float32Array | Float64Array) {
  return { data: y, rows: c.n, cols: c.m };
}

const opts = (c: RefCase) => ({ groups: c.groups === 'rows' ? ('rows' as const) : ('columns' as const) });

const runners: Record<string, Record<string, Runner>> = {
  projectL1Inf: {
    default: (c, y) => bp.projectL1Inf(matrixOf(c, y), c.eta, opts(c)),
    newton: (c, y) => bp.projectL1Inf(matrixOf(c, y), c.eta, { ...opts(c), method: 'newton' }),
    sort: (c, y) => bp.projectL1Inf(matrixOf(c, y), c.eta, { ...opts(c), method: 'sort' }),
    stream: (c, y) => bp.projectL1Inf(matrixOf(c, y), c.eta, { ...opts(c), method: 'stream' }),
  },
  proxLInf1: {
    default: (c, y) => bp.proxLInf1(matrixOf(c, y), c.eta, opts(c)),
    newton: (c, y) => bp.proxLInf1(matrixOf(c, y), c.eta, { ...opts(c), method: 'newton' }),
    sort: (c, y) => bp.proxLInf1(matrixOf(c, y), c.eta, { ...opts(c), method: 'sort' }),
    stream: (c, y) => bp.proxLInf1(matrixOf(c, y), c.eta, { ...opts(c), method: 'stream' }),
  },
  bilevelL1Inf: { default: (c, y) => bp.bilevelL1Inf(matrixOf(c, y), c.eta, opts(c)) },
  bilevelL11: { default: (c, y) => bp.bilevelL11(matrixOf(c, y), c.eta, opts(c)) },
  bilevelL12: { default: (c, y) => bp.bilevelL12(matrixOf(c, y), c.eta, opts(c)) },
  projectL1Ball: { default: (_c, y) => ({ data: bp.projectL1Ball(y, _c.eta) }) },
};

describe(`reference vectors (${REFERENCE_DIR})`, () => {
  test('the manifest lists every case, and JSON gives each radius bit for bit', () => {
    if (!process.env.BP_REFERENCE_DIR) expect(cases.length).toBeGreaterThanOrEqual(54);
    for (const c of cases) expect(hexOf(c.eta)).toBe(c.eta_hex);
    // Every algorithm named is one we run; the shared set exercises them all.
    const named = new Set(cases.map((c) => c.algorithm));
    for (const a of named) expect(Object.keys(runners)).toContain(a);
    if (!process.env.BP_REFERENCE_DIR) expect(named).toEqual(new Set(Object.keys(runners)));
  });

  const rows: [string, string, RefCase][] = [];
  for (const c of cases) for (const method of Object.keys(runners[c.algorithm])) rows.push([c.id, method, c]);

  test.each(rows)('%s (%s)', (_id, method, c) => {
    const y = readInput(c);
    const before = y.slice();
    const r = runners[c.algorithm][method](c, y);
    // The input is only read.
    expect(y).toEqual(before);
    // Float32 stays Float32.
    expect(r.data.constructor.name).toBe(c.input.dtype === 'float32' ? 'Float32Array' : 'Float64Array');
    const v = judge(c, r, c.input.dtype === 'float64');
    if (!v.ok) throw new Error(`${c.id} (${method}): ${v.problems.join('; ')}`);
  });
});
