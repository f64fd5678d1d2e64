// The cost of projectionCallback per batch on a 1000 x 100 Dense kernel
// (1000 inputs, 100 units) on the tfjs CPU backend, beside a memcpy of the
// kernel timed in the same process, and beside one training step of a model
// holding that layer. Medians of several runs. Prints one JSON object.
//
//   npm run build:ts && flock /tmp/bp-bench.lock node bench/tfjs-callback.mjs
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const tf = require('@tensorflow/tfjs');
const { projectLayer, projectionCallback } = require(path.join(root, 'dist', 'tfjs', 'index.js'));
const bp = require(path.join(root, 'dist', 'index.js'));

await tf.setBackend('cpu');
const inputs = 1000, units = 100, reps = 200, runs = 9, batchSize = 32;
const median = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];

const model = tf.sequential();
model.add(tf.layers.dense({ units, activation: 'relu', inputShape: [inputs], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
const dense = model.layers[0];
const kernel0 = dense.getWeights()[0].dataSync().slice();
const reset = () => tf.tidy(() => dense.setWeights([tf.tensor(kernel0, [inputs, units]), dense.getWeights()[1]]));

/** Microseconds per call of f, median over `runs` runs of `reps` calls. */
function time(f, n = reps) {
  const per = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < n; k++) f(k);
    per.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  return median(per);
}

// memcpy of the kernel's bytes (Float32, 400 kB).
const src = new Float32Array(inputs * units).map((_, i) => Math.sin(i)), dst = new Float32Array(src.length);
time(() => dst.set(src), 50);
const memcpyUs = time(() => dst.set(src), 2000);

// The parts: the kernel alone (into a reused array), and the fresh 400 kB
// array that each projection hands over to tfjs as the variable's storage.
const parts = {};
const y = { data: src, rows: inputs, cols: units };
parts['bilevelL1Inf kernel alone, reused out'] = time(() => bp.bilevelL1Inf(y, 50, { groups: 'rows', out: dst }), 500);
// biome-ignore lint/correctness/noUnusedVariables: a write-only sink so each allocation has an observable use and is not elided from the timing
let sink = 0;
parts['new Float32Array(100000)'] = time(() => { sink += new Float32Array(inputs * units).length; }, 500);

// projectLayer with a fixed radius and with keep (radiusForKeep adds a pass).
const l1inf = (() => { let s = 0; for (let i = 0; i < inputs; i++) { let m = 0; for (let j = 0; j < units; j++) m = Math.max(m, Math.abs(kernel0[i * units + j])); s += m; } return s; })();
const cases = {};
for (const projection of ['bilevel-l1inf', 'bilevel-l12', 'l1inf']) {
  reset();
  cases[`projectLayer ${projection} eta`] = time(() => { reset(); projectLayer(dense, { projection, eta: 0.1 * l1inf }); }, 50);
}
const resetUs = time(() => reset(), 50);
for (const key of Object.keys(cases)) cases[key] -= resetUs; // the reset is not the projection's cost
reset();
cases['projectLayer bilevel-l1inf keep 100'] = time(() => { reset(); projectLayer(dense, { keep: 100 }); }, 50) - resetUs;

// The callback's own onBatchEnd: keep 100 with freezeZeros (mask + radius + projection + write).
const cb = projectionCallback({ layer: dense, keep: 100, freezeZeros: true });
cb.setModel(model);
await cb.onTrainBegin();
await cb.onEpochBegin(0);
const batchEnd = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < 50; k++) await cb.onBatchEnd(k);
  batchEnd.push(Number(process.hrtime.bigint() - t0) / 50 / 1000);
}
cases['callback onBatchEnd keep 100 freezeZeros'] = median(batchEnd);

// One training step (batch 32) of the model, for scale.
const xb = tf.randomNormal([batchSize, inputs], 0, 1, 'float32', 3), yb = tf.oneHot(tf.tensor1d(new Int32Array(batchSize).map((_, i) => i % 2), 'int32'), 2);
await model.trainOnBatch(xb, yb);
const steps = [];
for (let r = 0; r < runs; r++) {
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < 5; k++) await model.trainOnBatch(xb, yb);
  steps.push(Number(process.hrtime.bigint() - t0) / 5 / 1000);
}
const stepUs = median(steps);

const ratios = Object.fromEntries(Object.entries(cases).map(([k, us]) => [k, { micros: Number(us.toFixed(1)), xMemcpy: Number((us / memcpyUs).toFixed(1)), ofTrainingStep: Number((us / stepUs).toFixed(3)) }]));
process.stdout.write(JSON.stringify({ kernel: `${inputs} x ${units} float32`, backend: tf.getBackend(), runs, memcpyMicros: Number(memcpyUs.toFixed(2)), setWeightsResetMicros: Number(resetUs.toFixed(1)), parts: Object.fromEntries(Object.entries(parts).map(([k, us]) => [k, { micros: Number(us.toFixed(1)), xMemcpy: Number((us / memcpyUs).toFixed(1)) }])), trainingStepMicros: Number(stepUs.toFixed(0)), batchSize, cases: ratios }, null, 1) + '\n');
