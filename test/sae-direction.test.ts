// End to end at moderate size: the paper's effect, in direction. On a
// make_classification problem (400 x 400, 16 informative), the bilevel l1,inf
// projection must beat the unconstrained baseline in accuracy (best epoch and
// last epoch), remove most W1 columns, and remove more than the exact l1,inf
// projection at the same radius (the paper's Table I and Fig. 9 claim).
import { makeClassification } from '../lib/datasets/make-classification';
import { selectFeatures } from '../lib/sae';

test('bilevel l1,inf: better accuracy than the baseline, sparser than the exact projection', async () => {
  const d = makeClassification({ nSamples: 400, nFeatures: 400, nInformative: 16, randomState: 11 });
  const o = { folds: 4, phase1Epochs: 20, phase2Epochs: 20, hidden: 50, informative: d.informative };
  const base = await selectFeatures(d.X, d.y, { ...o, projection: 'none' });
  const bilevel = await selectFeatures(d.X, d.y, { ...o, projection: 'bilevel-l1inf', eta: 1 });
  const exact = await selectFeatures(d.X, d.y, { ...o, projection: 'l1inf', eta: 1 });
  expect(bilevel.accuracy.mean).toBeGreaterThan(base.accuracy.mean + 0.03);
  expect(bilevel.accuracy.lastEpochMean).toBeGreaterThan(base.accuracy.lastEpochMean + 0.03);
  expect(bilevel.sparsity).toBeGreaterThan(0.8);
  expect(bilevel.sparsity).toBeGreaterThan(exact.sparsity);
  // The top-ranked survivors are enriched in informative features (16 of 400: 4 % at random).
  expect(bilevel.recall!.recallAtK).toBeGreaterThan(0.25);
  expect(bilevel.recall!.precision).toBeGreaterThan(0.05);
});
