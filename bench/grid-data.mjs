// The regime grid's data, one definition for every script that times a grid
// cell (bench/grid-case.mjs, cell-check.mjs, f32-ratio.mjs), so that a cell
// and a seed name the same matrix everywhere: an LCG seeded from the seed,
// the shape and the kind (speed matters here, statistical quality hardly).
// Kinds: uniform [0, 1), standard normal, Cauchy, sparse (90 % zeros, the
// rest normal). Ctor Float32Array rounds each entry once, as
// Float32Array.from(the float64 matrix) would.
export function gridData(rows, cols, kind, seed, Ctor = Float64Array) {
  return lcgMatrix((seed * 7919 + rows * 31 + cols + kind.length * 1000003) >>> 0, rows * cols, kind, Ctor);
}

// n entries of a kind from an LCG started at state (a uint32): the grid's
// four kinds, and 'tiny' (normal times 1e-300, entries near the underflow)
// for bench/bytes-ab.mjs's small cases, which seed it their own way. Any
// other kind reads as sparse.
export function lcgMatrix(state, n, kind, Ctor = Float64Array) {
  let s = state;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296; // in (0, 1)
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const a = new Ctor(n);
  for (let i = 0; i < a.length; i++) {
    if (kind === 'uniform') a[i] = u();
    else if (kind === 'gauss') a[i] = normal();
    else if (kind === 'cauchy') a[i] = Math.tan(Math.PI * (u() - 0.5));
    else if (kind === 'tiny') a[i] = normal() * 1e-300;
    else a[i] = u() < 0.9 ? 0 : normal(); // sparse
  }
  return a;
}

// The grid's cells: shapes, data kinds and radii (r of the projection's own
// norm, or eta = 1).
export const GRID_SHAPES = ['1000x8000', '8000x1000', '100x80000', '4000x4000'];
export const GRID_KINDS = ['uniform', 'gauss', 'cauchy', 'sparse'];
export const GRID_RADII = ['eta=1', '0.01', '0.1', '0.5', '0.9'];

// Cells as the bench scripts take them, each [shape, kind, radius]: 'all'
// (or nothing: the 80 grid cells), a shape (its 20), or a list like
// 4000x4000:cauchy:0.9,100x80000:cauchy:0.5.
export function gridCells(text) {
  if (!text || text === 'all' || /^\d+x\d+$/.test(text)) {
    const shapes = !text || text === 'all' ? GRID_SHAPES : [text];
    return shapes.flatMap((shape) => GRID_KINDS.flatMap((kind) => GRID_RADII.map((r) => [shape, kind, r])));
  }
  return text.split(',').map((c) => c.split(':'));
}

// Seeds as the bench scripts take them: one (`12`), a list (`12,42`), ranges
// (`1-30`) or both (`1-3,7`); anything else is a RangeError.
export function parseSeeds(text) {
  return String(text).split(',').flatMap((part) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) throw new RangeError(`seeds: expected 12, 12,42 or 1-30, got ${text}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    return Array.from({ length: b - a + 1 }, (_, k) => a + k);
  });
}
