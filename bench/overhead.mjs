// The cost of crossing Node-API: time per call of the public function on a
// 100 x 1000 matrix (the SAE's first layer) against the same kernel timed
// inside C++. Prints one JSON object.
import { loadBench } from './addon.mjs';

const { bp, native } = loadBench();

const rows = 100, cols = 1000, calls = 2000, batches = 11;
const data = new Float64Array(rows * cols);
let s = 7;
for (let i = 0; i < data.length; i++) {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  data[i] = s / 4294967296 - 0.5;
}
const y = { data, rows, cols };
const out = new Float64Array(data.length);
const radii = new Float64Array(cols);
const median = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];

const js = [], cpp = [];
for (let b = 0; b < batches; b++) {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < calls; k++) bp.bilevelL1Inf(y, 1, { out });
  js.push(Number(process.hrtime.bigint() - t0) / calls / 1000); // microseconds per call
  cpp.push(native.bench.timeKernel(native.operations.bilevelL1Inf, data, rows, cols, 0, 1, out, radii, calls) / 1000);
}
const jsUs = median(js), cppUs = median(cpp);
process.stdout.write(JSON.stringify({ rows, cols, callsPerBatch: calls, batches, jsMicros: jsUs, cppMicros: cppUs, overheadMicros: jsUs - cppUs }));
