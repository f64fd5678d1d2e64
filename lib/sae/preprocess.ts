// Preprocessing of the data matrix before training, as the authors do it on
// the whole dataset before the folds are split: optionally x <- log(|x + 1|)
// (for count data such as transcriptomics), then centre each feature and
// scale it to unit population standard deviation.
import type { FloatArray, Matrix } from '../types';
import * as check from '../validate';

export interface PreprocessOptions {
  log?: boolean;
  center?: boolean;
  scale?: boolean;
  /** Element type of the result. Default 'float64'. */
  dtype?: 'float32' | 'float64';
}

export interface Preprocessed {
  data: FloatArray;
  /** Per-feature mean and standard deviation after the log (what was subtracted and divided). */
  mean: Float64Array;
  std: Float64Array;
}

/**
 * A new samples x features array; the input is not modified. Statistics are
 * accumulated in float64. A constant feature (std 0) is only centred, as
 * scikit-learn's scale does.
 */
export function preprocess(x: Matrix, opts?: PreprocessOptions): Preprocessed {
  const o = check.options(opts, ['log', 'center', 'scale', 'dtype'] as const);
  const { data: src, rows: n, cols: m } = check.matrix(x, 'x');
  opts = {
    log: o.log === undefined ? false : check.boolean(o.log, 'opts.log'),
    center: o.center === undefined ? true : check.boolean(o.center, 'opts.center'),
    scale: o.scale === undefined ? true : check.boolean(o.scale, 'opts.scale'),
    dtype: o.dtype === undefined ? 'float64' : check.oneOf(o.dtype, ['float32', 'float64'] as const, 'opts.dtype'),
  };
  const work = new Float64Array(n * m);
  for (let i = 0; i < n * m; i++) work[i] = logOf(src[i], opts.log === true);
  const mean = new Float64Array(m);
  const std = new Float64Array(m).fill(1);
  if (opts.center !== false || opts.scale !== false) {
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mean[j] += work[i * m + j];
    for (let j = 0; j < m; j++) mean[j] /= Math.max(n, 1);
  }
  if (opts.scale !== false) {
    // Two-pass variance (about the mean), population normalisation (ddof = 0).
    const ss = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const d = work[i * m + j] - mean[j];
        ss[j] += d * d;
      }
    }
    for (let j = 0; j < m; j++) {
      const s = Math.sqrt(ss[j] / Math.max(n, 1));
      std[j] = s > 0 && Number.isFinite(s) ? s : 1;
    }
  }
  const center = opts.center !== false;
  if (!center) mean.fill(0);
  const out = opts.dtype === 'float32' ? new Float32Array(n * m) : work;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = standardise(work[i * m + j], mean[j], std[j]);
  }
  return { data: out, mean, std };
}

// The two steps, shared with applyPreprocess so that a fitted model sees new
// samples through exactly the arithmetic its training samples went through.
const logOf = (v: number, log: boolean) => (log ? Math.log(Math.abs(v + 1)) : v);
const standardise = (v: number, mean: number, std: number) => (v - mean) / std;

/**
 * The preprocessing learned by `preprocess` applied to new samples (rows of
 * x, same columns): log if `log`, then (x - mean) / std, into `dtype`.
 */
export function applyPreprocess(x: Matrix, stats: { log: boolean; mean: ArrayLike<number>; std: ArrayLike<number> }, dtype: 'float32' | 'float64'): FloatArray {
  const { data: src, rows: n, cols: m } = x;
  const out = dtype === 'float32' ? new Float32Array(n * m) : new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = standardise(logOf(src[i * m + j], stats.log), stats.mean[j], stats.std[j]);
  }
  return out;
}
