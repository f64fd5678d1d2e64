// The fitted model: the encoder's weights (W1, b1, W2, b2), the
// preprocessing learned at fit time, and the label values. Prediction runs in
// the native encoder (native/core/sae/predict), the arithmetic training
// used; saving writes every weight losslessly, so a restored model predicts
// bit for bit what the fitted one does.
import { types } from 'util';
import { argumentError, nativeError, nonFinite, outOfMemory } from '../errors';
import { native } from '../native';
import type { FloatArray, Matrix } from '../types';
import * as check from '../validate';
import type { Label, RankedFeature, SaeModel, SaeModelJson } from './model';
import { applyPreprocess } from './preprocess';

export const MODEL_FORMAT = 'bilevel-projection/sae-model';
export const MODEL_VERSION = 1;

export interface ModelParts {
  dtype: 'float32' | 'float64';
  features: number;
  hidden: number;
  classes: Label[];
  featureNames?: string[];
  selected: Int32Array;
  ranking: RankedFeature[];
  preprocess: { log: boolean; mean: Float64Array; std: Float64Array };
  /** W1, b1, W2, b2 in that order, in dtype. */
  encoder: FloatArray;
  training: SaeModelJson['training'];
  warnings: string[];
}

/** Features ranked by the l2 norm of their W1 column; selected: columns with some |w| >= zeroBelow. */
export function rankFeatures(w1: ArrayLike<number>, hidden: number, features: number, zeroBelow: number, names?: string[]): { selected: Int32Array; ranking: RankedFeature[] } {
  const ss = new Float64Array(features);
  const alive = new Uint8Array(features);
  for (let r = 0; r < hidden; r++) {
    for (let j = 0; j < features; j++) {
      const w = w1[r * features + j];
      ss[j] += w * w;
      const a = Math.abs(w);
      if (zeroBelow > 0 ? a >= zeroBelow : a !== 0) alive[j] = 1;
    }
  }
  const sel: number[] = [];
  for (let j = 0; j < features; j++) if (alive[j]) sel.push(j);
  const ranking = sel
    .map((j) => ({ index: j, score: Math.sqrt(ss[j]), ...(names ? { name: names[j] } : {}) }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
  return { selected: Int32Array.from(sel), ranking };
}

/** Class probabilities and classes of preprocessed samples x (rows x features, the encoder's type). */
export function predictEncoder(x: FloatArray, rows: number, features: number, encoder: FloatArray, hidden: number, k: number): { proba: Float64Array; cls: Int32Array } {
  const proba = new Float64Array(rows * k);
  const cls = new Int32Array(rows);
  if (rows === 0) return { proba, cls };
  const st = native.saePredict(x, rows, features, encoder, hidden, k, proba, cls);
  if (st === -1) throw nonFinite('The model produced non-finite logits (extreme values after preprocessing?)');
  if (st === -2) throw outOfMemory('the prediction workspace');
  if (st !== 0) throw nativeError(`unexpected native status ${st}`);
  return { proba, cls };
}

export class FittedSaeModel implements SaeModel {
  readonly selected: Int32Array;
  readonly ranking: RankedFeature[];
  readonly featureNames?: string[];
  readonly classes: Label[];
  readonly features: number;
  readonly dtype: 'float32' | 'float64';
  readonly warnings: string[];
  readonly #parts: ModelParts;

  constructor(parts: ModelParts) {
    this.#parts = parts;
    this.selected = parts.selected;
    this.ranking = parts.ranking;
    if (parts.featureNames) this.featureNames = parts.featureNames;
    this.classes = parts.classes;
    this.features = parts.features;
    this.dtype = parts.dtype;
    this.warnings = parts.warnings;
  }

  /** X checked against the model and preprocessed as at fit time. */
  #prepare(X: unknown): { x: FloatArray; rows: number } {
    const m = check.matrix(X, 'X');
    if (m.cols !== this.features) {
      throw argumentError(`Expected X to have ${this.features} columns (the features the model was fitted on) but it has ${m.cols}`);
    }
    const bad = check.firstNonFinite(m.data);
    if (bad >= 0) {
      throw nonFinite(`Expected finite entries in X.data but X.data[${bad}] (row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}) is ${m.data[bad]}`);
    }
    return { x: applyPreprocess(m, this.#parts.preprocess, this.dtype), rows: m.rows };
  }

  #run(X: unknown): { proba: Float64Array; cls: Int32Array } {
    const { x, rows } = this.#prepare(X);
    const p = this.#parts;
    return predictEncoder(x, rows, p.features, p.encoder, p.hidden, p.classes.length);
  }

  predict(X: Matrix): Label[] {
    const { cls } = this.#run(X);
    return Array.from(cls, (c) => this.classes[c]);
  }

  predictProba(X: Matrix): Float64Array {
    return this.#run(X).proba;
  }

  transform<T extends FloatArray>(X: Matrix<T>): Matrix<T> {
    const input = check.matrix(X, 'X');
    const { x, rows } = this.#prepare(X);
    const s = this.selected;
    const out = (types.isFloat32Array(input.data) ? new Float32Array(rows * s.length) : new Float64Array(rows * s.length)) as T;
    for (let i = 0; i < rows; i++) {
      for (let t = 0; t < s.length; t++) out[i * s.length + t] = x[i * this.features + s[t]];
    }
    return { data: out, rows, cols: s.length };
  }

  toJSON(): SaeModelJson {
    const p = this.#parts;
    const h = p.hidden, m = p.features, k = p.classes.length;
    const e = p.encoder;
    const part = (from: number, len: number) => Array.from(e.subarray(from, from + len));
    const json: SaeModelJson = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      dtype: p.dtype,
      features: m,
      hidden: h,
      classes: [...p.classes],
      selected: Array.from(p.selected),
      ranking: p.ranking.map((r) => ({ ...r })),
      preprocess: { log: p.preprocess.log, mean: Array.from(p.preprocess.mean), std: Array.from(p.preprocess.std) },
      weights: { w1: part(0, h * m), b1: part(h * m, h), w2: part(h * m + h, k * h), b2: part(h * m + h + k * h, k) },
      training: { ...p.training },
      warnings: [...p.warnings],
    };
    if (p.featureNames) json.featureNames = [...p.featureNames];
    return json;
  }
}
