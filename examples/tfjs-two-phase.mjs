// The paper's two-phase recipe on a TensorFlow.js model: train, project the
// first Dense kernel so that only `keep` inputs survive, then train again with
// the removed inputs held at zero ("double descent"). Compares the held-out
// accuracy with the same network trained as long without projection.
//
//   npm install @tensorflow/tfjs      (or @tensorflow/tfjs-node, faster)
//   npm run build:ts && node examples/tfjs-two-phase.mjs
import * as tf from '@tensorflow/tfjs';
import { norm } from 'bilevel-projection';
import { makeClassification } from 'bilevel-projection/datasets';
import { projectLayer, projectionCallback } from 'bilevel-projection/tfjs';

const KEEP = 8;
const EPOCHS = 20; // per phase; the unprojected model trains 2 x EPOCHS

// 64 features, 8 of them informative, the rest noise (scikit-learn's recipe).
const { X, y, informative } = makeClassification({ nSamples: 1000, nFeatures: 64, nInformative: 8, nRedundant: 0, randomState: 0 });
const nTrain = 750; // the paper's 4-fold split: 750 train, 250 held out
const xAll = tf.tensor2d(Float32Array.from(X.data), [X.rows, X.cols]);
const yAll = tf.oneHot(tf.tensor1d(y, 'int32'), 2);
const [xTrain, xTest] = tf.split(xAll, [nTrain, X.rows - nTrain]);
const [yTrain, yTest] = tf.split(yAll, [nTrain, X.rows - nTrain]);

function mlp() {
  const model = tf.sequential();
  // A tfjs Dense kernel is [inputs, units]: input i is row i.
  model.add(tf.layers.dense({ units: 32, activation: 'relu', inputShape: [X.cols], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return model;
}

const accuracy = (model) =>
  tf.tidy(() => (model.predict(xTest)).argMax(1).equal(yTest.argMax(1)).mean().dataSync()[0]);
const fit = { batchSize: 32, shuffle: false, verbose: 0 };

// Phase 1: plain training.
const model = mlp();
const first = model.layers[0];
await model.fit(xTrain, yTrain, { ...fit, epochs: EPOCHS });
const phase1 = accuracy(model);

// Projection: the bilevel l1,inf ball whose radius keeps KEEP inputs.
const { kept, eta } = projectLayer(first, { keep: KEEP });
const afterProjection = accuracy(model);

// Phase 2: train on, the removed inputs held at zero after every batch.
await model.fit(xTrain, yTrain, { ...fit, epochs: EPOCHS, callbacks: [projectionCallback({ layer: first, freezeZeros: true })] });
const phase2 = accuracy(model);

const kernel = first.getWeights()[0];
const w = kernel.dataSync();
const zeroRows = Array.from({ length: X.cols }, (_, i) => i).filter((i) => w.subarray(i * 32, (i + 1) * 32).every((v) => v === 0));

// The same network, trained as long, never projected.
const plain = mlp();
await plain.fit(xTrain, yTrain, { ...fit, epochs: 2 * EPOCHS });

const truth = Array.from(informative.keys()).filter((j) => informative[j] === 1);
console.log(`kept inputs (keep ${KEEP}, radius ${eta.toFixed(4)}): ${Array.from(kept).join(' ')}`);
console.log(`informative inputs:              ${truth.join(' ')}  (${Array.from(kept).filter((j) => informative[j]).length} of ${KEEP} kept are informative)`);
console.log(`zero rows of the first kernel after phase 2: ${zeroRows.length} of ${X.cols}; l1,inf norm by inputs ${norm({ data: w, rows: X.cols, cols: 32 }, 'l1inf', { groups: 'rows' }).toFixed(4)}`);
console.log(`held-out accuracy (${X.rows - nTrain} samples):`);
console.log(`  phase 1 (64 inputs)          ${phase1.toFixed(3)}`);
console.log(`  just after the projection    ${afterProjection.toFixed(3)}`);
console.log(`  phase 2 (${KEEP} inputs)           ${phase2.toFixed(3)}`);
console.log(`  unprojected, ${2 * EPOCHS} epochs       ${accuracy(plain).toFixed(3)}`);
