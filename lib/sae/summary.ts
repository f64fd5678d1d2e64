// From the folds' outcomes to the result a user reads: accuracy over folds
// (best epoch, chosen on the test fold as the authors do, and the last epoch
// beside it), W1 column sparsity, the features ranked by the norm of their W1
// column, how many folds kept each, and recall of the informative features
// when they are known.
import type { FloatArray } from '../types';
import { sparsityWarnings } from './fit';
import { classificationMetrics, type ClassificationMetrics } from './metrics';
import type { EpochSelection, Label } from './model';
import type { EpochLog, FoldOutcome } from './train-fold';

export interface FoldSummary {
  /** 1-based epoch of the reported phase that was kept (by epochSelection). */
  bestEpoch: number;
  /** The radius the projection used (opts.eta, or the radius that kept opts.keep columns of this fold's W1). */
  eta: number;
  /** The kept epoch on this fold's test samples. */
  metrics: ClassificationMetrics;
  reportedPhase: 1 | 2;
  bestAccuracy: number;
  lastAccuracy: number;
  /** Fraction of W1 columns removed at the best epoch. */
  sparsity: number;
  /** W1 columns the projection zeroed, before phase 2. */
  zeroColumnsAfterProjection: number;
  trainSize: number;
  testSize: number;
  epochs: EpochLog[];
}

export interface Recall {
  /** Informative features known. */
  informative: number;
  /** Fraction of the informative features among the selected ones. */
  recall: number;
  /** Fraction of the selected features that are informative. */
  precision: number;
  /** Fraction of the informative features among the top-ranked K, K = number of informative features. */
  recallAtK: number;
}

export interface AccuracySummary {
  /** Mean over folds of the best-epoch test accuracy (optimistic: the test fold chooses the epoch). */
  mean: number;
  /** Population standard deviation over folds (numpy's default, as the authors print it). */
  std: number;
  /** Mean and std over folds of the last epoch's test accuracy (no choice made on the test fold). */
  lastEpochMean: number;
  lastEpochStd: number;
  perFold: number[];
  lastEpochPerFold: number[];
}

export interface SelectFeaturesResult {
  /** Features whose W1 column survived in at least one fold, best first (by mean column norm over folds). */
  selected: Int32Array;
  /** Per feature: the l2 norm of its W1 column, averaged over folds. */
  scores: Float64Array;
  accuracy: AccuracySummary;
  /** Mean over folds of the fraction of W1 columns that are zero (|w| < zeroBelow throughout). */
  sparsity: number;
  /** Per feature: in how many folds its W1 column survived. */
  keptInFolds: Int32Array;
  /** Per fold: the l2 norm of every W1 column. */
  foldScores: Float64Array[];
  folds: FoldSummary[];
  /** Per fold: W1 at the best epoch (hidden x features, row-major, PyTorch's layout). */
  weights: FloatArray[];
  /** The original label of each class index. */
  classes: Label[];
  /** How each fold's kept epoch was chosen. */
  epochSelection: EpochSelection;
  /** Every fold's test predictions pooled (each sample once, predicted by the fold that did not train on it). */
  metrics: ClassificationMetrics;
  /** Guard rails: no feature kept, or none removed, with the knob to turn. Empty when all is well. */
  warnings: string[];
  recall?: Recall;
  /** A reminder that travels with the numbers. */
  note: string;
  elapsedSeconds: number;
}

export const NOTES: Record<EpochSelection, string> = {
  'test-fold':
    'epochSelection test-fold: each fold keeps the epoch with the best test accuracy, chosen on the test fold itself as the ' +
    "authors' code does (optimistic); accuracy.lastEpochMean involves no such choice.",
  validation: 'epochSelection validation: each fold keeps the epoch with the best accuracy on a stratified hold-out of its training samples; the test fold is not looked at.',
  last: 'epochSelection last: each fold keeps its last epoch; no choice is made on held-out data.',
};

export const BEST_EPOCH_NOTE =
  'accuracy.mean is the best-epoch test accuracy with the best epoch chosen on the test fold itself, as the ' +
  "authors' code does (optimistic); accuracy.lastEpochMean involves no such choice.";

export function meanStd(v: readonly number[]): { mean: number; std: number } {
  if (v.length === 0) return { mean: NaN, std: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / v.length;
  return { mean, std: Math.sqrt(variance) };
}

/** l2 norm of each column of a hidden x features row-major matrix, and whether any |entry| reaches zeroBelow. */
export function columnNorms(w1: FloatArray, hidden: number, features: number, zeroBelow: number): { norms: Float64Array; kept: Uint8Array } {
  const ss = new Float64Array(features);
  const kept = new Uint8Array(features);
  for (let r = 0; r < hidden; r++) {
    const off = r * features;
    for (let j = 0; j < features; j++) {
      const w = w1[off + j];
      ss[j] += w * w;
      const a = Math.abs(w);
      if (zeroBelow > 0 ? a >= zeroBelow : a !== 0) kept[j] = 1;
    }
  }
  for (let j = 0; j < features; j++) ss[j] = Math.sqrt(ss[j]);
  return { norms: ss, kept };
}

export function summarize(
  outcomes: FoldOutcome[],
  sizes: { train: number; test: number }[],
  hidden: number,
  features: number,
  zeroBelow: number,
  classes: Label[],
  informative: Uint8Array | undefined,
  elapsedSeconds: number,
  run: {
    predictions: { truth: Int32Array; cls: Int32Array; proba: Float64Array }[];
    epochSelection: EpochSelection;
    projection: string;
    by: 'eta' | 'keep';
  },
): SelectFeaturesResult {
  const k = classes.length;
  const scores = new Float64Array(features);
  const keptInFolds = new Int32Array(features);
  const foldScores: Float64Array[] = [];
  const folds: FoldSummary[] = [];
  outcomes.forEach((o, f) => {
    const { norms, kept } = columnNorms(o.w1, hidden, features, zeroBelow);
    foldScores.push(norms);
    let zero = 0;
    for (let j = 0; j < features; j++) {
      scores[j] += norms[j] / outcomes.length;
      keptInFolds[j] += kept[j];
      zero += kept[j] ? 0 : 1;
    }
    const p = run.predictions[f];
    folds.push({
      bestEpoch: o.bestEpoch,
      eta: o.eta,
      metrics: classificationMetrics(p.truth, p.cls, p.proba, k),
      reportedPhase: o.reportedPhase,
      bestAccuracy: o.bestAccuracy,
      lastAccuracy: o.lastAccuracy,
      sparsity: features > 0 ? zero / features : 0,
      zeroColumnsAfterProjection: o.zeroColumnsAfterProjection,
      trainSize: sizes[f].train,
      testSize: sizes[f].test,
      epochs: o.epochs,
    });
  });
  const selectedList: number[] = [];
  for (let j = 0; j < features; j++) if (keptInFolds[j] > 0) selectedList.push(j);
  selectedList.sort((a, b) => scores[b] - scores[a] || a - b);
  const selected = Int32Array.from(selectedList);
  const best = meanStd(folds.map((f) => f.bestAccuracy));
  const last = meanStd(folds.map((f) => f.lastAccuracy));
  const result: SelectFeaturesResult = {
    selected,
    scores,
    accuracy: {
      mean: best.mean,
      std: best.std,
      lastEpochMean: last.mean,
      lastEpochStd: last.std,
      perFold: folds.map((f) => f.bestAccuracy),
      lastEpochPerFold: folds.map((f) => f.lastAccuracy),
    },
    sparsity: meanStd(folds.map((f) => f.sparsity)).mean,
    keptInFolds,
    foldScores,
    folds,
    weights: outcomes.map((o) => o.w1),
    classes,
    epochSelection: run.epochSelection,
    metrics: pooledMetrics(run.predictions, k),
    warnings: sparsityWarnings(selected.length, features, run.projection, run.by),
    note: NOTES[run.epochSelection],
    elapsedSeconds,
  };
  if (informative) result.recall = recallOf(selected, scores, informative);
  return result;
}

function pooledMetrics(p: { truth: Int32Array; cls: Int32Array; proba: Float64Array }[], k: number): ClassificationMetrics {
  const n = p.reduce((a, q) => a + q.truth.length, 0);
  const truth = new Int32Array(n), cls = new Int32Array(n), proba = new Float64Array(n * k);
  let at = 0;
  for (const q of p) {
    truth.set(q.truth, at);
    cls.set(q.cls, at);
    proba.set(q.proba, at * k);
    at += q.truth.length;
  }
  return classificationMetrics(truth, cls, proba, k);
}

export function recallOf(selected: Int32Array, scores: Float64Array, informative: Uint8Array): Recall {
  let k = 0;
  for (let j = 0; j < informative.length; j++) k += informative[j] ? 1 : 0;
  let hit = 0;
  for (const j of selected) hit += informative[j] ? 1 : 0;
  const ranked = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  let hitK = 0;
  for (let i = 0; i < k; i++) hitK += informative[ranked[i]] ? 1 : 0;
  return {
    informative: k,
    recall: k > 0 ? hit / k : NaN,
    precision: selected.length > 0 ? hit / selected.length : NaN,
    recallAtK: k > 0 ? hitK / k : NaN,
  };
}
