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
