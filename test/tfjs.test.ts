// bilevel-projection/tfjs on the pure-JS CPU backend of @tensorflow/tfjs:
// projectLayer agrees with the library's own projections, the callback
// sparsifies a training MLP (and keeps removed inputs removed), nothing leaks.
import * as tf from '@tensorflow/tfjs';
import * as bp from '../lib';
import { makeClassification } from '../lib/datasets';
import { projectLayer, projectionCallback } from '../lib/tfjs';
import type { LayerProjection } from '../lib/tfjs';

const PROJECTIONS: ReadonlyArray<[LayerProjection, typeof bp.bilevelL1Inf, 'l1inf' | 'l11' | 'l12']> = [
  ['bilevel-l1inf', bp.bilevelL1Inf, 'l1inf'],
  ['bilevel-l11', bp.bilevelL11, 'l11'],
  ['bilevel-l12', bp.bilevelL12, 'l12'],
  ['l1inf', bp.projectL1Inf, 'l1inf'],
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A built Dense layer (inputs x units) inside a model, its kernel set to seeded values. */
function denseWith(inputs: number, units: number, seed: number): { model: tf.Sequential; dense: tf.layers.Layer; values: Float32Array } {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units, inputShape: [inputs], name: `d${seed}_${inputs}x${units}` }));
  const dense = model.layers[0];
  const values = new Float32Array(inputs * units);
  let s = seed >>> 0;
  for (let i = 0; i < values.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // Rows and columns of different sizes, so that a radius removes some of either.
    const row = Math.floor(i / units), col = i % units;
    values[i] = (s / 2 ** 32 - 0.5) * 2 * ((1 + row) / inputs) * ((1 + col) / units);
  }
  tf.tidy(() => dense.setWeights([tf.tensor(values, [inputs, units]), tf.zeros([units])]));
  return { model, dense, values };
}

function kernelOf(layer: tf.layers.Layer): Float32Array {
  return layer.getWeights()[0].dataSync() as Float32Array;
}

function nonzeroRows(data: Float32Array, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) if (data.subarray(i * cols, (i + 1) * cols).some((v) => v !== 0)) out.push(i);
  return out;
}

function nonzeroCols(data: Float32Array, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      if (data[i * cols + j] !== 0) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

function expectError(f: () => unknown, name: 'TypeError' | 'RangeError', names: string, code = 'ERR_BP_INVALID_ARGUMENT'): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ name, code });
  expect((err as Error).message).toContain(names);
}

describe('projectLayer', () => {
  const inputs = 12, units = 7;

  for (const [projection, fn, kind] of PROJECTIONS) {
    for (const axis of ['inputs', 'units'] as const) {
      test(`${projection}, axis '${axis}': the kernel equals ${fn.name} of the same numbers with groups '${axis === 'inputs' ? 'rows' : 'columns'}'`, () => {
        const { dense, values, model } = denseWith(inputs, units, 7 + inputs);
        const groups = axis === 'inputs' ? 'rows' : 'columns';
        const eta = 0.3 * bp.norm({ data: values, rows: inputs, cols: units }, kind, { groups });
        const expected = fn({ data: values.slice(), rows: inputs, cols: units }, eta, { groups });
        const before = tf.memory().numTensors;
        const r = projectLayer(dense, { projection, eta, axis });
        expect(tf.memory().numTensors).toBe(before);
        const got = kernelOf(dense);
        expect(got).toEqual(expected.data);
        expect(Array.from(r.radii)).toEqual(Array.from(expected.radii));
        expect(r.eta).toBe(eta);
        const kept = axis === 'inputs' ? nonzeroRows(got, inputs, units) : nonzeroCols(got, inputs, units);
        expect(Array.from(r.kept)).toEqual(kept);
        expect(r.kept.length).toBe((axis === 'inputs' ? inputs : units) - expected.zeroGroups);
        expect(r.kept.length).toBeLessThan(axis === 'inputs' ? inputs : units); // the radius was small enough to remove some
        expect(Array.from(model.layers[0].getWeights()[1].dataSync())).toEqual(new Array(units).fill(0)); // the bias is untouched
      });

      test(`${projection}, axis '${axis}', keep: 3 -> the projection at radiusForKeep's radius, with at most 3 groups left`, () => {
        const { dense, values } = denseWith(inputs, units, 3);
        const groups = axis === 'inputs' ? 'rows' : 'columns';
        const y = { data: values.slice(), rows: inputs, cols: units };
        const eta = bp.radiusForKeep(y, 3, { projection, groups });
        const expected = fn(y, eta, { groups });
        const r = projectLayer(dense, { projection, keep: 3, axis });
        expect(r.eta).toBe(eta);
        expect(kernelOf(dense)).toEqual(expected.data);
        expect(r.kept.length).toBeLessThanOrEqual(3);
        expect(r.kept.length).toBe((axis === 'inputs' ? inputs : units) - expected.zeroGroups);
      });
    }
  }

  test('eta 0 zeroes the kernel; eta at the norm leaves it as it was', () => {
    const { dense, values } = denseWith(5, 4, 11);
    const n = bp.norm({ data: values, rows: 5, cols: 4 }, 'l1inf', { groups: 'rows' });
    expect(Array.from(projectLayer(dense, { eta: 2 * n }).kept)).toEqual([0, 1, 2, 3, 4]);
    expect(kernelOf(dense)).toEqual(values);
    expect(projectLayer(dense, { eta: 0 }).kept.length).toBe(0);
    expect(kernelOf(dense).every((v) => v === 0)).toBe(true);
  });

  test('100 calls leave tf.memory().numTensors where it was', () => {
    const { dense } = denseWith(30, 10, 5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) projectLayer(dense, { eta: 3, projection: i % 2 ? 'l1inf' : 'bilevel-l12' });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a layer that is not Dense, or has no kernel yet, is refused with a TypeError naming layer; the kernel is not touched', () => {
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1] });
    tf.sequential({ layers: [conv] });
    expectError(() => projectLayer(conv, { eta: 1 }), 'TypeError', 'layer');
    expectError(() => projectLayer(tf.layers.dense({ units: 3 }), { eta: 1 }), 'TypeError', 'layer');
    expectError(() => projectLayer({} as never, { eta: 1 }), 'TypeError', 'layer');
    expectError(() => projectLayer(null as never, { eta: 1 }), 'TypeError', 'layer');
  });

  test('bad options are refused with the option named, before anything is written', () => {
    const { dense, values } = denseWith(6, 3, 9);
    expectError(() => projectLayer(dense, { eta: 1, groups: 'rows' } as never), 'RangeError', "'groups'");
    expectError(() => projectLayer(dense, { eta: 1, groups: 'rows' } as never), 'RangeError', "'axis'"); // lists the known keys
    expectError(() => projectLayer(dense, { eta: 1, keep: 2 }), 'RangeError', 'opts.keep');
    expectError(() => projectLayer(dense, {}), 'TypeError', 'opts.eta');
    expectError(() => projectLayer(dense, undefined as never), 'TypeError', 'opts.eta');
    expectError(() => projectLayer(dense, { eta: -1 }), 'RangeError', 'opts.eta');
    expectError(() => projectLayer(dense, { eta: NaN }), 'RangeError', 'opts.eta');
    expectError(() => projectLayer(dense, { keep: 1.5 }), 'RangeError', 'opts.keep');
    expectError(() => projectLayer(dense, { eta: 1, projection: 'l2' as never }), 'RangeError', 'opts.projection');
    expectError(() => projectLayer(dense, { eta: 1, axis: 'rows' as never }), 'RangeError', 'opts.axis');
    expect(kernelOf(dense)).toEqual(values);
  });

  test('a kernel with a NaN is refused with ERR_BP_NON_FINITE and left as it was', () => {
    const { dense, values } = denseWith(4, 3, 2);
    const bad = values.slice();
    bad[5] = NaN;
    tf.tidy(() => dense.setWeights([tf.tensor(bad, [4, 3]), tf.zeros([3])]));
    expectError(() => projectLayer(dense, { eta: 1 }), 'RangeError', 'NaN', 'ERR_BP_NON_FINITE');
    expect(Number.isNaN(kernelOf(dense)[5])).toBe(true);
  });
});

describe('projectionCallback while training', () => {
  // A 64-input MLP on make_classification data: 8 informative features.
  const data = makeClassification({ nSamples: 480, nFeatures: 64, nInformative: 8, nRedundant: 0, classSep: 1.5, randomState: 3 });
  const nTrain = 360;
  const X = tf.tensor2d(Float32Array.from(data.X.data), [data.X.rows, data.X.cols]);
  const labels = tf.tensor1d(data.y, 'int32');
  const Y = tf.oneHot(labels, 2);
  const [xTrain, xTest] = tf.split(X, [nTrain, data.X.rows - nTrain]);
  const [yTrain, yTest] = tf.split(Y, [nTrain, data.X.rows - nTrain]);

  afterAll(() => tf.dispose([X, labels, Y, xTrain, xTest, yTrain, yTest]));

  function mlp(seed: number): tf.Sequential {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
    model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  }

  function accuracy(model: tf.Sequential): number {
    return tf.tidy(() => {
      const pred = (model.predict(xTest) as tf.Tensor).argMax(1);
      return pred.equal(yTest.argMax(1)).mean().dataSync()[0];
    });
  }

  const fitOpts = { batchSize: 32, shuffle: false, verbose: 0 } as const;

  test('keep: 8 -> exactly the rows outside the 8 kept inputs are zero, the l1,inf norm is within the radius, and freezeZeros keeps them zero through phase 2', async () => {
    const model = mlp(1);
    const first = model.layers[0];
    const cb = projectionCallback({ keep: 8 }); // no layer: the model's first Dense layer
    await model.fit(xTrain, yTrain, { ...fitOpts, epochs: 4, callbacks: [cb] });
    expect(cb.projections).toBe(4 * Math.ceil(nTrain / 32));
    const { kept, eta, layer } = cb.last[0];
    expect(layer).toBe(first.name);
    expect(kept.length).toBe(8);
    const w = kernelOf(first);
    expect(nonzeroRows(w, 64, 16)).toEqual(Array.from(kept));
    expect(bp.norm({ data: w, rows: 64, cols: 16 }, 'l1inf', { groups: 'rows' })).toBeLessThanOrEqual(eta * (1 + 1e-6));
    const phase1 = accuracy(model);

    // Phase 2: no radius, only the mask; checked after every batch.
    const removed = Array.from({ length: 64 }, (_, i) => i).filter((i) => !kept.includes(i));
    let batches = 0, leaked = 0;
    const check = new tf.CustomCallback({
      onBatchEnd: async () => {
        batches++;
        const k = kernelOf(first);
        for (const i of removed) if (k.subarray(i * 16, (i + 1) * 16).some((v) => v !== 0)) leaked++;
      },
    });
    await model.fit(xTrain, yTrain, { ...fitOpts, epochs: 3, callbacks: [projectionCallback({ layer: first, freezeZeros: true }), check] });
    expect(batches).toBe(3 * Math.ceil(nTrain / 32));
    expect(leaked).toBe(0);
    expect(nonzeroRows(kernelOf(first), 64, 16)).toEqual(Array.from(kept));
    const phase2 = accuracy(model);

    const plain = mlp(1);
    await plain.fit(xTrain, yTrain, { ...fitOpts, epochs: 7 });
    const unprojected = accuracy(plain);
    const informative = Array.from(kept).filter((i) => data.informative[i] === 1).length;
    console.log(`tfjs MLP, 64 inputs, keep 8: kept [${Array.from(kept).join(', ')}] (${informative} informative); held-out accuracy after phase 1 ${phase1.toFixed(3)}, after phase 2 ${phase2.toFixed(3)}, unprojected ${unprojected.toFixed(3)}`);
    expect(phase2).toBeGreaterThan(0.5); // better than chance on two balanced classes
    tf.dispose([model, plain].flatMap((m) => m.getWeights()));
  });

  test('without freezeZeros the optimizer brings removed rows back between epoch-end projections; with it they stay zero after every batch', async () => {
    for (const freezeZeros of [false, true]) {
      const model = mlp(2);
      const first = model.layers[0];
      const zeroRowsAfterBatch: number[] = [];
      const watch = new tf.CustomCallback({ onBatchEnd: async () => void zeroRowsAfterBatch.push(64 - nonzeroRows(kernelOf(first), 64, 16).length) });
      const cb = projectionCallback({ layer: first.name, keep: 8, every: 'epoch', freezeZeros });
      await model.fit(xTrain, yTrain, { ...fitOpts, epochs: 3, callbacks: [cb, watch] });
      expect(cb.projections).toBe(3);
      const perEpoch = Math.ceil(nTrain / 32);
      const epoch1 = zeroRowsAfterBatch.slice(perEpoch, 2 * perEpoch); // after the first projection
      if (freezeZeros) expect(epoch1.every((z) => z >= 56)).toBe(true);
      else expect(epoch1.some((z) => z < 56)).toBe(true);
      expect(zeroRowsAfterBatch.slice(0, perEpoch).every((z) => z === 0)).toBe(true); // nothing projected before the first epoch ended
    }
  });

  test('startEpoch: nothing is projected before it', async () => {
    const model = mlp(3);
    const cb = projectionCallback({ eta: 1, every: 'batch', startEpoch: 2 });
    const zeros: number[] = [];
    const watch = new tf.CustomCallback({ onEpochEnd: async () => void zeros.push(64 - nonzeroRows(kernelOf(model.layers[0]), 64, 16).length) });
    await model.fit(xTrain, yTrain, { ...fitOpts, epochs: 3, callbacks: [cb, watch] });
    expect(zeros[0]).toBe(0);
    expect(zeros[1]).toBe(0);
    expect(zeros[2]).toBeGreaterThan(0);
    expect(cb.projections).toBe(Math.ceil(nTrain / 32));
  });

  test('layers: each Dense kernel is projected on its own ball, by name or object; axis units zeroes columns', async () => {
    const model = mlp(4);
    const [a, b] = model.layers;
    const cb = projectionCallback({ layers: [a.name, b], eta: 0.5, axis: 'units', every: 'epoch' });
    await model.fit(xTrain, yTrain, { ...fitOpts, epochs: 1, callbacks: [cb] });
    expect(cb.last.map((r) => r.layer)).toEqual([a.name, b.name]);
    expect(bp.norm({ data: kernelOf(a), rows: 64, cols: 16 }, 'l1inf')).toBeLessThanOrEqual(0.5 * (1 + 1e-6));
    expect(bp.norm({ data: kernelOf(b), rows: 16, cols: 2 }, 'l1inf')).toBeLessThanOrEqual(0.5 * (1 + 1e-6));
    expect(nonzeroCols(kernelOf(a), 64, 16)).toEqual(Array.from(cb.last[0].kept));
  });

  test('fitDataset runs the callback too', async () => {
    const model = mlp(7);
    const ds = tf.data.zip({ xs: tf.data.array(tf.unstack(xTrain.slice([0, 0], [64, 64]))), ys: tf.data.array(tf.unstack(yTrain.slice([0, 0], [64, 2]))) }).batch(16);
    const cb = projectionCallback({ keep: 5, every: 'epoch' });
    await model.fitDataset(ds, { epochs: 2, verbose: 0, callbacks: [cb] });
    expect(cb.projections).toBe(2);
    expect(nonzeroRows(kernelOf(model.layers[0]), 64, 16)).toEqual(Array.from(cb.last[0].kept));
    expect(cb.last[0].kept.length).toBe(5);
  });

  test('no tensor leaks across 100 batches of projection and masking', async () => {
    const model = mlp(5);
    const x = xTrain.slice([0, 0], [100 * 2, 64]);
    const y = yTrain.slice([0, 0], [100 * 2, 2]);
    await model.fit(x, y, { ...fitOpts, batchSize: 2, epochs: 1 }); // the optimizer's slots are made on the first fit
    const before = tf.memory().numTensors;
    const cb = projectionCallback({ keep: 8, freezeZeros: true });
    await model.fit(x, y, { ...fitOpts, batchSize: 2, epochs: 1, callbacks: [cb] });
    expect(cb.projections).toBe(100);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  test('a layer name the model does not have, or a model with no Dense layer, rejects fit with an error naming opts.layer', async () => {
    const model = mlp(6);
    await expect(model.fit(xTrain, yTrain, { ...fitOpts, epochs: 1, callbacks: [projectionCallback({ layer: 'nope', eta: 1 })] })).rejects.toMatchObject({ name: 'RangeError', message: expect.stringContaining('opts.layer') });
    const noDense = tf.sequential({ layers: [tf.layers.activation({ activation: 'relu', inputShape: [64] })] });
    noDense.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(noDense.fit(xTrain, xTrain, { ...fitOpts, epochs: 1, callbacks: [projectionCallback({ eta: 1 })] })).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('opts.layer') });
  });
});

describe('projectionCallback options', () => {
  const dense = tf.layers.dense({ units: 2 });
  test.each([
    [{ eta: 1, every: 'step' }, 'RangeError', 'opts.every'],
    [{ eta: 1, startEpoch: -1 }, 'RangeError', 'opts.startEpoch'],
    [{ eta: 1, startEpoch: 0.5 }, 'RangeError', 'opts.startEpoch'],
    [{ eta: 1, freezeZeros: 1 }, 'TypeError', 'opts.freezeZeros'],
    [{}, 'TypeError', 'opts.eta'],
    [{ freezeZeros: false }, 'TypeError', 'opts.eta'],
    [{ eta: 1, keep: 3 }, 'RangeError', 'opts.keep'],
    [{ eta: 1, layer: dense, layers: [dense] }, 'RangeError', 'opts.layers'],
    [{ eta: 1, layers: [] }, 'RangeError', 'opts.layers'],
    [{ eta: 1, layers: dense }, 'TypeError', 'opts.layers'],
    [{ eta: 1, layers: [dense, tf.layers.flatten()] }, 'TypeError', 'opts.layers[1]'],
    [{ eta: 1, layer: '' }, 'RangeError', 'opts.layer'],
    [{ eta: 1, layer: 3 }, 'TypeError', 'opts.layer'],
    [{ eta: 1, epochs: 3 }, 'RangeError', "'epochs'"],
    [{ eta: 1, axis: 'columns' }, 'RangeError', 'opts.axis'],
  ] as const)('%o -> %s naming %s', (opts, name, names) => {
    expectError(() => projectionCallback(opts as never), name, names);
  });

  test('freezeZeros alone (mask only) and eta or keep are accepted; the result is a tf.Callback', () => {
    expect(projectionCallback({ freezeZeros: true })).toBeInstanceOf(tf.Callback);
    expect(projectionCallback({ keep: 2, layer: dense })).toBeInstanceOf(tf.Callback);
  });
});
