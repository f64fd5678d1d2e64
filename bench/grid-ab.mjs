// Paired A/B of two addon builds over grid cells, for a change to the native
// code (the "paired" B/A figures of the CHANGELOG and docs/):
//   flock /tmp/bp-bench.lock node bench/grid-ab.mjs A.node B.node [op] [seed] [float64|float32] [cells]
// op: a name of native.operations (exactStream, the default exact method;
// bilevelL1Inf, bilevelL11, bilevelL12, ...). cells: 'all' (the 80 grid
// cells), a shape (its 20 cells) or a list like
// 4000x4000:cauchy:0.9,100x80000:cauchy:0.5 (data as bench/grid-data.mjs
// makes it). A and B alternate, the order swapped every repetition so that
// machine load falls on both alike, 9 timed pairs after a warm-up, one
// thread. Prints per cell B/A (the median of the per-pair quotients) and B
// over a memcpy, and the geometric mean of B/A. Two copies of one build read
// about 1.0 (up to 1.05-1.10 on 1000 x 8000, a bias of the pairing there).
import { createRequire } from 'module';
import * as path from 'path';
import { GRID_KINDS, gridCells, gridData } from './grid-data.mjs';

const require = createRequire(import.meta.url);
const [pa, pb, opArg = 'exactStream', seedArg = '2', typeArg = 'float64', cellsArg = 'all'] = process.argv.slice(2);
if (!pa || !pb) throw new TypeError('usage: node bench/grid-ab.mjs A.node B.node [op] [seed] [float64|float32] [cells]');
const A = require(path.resolve(pa));
const B = require(path.resolve(pb));
if (!(opArg in A.operations) || !(opArg in B.operations)) throw new RangeError(`op: not an operation of both builds: ${opArg}`);
const seed = Number(seedArg);
if (!Number.isInteger(seed)) throw new RangeError(`seed: expected an integer, got ${seedArg}`);
if (typeArg !== 'float64' && typeArg !== 'float32') throw new RangeError(`type: expected float64 or float32, got ${typeArg}`);
const Ctor = typeArg === 'float32' ? Float32Array : Float64Array;

const cells = gridCells(cellsArg);

A.threads(1);
B.threads(1);
// The radius in the operation's own norm (l1,inf for the exact methods).
const normKind = { bilevelL1Inf: 0, bilevelL11: 1, bilevelL12: 2 }[opArg] ?? 0;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
let logSum = 0;
for (const [shape, kind, r] of cells) {
  const [rows, cols] = shape.split('x').map(Number);
  if (!(rows > 0 && cols > 0) || !GRID_KINDS.includes(kind) || !(r === 'eta=1' || Number(r) > 0)) throw new RangeError(`cells: cannot read ${shape}:${kind}:${r}`);
  const y = gridData(rows, cols, kind, seed, Ctor);
  const eta = r === 'eta=1' ? 1 : Number(r) * A.norm(normKind, y, rows, cols, 0);
  const out = new Ctor(y.length);
  const radii = new Float64Array(cols);
  const run = (X) => {
    const t0 = now();
    X.project(X.operations[opArg], y, rows, cols, 0, eta, out, radii);
    return now() - t0;
  };
  run(A);
  run(B);
  const quotients = [], bs = [], copies = [];
  for (let k = 0; k < 9; k++) {
    const t0 = now();
    out.set(y);
    copies.push(now() - t0);
    let a, b;
    if (k % 2) {
      a = run(A);
      b = run(B);
    } else {
      b = run(B);
      a = run(A);
    }
    quotients.push(b / a);
    bs.push(b);
  }
  const q = med(quotients);
  logSum += Math.log(q);
  console.log(`${shape} ${kind} ${r}: B/A ${q.toFixed(3)}  B ${(med(bs) / med(copies)).toFixed(2)}x memcpy`);
}
console.log(`${opArg} ${typeArg} seed ${seed}: geometric mean B/A ${Math.exp(logSum / cells.length).toFixed(3)} over ${cells.length} cells`);
