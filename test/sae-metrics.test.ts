// The evaluation metrics against hand computations (scikit-learn's
// definitions; the numbers below are worked out in the comments).
import { classificationMetrics } from '../lib/sae';
import { binaryAuc } from '../lib/sae/metrics';

describe('classificationMetrics', () => {
  test('binary', () => {
    // truth 0 0 1 1 1, predicted 0 1 1 1 0; P(class 1) .1 .6 .8 .7 .4
    const m = classificationMetrics([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7, 0.6, 0.4], 2);
    expect(m.confusion).toEqual([[1, 1], [1, 2]]);
    expect(m.accuracy).toBe(3 / 5);
    expect(m.balancedAccuracy).toBeCloseTo((1 / 2 + 2 / 3) / 2, 15); // recalls 1/2 and 2/3
    // F1: class 0: 2*1 / (2 + 2) = 1/2; class 1: 2*2 / (3 + 3) = 2/3
    expect(m.macroF1).toBeCloseTo((1 / 2 + 2 / 3) / 2, 15);
    // Positive scores .8 .7 .4 against negative .1 .6: 5 of 6 pairs ordered right.
    expect(m.rocAuc).toBeCloseTo(5 / 6, 15);
    expect(m.samples).toBe(5);
  });

  test('three classes: one-vs-rest macro AUC, F1 over the classes that occur', () => {
    const truth = [0, 1, 2, 2];
    const pred = [0, 2, 2, 1];
    const proba = [
      0.7, 0.2, 0.1,
      0.3, 0.3, 0.4,
      0.1, 0.2, 0.7,
      0.2, 0.5, 0.3,
    ];
    const m = classificationMetrics(truth, pred, proba, 3);
    expect(m.confusion).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 1]]);
    expect(m.accuracy).toBe(0.5);
    expect(m.balancedAccuracy).toBeCloseTo((1 + 0 + 0.5) / 3, 15);
    // F1: class 0: 1; class 1: 0 (tp 0); class 2: 2*1 / (2 + 2) = 1/2
    expect(m.macroF1).toBeCloseTo(0.5, 15);
    // OvR: class 0: scores .7 vs .3 .1 .2 -> 1; class 1: .3 vs .2 .2 .5 -> 2/3;
    // class 2: .7 .3 vs .1 .4 -> (1 + 1 + 1 + 0) / 4 = 3/4.
    expect(m.rocAuc).toBeCloseTo((1 + 2 / 3 + 3 / 4) / 3, 15);
  });

  test('ties count one half; a single class makes the AUC undefined', () => {
    expect(binaryAuc([true, false], [0.5, 0.5])).toBe(0.5);
    expect(binaryAuc([true, true, false, false], [0.9, 0.5, 0.5, 0.1])).toBeCloseTo((1 + 1 + 1 + 0.5) / 4, 15);
    expect(binaryAuc([true, true], [0.1, 0.2])).toBeNaN();
    expect(classificationMetrics([1, 1], [1, 0], [0.4, 0.6, 0.7, 0.3], 2).rocAuc).toBeNaN();
  });

  test('bad arguments name themselves', () => {
    expect(() => classificationMetrics([0, 2], [0, 1], [1, 0, 0, 1], 2)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('yTrue[1]') }));
    expect(() => classificationMetrics([0, 1], [0], [1, 0, 0, 1], 2)).toThrow(/yPred/);
    expect(() => classificationMetrics([0, 1], [0, 1], [1, 0, 0], 2)).toThrow(/proba/);
    expect(() => classificationMetrics([0, 1], [0, 1], [1, 0, 0, 1], 1)).toThrow(expect.objectContaining({ code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringContaining('k') }));
    expect(() => classificationMetrics('01' as never, [0, 1], [1, 0, 0, 1], 2)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });
});
