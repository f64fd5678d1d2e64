// Preprocessing of the data matrix before training, as the authors do it on
// the whole dataset before the folds are split: optionally x <- log(|x + 1|)
// (for count data such as transcriptomics), then centre each feature and
// scale it to unit population standard deviation.
import type { FloatArray, Matrix } from '../types';

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
export function preprocess(x: Matrix, opts: PreprocessOptions = {}): Preprocessed {
  const { rows: n, cols: m } = x;
  const src = x.data;
  const work = new Float64Array(n * m);
  for (let i = 0; i < n * m; i++) work[i] = opts.log ? Math.log(Math.abs(src[i] + 1)) : src[i];
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
    for (let j = 0; j < m; j++) out[i * m + j] = (work[i * m + j] - mean[j]) / std[j];
  }
  return { data: out, mean, std };
}
