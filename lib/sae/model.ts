// The types of a fitted SAE model: what fitSae returns, loadSaeModel
// restores and the CLI (`sae fit | predict | transform`) codes against.
import type { FloatArray, Matrix } from '../types';
import type { SaeOptions } from './options';

/** A label as the user spelled it: numbers stay numbers, strings stay strings. */
export type Label = number | string;

/** How the epoch whose weights are kept is chosen. */
export type EpochSelection = 'test-fold' | 'validation' | 'last';

export interface FitSaeOptions extends Omit<SaeOptions, 'folds' | 'foldsToRun' | 'concurrency' | 'informative' | 'eta'> {
  /** Keep this many input features: W1 is projected at the radius that keeps them (exclusive with eta). */
  keep?: number;
  /** Radius of the projection (exclusive with keep). Default 1 when keep is not given. */
  eta?: number;
  /** 'last' (default): the last epoch; 'validation': best accuracy on a seeded, stratified hold-out. */
  epochSelection?: 'last' | 'validation';
  /** Fraction of the training samples held out when epochSelection is 'validation'. Default 0.2. */
  validationFraction?: number;
  /** One name per column of X, carried into the model (and transform's output). */
  featureNames?: string[];
}

export interface RankedFeature {
  /** Column index in X. */
  index: number;
  /** Its name, when featureNames were given. */
  name?: string;
  /** The l2 norm of its W1 column (larger: more used by the network). */
  score: number;
}

export interface SaeModel {
  /** Selected feature indices (W1 columns that survived), ascending. */
  readonly selected: Int32Array;
  /** The selected features, best first. */
  readonly ranking: RankedFeature[];
  /** One name per input feature, when known. */
  readonly featureNames?: string[];
  /** The original label of each class index. */
  readonly classes: Label[];
  /** Number of input features X must have. */
  readonly features: number;
  /** 'float32' or 'float64': the arithmetic of the network. */
  readonly dtype: 'float32' | 'float64';
  /** Guard-rail messages from fitting (no feature kept, none removed, ...). */
  readonly warnings: string[];
  /** Predicted labels in their original values (first class of ties). */
  predict(X: Matrix): Label[];
  /** Class probabilities, rows x classes, row-major; each row sums to 1. */
  predictProba(X: Matrix): Float64Array;
  /** The selected columns of X, ascending, preprocessed as at fit time, in X's float type. */
  transform<T extends FloatArray>(X: Matrix<T>): Matrix<T>;
  /** A plain object that JSON.stringify writes losslessly and loadSaeModel restores. */
  toJSON(): SaeModelJson;
}

/** The saved form (format version 1). */
export interface SaeModelJson {
  format: 'bilevel-projection/sae-model';
  version: 1;
  dtype: 'float32' | 'float64';
  features: number;
  hidden: number;
  classes: Label[];
  featureNames?: string[];
  selected: number[];
  ranking: RankedFeature[];
  preprocess: { log: boolean; mean: number[]; std: number[] };
  /** Encoder weights, row-major as PyTorch stores them: W1 hidden x features, b1, W2 classes x hidden, b2. */
  weights: { w1: number[]; b1: number[]; w2: number[]; b2: number[] };
  /** How the model was fitted (for the record; not needed to predict). */
  training: { projection: string; eta: number; keep?: number; epochSelection: string; epoch: number; phase: number; seed: number };
  warnings: string[];
}
