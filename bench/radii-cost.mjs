// What the public call costs beyond the kernel, per shape: the facade call
// (validation, a fresh radii array, the addon call) against the addon's
// project() with one radii array reused across calls, and against project()
// with a fresh Float64Array of radii per call (what the facade allocates).
// The three are interleaved in rotating order, one thread, beside a memcpy
// of the same matrix in the same round; the paired ratios (per round, then
// the median) are the figures to trust on a shared machine.
// docs/bilevel-write.md ("The radii array") has what it measured.
//   flock /tmp/bp-bench.lock node bench/radii-cost.mjs [method] [shape] [float32|float64] [rounds]
//   e.g. node bench/radii-cost.mjs bilevelL1Inf 100x80000 float32 31
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bp = require(path.join(root, 'dist', 'index.js'));
const native = require(path.join(root, 'dist', 'native.js')).native;

const method = process.argv[2] ?? 'bilevelL1Inf';
const [rows, cols] = (process.argv[3] ?? '100x80000').split('x').map(Number);
const Ctor = process.argv[4] === 'float32' ? Float32Array : Float64Array;
const rounds = Number(process.argv[5] ?? 31);
if (!['bilevelL1Inf', 'bilevelL12', 'bilevelL11'].includes(method)) throw new Error(`unknown method ${method}`);

const n = rows * cols;
const data = new Ctor(n), out = new Ctor(n), kept = new Float64Array(cols);
let s = 1;
for (let i = 0; i < n; i++) {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  data[i] = s / 4294967296 - 0.5;
}
const y = { data, rows, cols };
const eta = 0.01 * bp.norm(y, { bilevelL1Inf: 'l1inf', bilevelL12: 'l12', bilevelL11: 'l11' }[method]);
bp.setThreadCount(1);
const op = native.operations[method];
const now = () => Number(process.hrtime.bigint()) / 1e6;
const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];

const t = { memcpy: [], facade: [], reused: [], fresh: [] };
const calls = [
  () => bp[method](y, eta, { out }),
  () => native.project(op, data, rows, cols, 0, eta, out, kept),
  () => native.project(op, data, rows, cols, 0, eta, out, new Float64Array(cols)),
];
const names = ['facade', 'reused', 'fresh'];
for (let r = 0; r <= rounds; r++) {
  let t0 = now();
  out.set(data);
  const m = now() - t0;
  const times = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const c = (k + r) % 3;
    t0 = now();
    calls[c]();
    times[c] = now() - t0;
  }
  if (r === 0) continue; // warm-up
  t.memcpy.push(m);
  for (let c = 0; c < 3; c++) t[names[c]].push(times[c]);
}
const mm = med(t.memcpy);
const paired = (a) => med(t[a].map((x, i) => x / t.reused[i]));
process.stdout.write(
  `${JSON.stringify({
    method,
    rows,
    cols,
    dtype: Ctor === Float32Array ? 'float32' : 'float64',
    memcpyMs: mm,
    timesMemcpy: { facade: med(t.facade) / mm, reused: med(t.reused) / mm, fresh: med(t.fresh) / mm },
    pairedOverReused: { facade: paired('facade'), fresh: paired('fresh') },
  })}\n`,
);
