// The regime grid's data, one definition for every script that times a grid
// cell (bench/grid-case.mjs, cell-check.mjs, f32-ratio.mjs), so that a cell
// and a seed name the same matrix everywhere: an LCG seeded from the seed,
// the shape and the kind (speed matters here, statistical quality hardly).
// Kinds: uniform [0, 1), standard normal, Cauchy, sparse (90 % zeros, the
// rest normal). Ctor Float32Array rounds each entry once, as
// Float32Array.from(the float64 matrix) would.
export function gridData(rows, cols, kind, seed, Ctor = Float64Array) {
  let s = (seed * 7919 + rows * 31 + cols + kind.length * 1000003) >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296; // in (0, 1)
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const a = new Ctor(rows * cols);
  for (let i = 0; i < a.length; i++) {
    if (kind === 'uniform') a[i] = u();
    else if (kind === 'gauss') a[i] = normal();
    else if (kind === 'cauchy') a[i] = Math.tan(Math.PI * (u() - 0.5));
    else a[i] = u() < 0.9 ? 0 : normal(); // sparse
  }
  return a;
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
