// fitSae / SaeModel / loadSaeModel: what a model promises (selected features,
// labels in their own spelling, probabilities, transform), a lossless JSON
// round trip, and every way a saved file can be wrong, each named.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeClassification } from '../lib/datasets/make-classification';
import { fitSae, loadSaeModel, type SaeModel } from '../lib/sae';
import type { Matrix } from '../lib';

const quick = { phase1Epochs: 6, phase2Epochs: 4, hidden: 16, learningRate: 2e-3 };
const d = makeClassification({ nSamples: 200, nFeatures: 50, nInformative: 5, nRedundant: 0, randomState: 11 });

function rows(X: Matrix, idx: number[]): Matrix<Float64Array> {
  const out = new Float64Array(idx.length * X.cols);
  for (const [r, i] of idx.entries()) out.set(X.data.subarray(i * X.cols, (i + 1) * X.cols), r * X.cols);
  return { data: out, rows: idx.length, cols: X.cols };
}

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('fitSae', () => {
  let model: SaeModel;
  let lastTrainAccuracy = NaN;
  const labels = Array.from(d.y, (c) => (c === 0 ? 'benign' : 'malignant'));
  beforeAll(async () => {
    model = await fitSae(d.X, labels, {
      ...quick,
      keep: 6,
      featureNames: Array.from({ length: 50 }, (_, j) => `f${j}`),
      onProgress: (p) => { lastTrainAccuracy = p.trainAccuracy; },
    });
  });

  test('selects at most keep features, ascending, ranked best first with names', () => {
    expect(model.selected.length).toBeGreaterThan(0);
    expect(model.selected.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < model.selected.length; i++) expect(model.selected[i]).toBeGreaterThan(model.selected[i - 1]);
    expect(model.ranking.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from(model.selected));
    for (let i = 1; i < model.ranking.length; i++) expect(model.ranking[i - 1].score).toBeGreaterThanOrEqual(model.ranking[i].score);
    expect(model.ranking[0].name).toBe(`f${model.ranking[0].index}`);
    expect(model.classes).toEqual(['benign', 'malignant']);
    expect(model.toJSON().training.keep).toBe(6);
  });

  test('predicts labels in their own spelling, probabilities that sum to 1 and agree with predict', () => {
    const p = model.predictProba(d.X);
    const y = model.predict(d.X);
    expect(p).toHaveLength(200 * 2);
    let correct = 0;
    for (let i = 0; i < 200; i++) {
      expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 12);
      expect(y[i]).toBe(p[2 * i + 1] > p[2 * i] ? 'malignant' : 'benign');
      correct += y[i] === labels[i] ? 1 : 0;
    }
    // What training measured during its last epoch (on moving weights) and
    // what the kept network predicts on the same samples agree.
    expect(Math.abs(correct / 200 - lastTrainAccuracy)).toBeLessThan(0.06);
    expect(correct / 200).toBeGreaterThan(0.6);
  });

  test('transform: the selected columns, preprocessed as at fit time, in the input float type', () => {
    const json = model.toJSON();
    const t = model.transform(d.X);
    expect(t.cols).toBe(model.selected.length);
    expect(t.rows).toBe(200);
    expect(Object.prototype.toString.call(t.data)).toBe('[object Float64Array]');
    const j = model.selected[0];
    // The model trains in float32: the stored value is (x - mean) / std rounded to float32.
    expect(t.data[0]).toBe(Math.fround((d.X.data[j] - json.preprocess.mean[j]) / json.preprocess.std[j]));
    const f32 = { data: Float32Array.from(d.X.data), rows: 200, cols: 50 };
    expect(Object.prototype.toString.call(model.transform(f32).data)).toBe('[object Float32Array]');
  });

  test('X must have the fitted number of features', () => {
    expect(() => model.predict({ data: new Float64Array(12), rows: 2, cols: 6 })).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringContaining('50 columns') }),
    );
    expect(() => model.transform({ data: new Float64Array(3), rows: 2, cols: 2 } as Matrix<Float64Array>)).toThrow(/X\.data/);
    expect(() => model.predictProba({ data: Float64Array.of(NaN, ...new Array(49).fill(0)), rows: 1, cols: 50 })).toThrow(
      expect.objectContaining({ code: 'ERR_BP_NON_FINITE' }),
    );
  });

  test('JSON round trip, through an object and through a file: predictions equal bit for bit', async () => {
    const text = JSON.stringify(model);
    const back = await loadSaeModel(JSON.parse(text));
    expect(bits(back.predictProba(d.X))).toBe(bits(model.predictProba(d.X)));
    expect(back.predict(d.X)).toEqual(model.predict(d.X));
    expect(Array.from(back.selected)).toEqual(Array.from(model.selected));
    expect(back.featureNames).toEqual(model.featureNames);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-model-'));
    const file = path.join(dir, 'model.json');
    fs.writeFileSync(file, text);
    const fromFile = await loadSaeModel(file);
    expect(bits(fromFile.predictProba(d.X))).toBe(bits(model.predictProba(d.X)));
    // A truncated file.
    fs.writeFileSync(file, text.slice(0, text.length >> 1));
    await expect(loadSaeModel(file)).rejects.toMatchObject({ name: 'ModelError', code: 'ERR_BP_PARSE', message: expect.stringMatching(/truncated/) });
    await expect(loadSaeModel(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_BP_FILE', message: expect.stringContaining('missing.json') });
    fs.rmSync(dir, { recursive: true });
  });

  test('float64 models round-trip exactly too', async () => {
    const m64 = await fitSae(d.X, d.y, { ...quick, dtype: 'float64', eta: 2 });
    const back = await loadSaeModel(JSON.parse(JSON.stringify(m64)));
    expect(bits(back.predictProba(d.X))).toBe(bits(m64.predictProba(d.X)));
    expect(m64.classes).toEqual([0, 1]);
    expect(m64.predict(d.X).every((v) => v === 0 || v === 1)).toBe(true);
  });

  test('a saved model of another version, a wrong type or a tampered shape is refused, naming the field', async () => {
    const good = () => JSON.parse(JSON.stringify(model));
    // biome-ignore lint/suspicious/noExplicitAny: each case tampers with the parsed JSON in ways no model type allows (wrong types, wrong shapes)
    const cases: [(j: Record<string, any>) => void, RegExp][] = [
      [(j) => { j.version = 2; }, /version/],
      [(j) => { j.format = 'something-else'; }, /format/],
      [(j) => { j.dtype = 'int8'; }, /dtype/],
      [(j) => { j.weights.w1.pop(); }, /weights\.w1/],
      [(j) => { j.weights.b2 = 'x'; }, /weights\.b2/],
      [(j) => { j.weights.w2[3] = 0.1; }, /weights\.w2\[3\].*float32/],
      [(j) => { j.preprocess.std[0] = 0; }, /preprocess\.std\[0\]/],
      [(j) => { j.hidden = 15; }, /weights\.w1/],
      [(j) => { j.classes = ['a']; }, /classes/],
      [(j) => { j.selected = [3, 2]; }, /selected\[1\]/],
      [(j) => { j.featureNames.pop(); }, /featureNames/],
    ];
    for (const [tamper, field] of cases) {
      const j = good();
      tamper(j);
      await expect(loadSaeModel(j)).rejects.toMatchObject({ name: 'ModelError', message: expect.stringMatching(field) });
    }
    await expect(loadSaeModel(42 as never)).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('jsonOrPath') });
  });

  test('options: keep and eta are exclusive, unknown and cross-validation keys refused, test-fold refused', async () => {
    await expect(fitSae(d.X, d.y, { keep: 3, eta: 1 })).rejects.toMatchObject({ name: 'RangeError', message: expect.stringMatching(/opts\.eta.*opts\.keep/) });
    await expect(fitSae(d.X, d.y, { folds: 3 } as never)).rejects.toMatchObject({ name: 'RangeError', code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringContaining("'folds'") });
    await expect(fitSae(d.X, d.y, { epochSelection: 'test-fold' } as never)).rejects.toMatchObject({ message: expect.stringContaining('epochSelection') });
    await expect(fitSae(d.X, d.y, { keep: -1 })).rejects.toMatchObject({ name: 'RangeError', message: expect.stringContaining('opts.keep') });
    await expect(fitSae(d.X, d.y, { keep: 2, projection: 'none' })).rejects.toMatchObject({ message: expect.stringContaining('opts.keep') });
    await expect(fitSae(d.X, d.y, { featureNames: ['a'] })).rejects.toMatchObject({ message: expect.stringContaining('opts.featureNames') });
    const mixed = Array.from(d.y, (c, i) => (i === 7 ? 'a' : c));
    await expect(fitSae(d.X, mixed as never)).rejects.toMatchObject({ name: 'TypeError', message: expect.stringContaining('y[7]') });
    await expect(fitSae(d.X, [1, 'a'] as never)).rejects.toMatchObject({ name: 'RangeError', message: expect.stringContaining('one label per row of X (200)') });
  });

  test('guard rails: a radius that keeps nothing or removes nothing says so and names the knob', async () => {
    const none = await fitSae(d.X, d.y, { ...quick, eta: 0 });
    expect(none.selected).toHaveLength(0);
    expect(none.warnings.join(' ')).toMatch(/No feature was kept.*opts\.eta.*opts\.keep/);
    const all = await fitSae(d.X, d.y, { ...quick, phase2Epochs: 0, eta: 1e6, pruneBelow: 0 });
    expect(all.selected).toHaveLength(50);
    expect(all.warnings.join(' ')).toMatch(/removed no feature.*opts\.eta/);
    const every = await fitSae(d.X, d.y, { ...quick, phase2Epochs: 0, keep: 80, pruneBelow: 0 });
    expect(every.selected).toHaveLength(50);
    expect(every.warnings.join(' ')).toMatch(/removed no feature: opts\.keep is at least the number of features/);
  });

  test("epochSelection 'validation' chooses on a hold-out; the model still predicts", async () => {
    const m = await fitSae(d.X, d.y, { ...quick, keep: 10, epochSelection: 'validation', validationFraction: 0.25 });
    const t = m.toJSON().training;
    expect(t.epochSelection).toBe('validation');
    expect(t.epoch).toBeGreaterThanOrEqual(1);
    expect(t.epoch).toBeLessThanOrEqual(4);
    expect(m.predict(d.X)).toHaveLength(200);
  });

  test('acceptance: on unseen make_classification data, keep predicts a held-out split about as well as no projection', async () => {
    const u = makeClassification({ nSamples: 300, nFeatures: 60, nInformative: 6, nRedundant: 2, randomState: 2027 });
    const trainIdx = Array.from({ length: 200 }, (_, i) => i), testIdx = Array.from({ length: 100 }, (_, i) => 200 + i);
    const Xtr = rows(u.X, trainIdx), Xte = rows(u.X, testIdx);
    const ytr = Array.from(trainIdx, (i) => u.y[i]), yte = Array.from(testIdx, (i) => u.y[i]);
    const opts = { phase1Epochs: 15, phase2Epochs: 10, hidden: 32, learningRate: 1e-3 };
    const sparse = await fitSae(Xtr, ytr, { ...opts, keep: 8 });
    const dense = await fitSae(Xtr, ytr, { ...opts, projection: 'none' });
    const acc = (m: SaeModel) => m.predict(Xte).filter((v, i) => v === yte[i]).length / yte.length;
    expect(sparse.selected.length).toBeLessThanOrEqual(8);
    expect(acc(sparse)).toBeGreaterThanOrEqual(acc(dense) - 0.08);
    const back = await loadSaeModel(JSON.parse(JSON.stringify(sparse)));
    expect(back.predict(Xte)).toEqual(sparse.predict(Xte));
  });
});
