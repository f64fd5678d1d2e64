// selectFeatures: the result's shape and meaning, determinism, progress,
// AbortSignal, the event loop staying free, and argument errors (asserted by
// { name, message }: under jest, errors from the addon's realm fail instanceof).
import { makeClassification } from '../lib/datasets/make-classification';
import { foldsCsv, formatReport, kFold, resultToJson, selectFeatures, type SaeProgress } from '../lib/sae';

const data = makeClassification({ nSamples: 120, nFeatures: 30, nInformative: 4, randomState: 7 });
const quick = { folds: 3, phase1Epochs: 4, phase2Epochs: 3, hidden: 12, learningRate: 2e-3 };

describe('selectFeatures', () => {
  test('returns the contract the README documents, with fractions in [0, 1]', async () => {
    const r = await selectFeatures(data.X, data.y, { ...quick, projection: 'bilevel-l1inf', eta: 1, informative: data.informative });
    expect(r.scores).toHaveLength(30);
    expect(r.accuracy.perFold).toHaveLength(3);
    for (const v of [r.accuracy.mean, r.accuracy.std, r.accuracy.lastEpochMean, r.sparsity]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // selected: every feature some fold kept, best score first.
    const kept = Array.from(r.keptInFolds.keys()).filter((j) => r.keptInFolds[j] > 0);
    expect([...r.selected].sort((a, b) => a - b)).toEqual(kept);
    for (let i = 1; i < r.selected.length; i++) expect(r.scores[r.selected[i - 1]]).toBeGreaterThanOrEqual(r.scores[r.selected[i]]);
    expect(r.folds.every((f) => f.reportedPhase === 2 && f.bestEpoch >= 1 && f.bestEpoch <= 3)).toBe(true);
    expect(r.folds[0].epochs).toHaveLength(7);
    expect(r.weights[0]).toHaveLength(12 * 30);
    expect(r.recall?.informative).toBe(4);
    expect(r.note).toMatch(/chosen on the test fold/);
  });

  test('the baseline runs phase 1 only and removes no column', async () => {
    const r = await selectFeatures(data.X, data.y, { ...quick, projection: 'none' });
    expect(r.sparsity).toBe(0);
    expect(r.selected).toHaveLength(30);
    expect(r.folds.every((f) => f.reportedPhase === 1 && f.epochs.length === 4)).toBe(true);
  });

  test('is deterministic for a seed, and the seed matters', async () => {
    const a = await selectFeatures(data.X, data.y, { ...quick, eta: 0.5, seed: 3 });
    const b = await selectFeatures(data.X, data.y, { ...quick, eta: 0.5, seed: 3, concurrency: 1 });
    const c = await selectFeatures(data.X, data.y, { ...quick, eta: 0.5, seed: 4 });
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    expect(b.accuracy).toEqual(a.accuracy);
    expect(Array.from(c.scores)).not.toEqual(Array.from(a.scores));
  });

  test('any integer labels (here 3 classes coded 5, 9, 12), float64 arithmetic, every projection', async () => {
    const d = makeClassification({ nSamples: 90, nFeatures: 12, nInformative: 4, nClasses: 3, nClustersPerClass: 1, randomState: 2 });
    const y = Array.from(d.y, (c) => [5, 9, 12][c]);
    for (const projection of ['bilevel-l1inf', 'bilevel-l11', 'bilevel-l12', 'l1inf'] as const) {
      const r = await selectFeatures(d.X, y, { ...quick, projection, eta: 0.5, dtype: 'float64' });
      expect(r.classes).toEqual([5, 9, 12]);
      expect(Object.prototype.toString.call(r.weights[0])).toBe('[object Float64Array]');
      expect(r.sparsity).toBeGreaterThan(0);
    }
  });

  test('reports progress after every epoch and leaves the event loop free', async () => {
    const seen: SaeProgress[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const d = makeClassification({ nSamples: 400, nFeatures: 300, nInformative: 8, randomState: 1 });
    try {
      await selectFeatures(d.X, d.y, { folds: 4, phase1Epochs: 6, phase2Epochs: 6, hidden: 64, onProgress: (p) => seen.push(p) });
    } finally {
      clearInterval(timer);
    }
    expect(seen).toHaveLength(4 * 12);
    expect(seen.map((p) => p.completed)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(seen.every((p) => p.total === 48 && p.folds === 4)).toBe(true);
    expect(ticks).toBeGreaterThan(5);
  });

  test('AbortSignal: rejects with the reason, before or during training', async () => {
    await expect(selectFeatures(data.X, data.y, { ...quick, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    const ac = new AbortController();
    const d = makeClassification({ nSamples: 400, nFeatures: 400, nInformative: 8, randomState: 1 });
    // 4 folds x 200 epochs: the abort at the first progress report must stop
    // every fold within a step or two, not after the whole run.
    let reports = 0;
    const p = selectFeatures(d.X, d.y, { phase1Epochs: 200, onProgress: () => { reports++; ac.abort(); }, signal: ac.signal });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(reports).toBeGreaterThanOrEqual(1);
    expect(reports).toBeLessThanOrEqual(8);
  });

  const err = (name: string, re: RegExp) => expect.objectContaining({ name, message: expect.stringMatching(re) });
  const bad: [string, () => Promise<unknown>, string, RegExp][] = [
    ['X not a matrix', () => selectFeatures([1, 2] as never, data.y), 'TypeError', /X/],
    ['X with a NaN', () => selectFeatures({ data: Float64Array.from([1, NaN, 2, 3]), rows: 2, cols: 2 }, [0, 1], { folds: 2 }), 'RangeError', /X\.data\[1\] \(row 0, column 1\)/],
    ['y of the wrong length', () => selectFeatures(data.X, data.y.subarray(1)), 'RangeError', /y.*120/],
    ['y with one class', () => selectFeatures(data.X, new Int32Array(120)), 'RangeError', /two classes/],
    ['y not integers', () => selectFeatures(data.X, Array.from(data.y, (v) => v + 0.5)), 'TypeError', /y\[0\]/],
    ['an unknown option', () => selectFeatures(data.X, data.y, { epochs: 3 } as never), 'RangeError', /Unknown option 'epochs' in opts/],
    ['a bad projection', () => selectFeatures(data.X, data.y, { projection: 'l2' as never }), 'RangeError', /opts\.projection/],
    ['a negative eta', () => selectFeatures(data.X, data.y, { eta: -1 }), 'RangeError', /opts\.eta/],
    ['eta a string', () => selectFeatures(data.X, data.y, { eta: '1' as never }), 'TypeError', /opts\.eta/],
    ['one fold', () => selectFeatures(data.X, data.y, { folds: 1 }), 'RangeError', /opts\.folds/],
    ['more folds than rows', () => selectFeatures({ data: new Float64Array(6), rows: 3, cols: 2 }, [0, 1, 0]), 'RangeError', /opts\.folds = 4/],
    ['informative of the wrong length', () => selectFeatures(data.X, data.y, { informative: [1] }), 'RangeError', /opts\.informative/],
    ['onProgress not a function', () => selectFeatures(data.X, data.y, { onProgress: 3 as never }), 'TypeError', /opts\.onProgress/],
    ['signal not an AbortSignal', () => selectFeatures(data.X, data.y, { signal: {} as never }), 'TypeError', /opts\.signal/],
    ['eta and keep together', () => selectFeatures(data.X, data.y, { eta: 1, keep: 3 }), 'RangeError', /opts\.eta and opts\.keep are mutually exclusive/],
    ['a fractional keep', () => selectFeatures(data.X, data.y, { keep: 2.5 }), 'RangeError', /opts\.keep/],
    ['keep without a projection', () => selectFeatures(data.X, data.y, { keep: 2, projection: 'none' }), 'RangeError', /opts\.keep/],
    ['a bad epochSelection', () => selectFeatures(data.X, data.y, { epochSelection: 'best' as never }), 'RangeError', /opts\.epochSelection/],
    ['validationFraction without validation', () => selectFeatures(data.X, data.y, { validationFraction: 0.3 }), 'RangeError', /opts\.validationFraction/],
  ];
  test.each(bad)('%s', async (_what, call, name, re) => {
    await expect(call()).rejects.toEqual(err(name, re));
  });

  test('keep: each fold projects W1 at the radius that keeps that many columns', async () => {
    const r = await selectFeatures(data.X, data.y, { ...quick, phase2Epochs: 0, keep: 5, projection: 'bilevel-l11' });
    for (const f of r.folds) {
      expect(f.zeroColumnsAfterProjection).toBe(30 - 5);
      expect(f.eta).toBeGreaterThan(0);
    }
    expect(new Set(r.folds.map((f) => f.eta)).size).toBe(3); // computed on each fold's own W1
    expect(r.warnings).toEqual([]);
  });

  test("epochSelection: 'last' keeps the last epoch, 'validation' never looks at the test fold", async () => {
    const last = await selectFeatures(data.X, data.y, { ...quick, epochSelection: 'last' });
    for (const f of last.folds) {
      expect(f.bestEpoch).toBe(3);
      expect(f.bestAccuracy).toBe(f.lastAccuracy);
    }
    expect(last.note).toMatch(/last epoch/);
    const val = await selectFeatures(data.X, data.y, { ...quick, epochSelection: 'validation', validationFraction: 0.3 });
    expect(val.epochSelection).toBe('validation');
    expect(val.folds.every((f) => f.bestEpoch >= 1 && f.bestEpoch <= 3)).toBe(true);
    expect(val.note).toMatch(/hold-out/);
    // Flipping the labels of fold 0's test samples changes nothing fold 0 keeps.
    const test0 = kFold(120, 3, 5)[0].test;
    const flipped = Int32Array.from(data.y);
    for (const i of test0) flipped[i] = 1 - flipped[i];
    const one = { ...quick, foldsToRun: 1, epochSelection: 'validation' as const };
    const a = await selectFeatures(data.X, data.y, one);
    const b = await selectFeatures(data.X, flipped, one);
    expect(b.folds[0].bestEpoch).toBe(a.folds[0].bestEpoch);
    expect(Array.from(b.weights[0])).toEqual(Array.from(a.weights[0]));
    expect(b.folds[0].bestAccuracy).toBeCloseTo(1 - a.folds[0].bestAccuracy, 12);
  });

  test('metrics per fold and pooled agree with the accuracies, and text labels survive', async () => {
    const labels = Array.from(data.y, (c) => (c === 1 ? 'yes' : 'no'));
    const r = await selectFeatures(data.X, labels, { ...quick, epochSelection: 'last' });
    expect(r.classes).toEqual(['no', 'yes']);
    let correct = 0;
    for (const f of r.folds) {
      expect(f.metrics.accuracy).toBe(f.bestAccuracy);
      expect(f.metrics.samples).toBe(f.testSize);
      const c = f.metrics.confusion;
      expect(c[0][0] + c[0][1] + c[1][0] + c[1][1]).toBe(f.testSize);
      correct += c[0][0] + c[1][1];
      expect(f.metrics.rocAuc).toBeGreaterThanOrEqual(0);
      expect(f.metrics.rocAuc).toBeLessThanOrEqual(1);
    }
    expect(r.metrics.samples).toBe(120);
    expect(r.metrics.accuracy).toBeCloseTo(correct / 120, 15);
  });

  test('guard rails: keeping nothing or removing nothing is reported with the knob to turn', async () => {
    const zero = await selectFeatures(data.X, data.y, { ...quick, eta: 0 });
    expect(zero.selected).toHaveLength(0);
    expect(zero.warnings.join(' ')).toMatch(/No feature was kept.*opts\.eta/);
    const all = await selectFeatures(data.X, data.y, { ...quick, phase2Epochs: 0, eta: 1e6, pruneBelow: 0 });
    expect(all.warnings.join(' ')).toMatch(/removed no feature.*opts\.eta/);
    // The reports carry them, with the metrics.
    const ctx = { dataset: 'test', projection: 'bilevel-l1inf', eta: 0 };
    expect(formatReport(zero, ctx)).toMatch(/warning: No feature was kept/);
    const json = JSON.parse(resultToJson(zero, ctx));
    expect(json.warnings).toEqual(zero.warnings);
    expect(json.metrics.confusion).toEqual(zero.metrics.confusion);
    expect(json.epochSelection).toBe('test-fold');
    expect(foldsCsv(zero).split('\n')[0]).toMatch(/,balanced_accuracy,macro_f1,roc_auc,eta$/);
  });
});
