// Classification metrics of held-out predictions, as scikit-learn defines
// them: accuracy, balanced accuracy (mean recall over the classes present),
// macro F1 (over the classes that occur in the truth or the predictions;
// a class with no predicted and no true sample would score 0/0 and is left
// out), ROC AUC (binary: of the second class's probability; more classes:
// the macro mean of one-vs-rest AUCs over classes with both positives and
// negatives) and the confusion matrix (rows: true class, columns: predicted).

import { argumentError, invalidType } from '../errors';
import * as check from '../validate';

const isArrayLike = (v: unknown): v is ArrayLike<unknown> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** The length of an array of class indices in [0, k). */
function classIndices(v: unknown, name: string, k: number): number {
  if (!isArrayLike(v)) throw invalidType(name, 'an array of class indices', v);
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= k) {
      throw argumentError(`Expected class indices in [0, ${k}) in ${name} but ${name}[${i}] is ${String(c)}`);
    }
  }
  return v.length;
}

export interface ClassificationMetrics {
  /** Samples scored. */
  samples: number;
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
  /** NaN when it is undefined (a single class in the truth). */
  rocAuc: number;
  /** confusion[i][j]: samples of class i predicted as class j. */
  confusion: number[][];
}

/**
 * yTrue and yPred: class indices in [0, k); proba: samples x k, row-major.
 */
export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, proba: ArrayLike<number>, k: number): ClassificationMetrics {
  check.integer(k, 'k', 2, 2 ** 31 - 1);
  const n = classIndices(yTrue, 'yTrue', k);
  if (classIndices(yPred, 'yPred', k) !== n) throw argumentError(`Expected yPred to have the length of yTrue (${n}) but it has ${yPred.length}`);
  if (!isArrayLike(proba)) throw invalidType('proba', 'an array of numbers (samples x k)', proba);
  if (proba.length !== n * k) throw argumentError(`Expected proba to have yTrue.length * k = ${n * k} entries but it has ${proba.length}`);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    confusion[yTrue[i]][yPred[i]]++;
    if (yTrue[i] === yPred[i]) correct++;
  }
  let recallSum = 0, present = 0, f1Sum = 0, f1Classes = 0;
  for (let c = 0; c < k; c++) {
    let actual = 0, predicted = 0;
    for (let j = 0; j < k; j++) {
      actual += confusion[c][j];
      predicted += confusion[j][c];
    }
    const tp = confusion[c][c];
    if (actual > 0) {
      recallSum += tp / actual;
      present++;
    }
    if (actual > 0 || predicted > 0) {
      f1Sum += (2 * tp) / (actual + predicted);
      f1Classes++;
    }
  }
  return {
    samples: n,
    accuracy: n > 0 ? correct / n : NaN,
    balancedAccuracy: present > 0 ? recallSum / present : NaN,
    macroF1: f1Classes > 0 ? f1Sum / f1Classes : NaN,
    rocAuc: rocAuc(yTrue, proba, k),
    confusion,
  };
}

/** Area under the ROC curve of `score` for the positives: the Mann-Whitney statistic, ties counting one half. */
export function binaryAuc(positive: ArrayLike<boolean>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0, rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const midRank = (i + j) / 2 + 1; // average 1-based rank of the tied run
    for (let t = i; t <= j; t++) {
      if (positive[order[t]]) {
        pos++;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function rocAuc(yTrue: ArrayLike<number>, proba: ArrayLike<number>, k: number): number {
  const n = yTrue.length;
  const column = (c: number) => Float64Array.from({ length: n }, (_, i) => proba[i * k + c]);
  if (k === 2) return binaryAuc(Array.from({ length: n }, (_, i) => yTrue[i] === 1), column(1));
  let sum = 0, count = 0;
  for (let c = 0; c < k; c++) {
    const auc = binaryAuc(Array.from({ length: n }, (_, i) => yTrue[i] === c), column(c));
    if (!Number.isNaN(auc)) {
      sum += auc;
      count++;
    }
  }
  return count > 0 ? sum / count : NaN;
}
