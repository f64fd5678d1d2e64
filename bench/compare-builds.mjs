// Interleaved A/B of two addon builds in one process, for a change to the
// kernels: the same data and calls, A and B alternating in order every
// repetition (so machine load falls on both alike), one thread, with a memcpy
// timed in the same loop. Run under the bench lock:
//   flock /tmp/bp-bench.lock node bench/compare-builds.mjs A.node B.node [reps]
// AB_OPS=bilevelL1Inf,exactNewton limits the operations (names of native.operations).
import { createRequire } from 'module';
const require = createRequire(import.meta.url);
const [pathA, pathB, repsArg] = process.argv.slice(2);
if (!pathA || !pathB) throw new Error('usage: node bench/compare-builds.mjs A.node B.node [reps]');
const A = require(pathA);
const B = require(pathB);
A.threads(1); B.threads(1);
const reps = Number(repsArg ?? 15);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
for (const [Ctor, rows, cols] of [[Float64Array, 1000, 8000], [Float32Array, 1000, 8000], [Float64Array, 8000, 1000], [Float64Array, 1000, 1000]]) {
  const n = rows * cols, data = new Ctor(n), out = new Ctor(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = s / 4294967296; }
  const radii = new Float64Array(cols);
  // The operations by B's table (native.operations); both builds must number
  // them alike, which holds for builds before the table too (it kept the numbers).
  const names = process.env.AB_OPS ? process.env.AB_OPS.split(',') : ['bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'exactNewton', 'proxNewton'];
  const cases = Object.fromEntries(names.map((k) => [k, B.operations[k]]));
  const line = [];
  for (const [name, op] of Object.entries(cases)) {
    const ta = [], tb = [], tm = [];
    for (let r = 0; r < reps + 1; r++) {
      let t0 = now(); out.set(data); const m = now() - t0;
      let a, b;
      if (r % 2) { t0 = now(); A.project(op, data, rows, cols, 0, 1, out, radii); a = now() - t0; t0 = now(); B.project(op, data, rows, cols, 0, 1, out, radii); b = now() - t0; }
      else { t0 = now(); B.project(op, data, rows, cols, 0, 1, out, radii); b = now() - t0; t0 = now(); A.project(op, data, rows, cols, 0, 1, out, radii); a = now() - t0; }
      if (r > 0) { ta.push(a); tb.push(b); tm.push(m); }
    }
    const mn = (a) => Math.min(...a); line.push(`${name}: median A ${med(ta).toFixed(2)} B ${med(tb).toFixed(2)} ms (B/A ${(med(tb) / med(ta)).toFixed(3)}), min B/A ${(mn(tb) / mn(ta)).toFixed(3)}; B/memcpy ${(med(tb) / med(tm)).toFixed(2)} A/memcpy ${(med(ta) / med(tm)).toFixed(2)}`);
  }
  { // l1 ball of the whole vector
    const ta = [], tb = [];
    for (let r = 0; r < reps + 1; r++) {
      let t0, a, b;
      if (r % 2) { t0 = now(); A.projectL1Ball(data, 1, out); a = now() - t0; t0 = now(); B.projectL1Ball(data, 1, out); b = now() - t0; }
      else { t0 = now(); B.projectL1Ball(data, 1, out); b = now() - t0; t0 = now(); A.projectL1Ball(data, 1, out); a = now() - t0; }
      if (r > 0) { ta.push(a); tb.push(b); }
    }
    line.push(`l1Ball: median A ${med(ta).toFixed(2)} B ${med(tb).toFixed(2)} ms (B/A ${(med(tb) / med(ta)).toFixed(3)}), min B/A ${(Math.min(...tb) / Math.min(...ta)).toFixed(3)}`);
  }
  console.log(`${Ctor.name} ${rows}x${cols}\n  ` + line.join('\n  '));
}
