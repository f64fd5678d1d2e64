// The acceptance check of the tfjs subpath, as a user meets it: the packed
// tarball and @tensorflow/tfjs from the registry in a fresh project; a model
// trained with projectionCallback({ keep, freezeZeros }) ends with exactly the
// rows of its first kernel outside `keep` inputs at zero, projectLayer agrees
// with the main entry's projection, and the subpath's types resolve from ESM
// and CommonJS. Needs the npm registry (like test/package.test.ts).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const NPM_CLI = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = (args: string[], cwd: string) => execFileSync(process.execPath, [NPM_CLI, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const SCRIPT = `
const tf = require('@tensorflow/tfjs');
const bp = require('bilevel-projection');
const { projectLayer, projectionCallback } = require('bilevel-projection/tfjs');
(async () => {
  await tf.setBackend('cpu');
  const n = 96, m = 24, k = 5;
  const x = tf.randomNormal([n, m], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 2), 'int32'), 2);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [m] }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: [projectionCallback({ keep: k, freezeZeros: true })] });
  const w = model.layers[0].getWeights()[0].dataSync();
  const live = [];
  for (let i = 0; i < m; i++) if (w.subarray(i * 8, (i + 1) * 8).some((v) => v !== 0)) live.push(i);
  const before = w.slice();
  const eta = 0.5 * bp.norm({ data: before, rows: m, cols: 8 }, 'l1inf', { groups: 'rows' });
  const expected = bp.bilevelL1Inf({ data: before, rows: m, cols: 8 }, eta, { groups: 'rows' }).data;
  const tensors = tf.memory().numTensors;
  projectLayer(model.layers[0], { eta });
  const after = model.layers[0].getWeights()[0].dataSync();
  console.log(JSON.stringify({ live: live.length, agrees: after.every((v, i) => v === expected[i]), leak: tf.memory().numTensors - tensors }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const describeLinux = process.platform === 'linux' && process.arch === 'x64' ? describe : describe.skip;

describeLinux('bilevel-projection/tfjs from the packed tarball', () => {
  let work: string;
  let app: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-tfjs-pack-'));
    const tarball = path.join(work, npm(['pack', '--pack-destination', work, '--silent'], ROOT).trim().split('\n').pop()!);
    app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    npm(['install', tarball, '@tensorflow/tfjs@4', '--no-audit', '--no-fund'], app);
  }, 300_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('keep + freezeZeros leaves exactly k live inputs; projectLayer agrees with bilevelL1Inf; no tensor leaks', () => {
    fs.writeFileSync(path.join(app, 'check.js'), SCRIPT);
    const out = execFileSync(process.execPath, ['check.js'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ live: 5, agrees: true, leak: 0 });
  });

  test('types resolve through the exports map from ESM and CommonJS', () => {
    fs.writeFileSync(path.join(app, 'esm.mts'), `import { projectLayer, projectionCallback, type ProjectionCallbackOptions } from 'bilevel-projection/tfjs';
import { fromMlMatrix } from 'bilevel-projection/ml-matrix';
import * as tf from '@tensorflow/tfjs';
const opts: ProjectionCallbackOptions = { keep: 3, every: 'epoch', freezeZeros: true };
const cb: tf.Callback = projectionCallback(opts);
const r = projectLayer(tf.layers.dense({ units: 2 }), { eta: 1, axis: 'units' });
const kept: Int32Array = r.kept;
// @ts-expect-error: axis is 'inputs' or 'units'
projectLayer(tf.layers.dense({ units: 2 }), { eta: 1, axis: 'rows' });
export { cb, kept, fromMlMatrix };
`);
    fs.writeFileSync(path.join(app, 'cjs.cts'), `import bpt = require('bilevel-projection/tfjs');
const cb = bpt.projectionCallback({ eta: 1 });
export = cb.projections;
`);
    execFileSync(process.execPath, [TSC, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'esm.mts', 'cjs.cts'], { cwd: app, encoding: 'utf8' });
  });
});
