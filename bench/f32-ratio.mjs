// node bench/f32-ratio.mjs addon.node [op] [seed] [cells] [reps]
// float32 / float64 time of the same cell, same build, paired (the two calls
// alternate), one thread, data as bench/cell-check.mjs makes it. cells: all (the
// 80 grid cells), a shape (its 20 cells), or a list like 100x80000:gauss:0.5.
// Prints per cell the median of the per-pair ratios and the two medians. Time
// it under flock /tmp/bp-bench.lock, as every benchmark here.
import { createRequire } from 'module';
import { gridCells, gridData } from './grid-data.mjs';
const require = createRequire(import.meta.url);
const [pa, opArg, seedArg, cellsArg, repsArg] = process.argv.slice(2);
const A = require(pa);
const op = opArg ?? 'exactStream', seed = Number(seedArg ?? 2), reps = Number(repsArg ?? 7);
const makeData = (rows, cols, kind) => gridData(rows, cols, kind, seed);
const cells = gridCells(cellsArg);
A.threads(1);
const normKind = { bilevelL1Inf: 0, bilevelL11: 1, bilevelL12: 2 }[op] ?? 0;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
const all = [];
let over = 0;
for (const [shape, kind, r] of cells) {
  const [rows, cols] = shape.split('x').map(Number);
  const y64 = makeData(rows, cols, kind);
  const y32 = Float32Array.from(y64);
  const eta64 = r === 'eta=1' ? 1 : Number(r) * A.norm(normKind, y64, rows, cols, 0);
  const eta32 = r === 'eta=1' ? 1 : Number(r) * A.norm(normKind, y32, rows, cols, 0);
  const o64 = new Float64Array(y64.length), o32 = new Float32Array(y32.length), radii = new Float64Array(cols);
  const run64 = () => { const t0 = now(); A.project(A.operations[op], y64, rows, cols, 0, eta64, o64, radii); return now() - t0; };
  const run32 = () => { const t0 = now(); A.project(A.operations[op], y32, rows, cols, 0, eta32, o32, radii); return now() - t0; };
  run64(); run32();
  const rs = [], t64 = [], t32 = [];
  for (let k = 0; k < reps; k++) {
    let a, b;
    if (k % 2) { a = run64(); b = run32(); } else { b = run32(); a = run64(); }
    rs.push(b / a); t64.push(a); t32.push(b);
  }
  const q = med(rs); all.push(q); if (q > 0.6) over++;
  console.log(`${shape} ${kind} ${r}: f32/f64 ${q.toFixed(3)}  f64 ${med(t64).toFixed(2)} ms  f32 ${med(t32).toFixed(2)} ms${q > 0.6 ? '  OVER' : ''}`);
}
console.log(`${op} seed ${seed}: median ${med(all).toFixed(3)}, over 0.6: ${over} of ${all.length}, worst ${Math.max(...all).toFixed(3)}`);
