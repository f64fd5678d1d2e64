// scikit-learn's make_classification (as of 1.2.1), reimplemented so the
// paper's data-64 / data-16 sets can be regenerated in Node from a seed: the
// same random draws in the same order from numpy's legacy RandomState and the
// same arithmetic in the same order. y and the feature permutation come out
// identical; X comes out bit for bit when the normal sampler uses the same
// log as numpy's C library, and otherwise differs in about 1 entry in 2000
// by a few ulps (see lib/random/mt19937.ts and the tests).
import type { Matrix } from '../types';
import { argumentError, invalidType } from '../errors';
import * as check from '../validate';
import { MAX_SEED, RandomState } from '../random/mt19937';

export interface MakeClassificationOptions {
  /** Rows of X. Default 100. */
  nSamples?: number;
  /** Columns of X. Default 20. */
  nFeatures?: number;
  /** Informative features (the cluster centroids live in these). Default 2. */
  nInformative?: number;
  /** Random linear combinations of the informative features. Default 2. */
  nRedundant?: number;
  /** Copies of informative or redundant features. Default 0. */
  nRepeated?: number;
  /** Default 2. */
  nClasses?: number;
  /** Default 2. */
  nClustersPerClass?: number;
  /** Class proportions: nClasses of them, or nClasses - 1 and the last is 1 - their sum. Default equal. */
  weights?: readonly number[] | Float64Array | Float32Array | null;
  /** Fraction of labels replaced by a random class (possibly the same one). Default 0.01. */
  flipY?: number;
  /** Half the side of the hypercube the centroids sit on. Default 1. */
  classSep?: number;
  /** Centroids on the hypercube's vertices (true) or on a random polytope (false). Default true. */
  hypercube?: boolean;
  /** Added to every feature; null: a random shift per feature in [-classSep, classSep). Default 0. */
  shift?: number | null;
  /** Multiplies every feature (after shift); null: a random scale per feature in [1, 101). Default 1. */
  scale?: number | null;
  /** Shuffle the samples and then the features. Default true. */
  shuffle?: boolean;
  /**
   * Seed of numpy's RandomState, an integer in [0, 2^32 - 1]; the same seed
   * gives scikit-learn's output for the same arguments. Without it (as with
   * scikit-learn's None) a fresh random seed is used.
   */
  randomState?: number;
}

export interface ClassificationData {
  /** nSamples x nFeatures, row-major. */
  X: Matrix<Float64Array>;
  /** The class of each sample, in [0, nClasses). */
  y: Int32Array;
  /** informative[j] = 1 where column j of X is one of the informative features, else 0. */
  informative: Uint8Array;
}

interface Resolved {
  nSamples: number; nFeatures: number; nInformative: number; nRedundant: number; nRepeated: number;
  nClasses: number; nClustersPerClass: number; weights: number[]; flipY: number; classSep: number;
  hypercube: boolean; shift: number | null; scale: number | null; shuffle: boolean; seed: number;
}

const OPTION_NAMES = [
  'nSamples', 'nFeatures', 'nInformative', 'nRedundant', 'nRepeated', 'nClasses', 'nClustersPerClass',
  'weights', 'flipY', 'classSep', 'hypercube', 'shift', 'scale', 'shuffle', 'randomState',
] as const;

// X is allocated whole; beyond this many entries (16 GiB) refuse up front
// rather than fail inside the allocator.
// Limits that keep every allocation of a call reasonable (X and its shuffled
// copy, the centroid table, the per-cluster nInformative^2 maps), so that an
// oversized request is a RangeError naming the option, never an out-of-memory
// abort of the process.
const MAX_ENTRIES = 2 ** 28; // 2 GiB of float64 per copy of X
const MAX_CLUSTER_ENTRIES = 2 ** 26; // nClasses * nClustersPerClass * nInformative
const MAX_INFORMATIVE = 8192; // nInformative^2 entries per cluster map

/**
 * A random n-class classification problem, as scikit-learn's
 * `make_classification`: nClustersPerClass Gaussian clusters per class, centred
 * on distinct vertices of a hypercube in the first nInformative dimensions
 * with random covariance, then redundant, repeated and pure-noise features,
 * label noise, shift and scale, and a shuffle of samples and of features.
 * With the same randomState the output equals scikit-learn's: y and the
 * informative columns exactly, X to within a few ulps (bit for bit but for
 * the C library's log; see makeClassificationFrom).
 */
export function makeClassification(opts?: MakeClassificationOptions): ClassificationData {
  const o = resolve(opts, true);
  return generate(o, new RandomState(o.seed));
}

/**
 * makeClassification drawing from a generator the caller owns (scikit-learn's
 * `random_state=RandomState(...)`): the draws continue its stream, so several
 * calls on one generator give different data sets, and a generator built with
 * another `log` reproduces a particular C library's normals.
 */
export function makeClassificationFrom(
  generator: RandomState, opts?: Omit<MakeClassificationOptions, 'randomState'>,
): ClassificationData {
  if (!(generator instanceof RandomState)) {
    throw invalidType('generator', 'a RandomState', generator);
  }
  return generate(resolve(opts, false), generator);
}

function generate(o: Resolved, rs: RandomState): ClassificationData {
  const n = o.nSamples, m = o.nFeatures, nInf = o.nInformative, nRed = o.nRedundant, nRep = o.nRepeated;
  const nUseless = m - nInf - nRed - nRep;
  const nClusters = o.nClasses * o.nClustersPerClass;
  const perCluster = samplesPerCluster(o);

  const X = new Float64Array(n * m);
  const y = new Int32Array(n);

  // Cluster centroids: distinct hypercube vertices, scaled to +-classSep.
  const bits = hypercubeVertices(nClusters, nInf, rs);
  const centroids = new Float64Array(nClusters * nInf);
  const twoSep = 2 * o.classSep;
  for (let i = 0; i < centroids.length; i++) centroids[i] = bits[i] * twoSep - o.classSep;
  if (!o.hypercube) {
    const perRow = rs.uniformArray(nClusters);
    for (let k = 0; k < nClusters; k++) for (let j = 0; j < nInf; j++) centroids[k * nInf + j] *= perRow[k];
    const perCol = rs.uniformArray(nInf);
    for (let k = 0; k < nClusters; k++) for (let j = 0; j < nInf; j++) centroids[k * nInf + j] *= perCol[j];
  }

  // Informative features: standard normals, then per cluster a random linear map and the centroid.
  for (let i = 0; i < n; i++) for (let j = 0; j < nInf; j++) X[i * m + j] = rs.standardNormal();
  let start = 0;
  for (let k = 0; k < nClusters; k++) {
    const stop = start + perCluster[k];
    y.fill(k % o.nClasses, start, stop);
    const A = randomSigns(nInf, nInf, rs);
    const prod = matmul(X, m, start, stop, A, nInf, nInf);
    for (let i = start; i < stop; i++) {
      for (let j = 0; j < nInf; j++) X[i * m + j] = prod[(i - start) * nInf + j] + centroids[k * nInf + j];
    }
    start = stop;
  }

  // Redundant features: one random linear map of the informative ones for all samples.
  if (nRed > 0) {
    const B = randomSigns(nInf, nRed, rs);
    const prod = matmul(X, m, 0, n, B, nInf, nRed);
    for (let i = 0; i < n; i++) X.set(prod.subarray(i * nRed, (i + 1) * nRed), i * m + nInf);
  }

  // Repeated features: copies of random informative or redundant columns.
  if (nRep > 0) {
    const pool = nInf + nRed;
    const src = Array.from(rs.uniformArray(nRep), (u) => Math.trunc((pool - 1) * u + 0.5));
    for (let i = 0; i < n; i++) for (let r = 0; r < nRep; r++) X[i * m + pool + r] = X[i * m + src[r]];
  }

  // Pure noise in the last columns.
  if (nUseless > 0) {
    for (let i = 0; i < n; i++) for (let j = m - nUseless; j < m; j++) X[i * m + j] = rs.standardNormal();
  }

  // Label noise: a uniform per sample decides, then flipped samples get a random class (maybe their own).
  const flip = rs.uniformArray(n);
  for (let i = 0; i < n; i++) if (flip[i] < o.flipY) y[i] = rs.randint(o.nClasses);

  const shift = o.shift === null ? Array.from(rs.uniformArray(m), (u) => (2 * u - 1) * o.classSep) : null;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) X[i * m + j] += shift ? shift[j] : (o.shift as number);
  const scale = o.scale === null ? Array.from(rs.uniformArray(m), (u) => 1 + 100 * u) : null;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) X[i * m + j] *= scale ? scale[j] : (o.scale as number);

  const informative = new Uint8Array(m);
  if (!o.shuffle) {
    informative.fill(1, 0, nInf);
    return { X: { data: X, rows: n, cols: m }, y, informative };
  }
  // Samples first (arange shuffled), then features (arange shuffled): out[i, c] = X[rowPerm[i], colPerm[c]].
  const rowPerm = rs.permutation(n);
  const colPerm = rs.permutation(m);
  const out = new Float64Array(n * m);
  const yOut = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = rowPerm[i] * m;
    yOut[i] = y[rowPerm[i]];
    for (let c = 0; c < m; c++) out[i * m + c] = X[s + colPerm[c]];
  }
  for (let c = 0; c < m; c++) informative[c] = colPerm[c] < nInf ? 1 : 0;
  return { X: { data: out, rows: n, cols: m }, y: yOut, informative };
}

/** Samples of each cluster: floor(n w_class / clustersPerClass), the remainder dealt round robin. */
function samplesPerCluster(o: Resolved): number[] {
  const nClusters = o.nClasses * o.nClustersPerClass;
  const counts = Array.from({ length: nClusters }, (_, k) =>
    Math.trunc((o.nSamples * o.weights[k % o.nClasses]) / o.nClustersPerClass));
  const rest = o.nSamples - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < rest; i++) counts[i % nClusters] += 1;
  return counts;
}

/** rows x cols matrix (row-major) of 2 u - 1, u uniform: entries in [-1, 1). */
function randomSigns(rows: number, cols: number, rs: RandomState): Float64Array {
  const a = rs.uniformArray(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = 2 * a[i] - 1;
  return a;
}

// --- np.dot as numpy runs it ----------------------------------------------
//
// numpy hands np.dot(X_block, A) to OpenBLAS's dgemm, and the bits of each
// entry depend on the order in which that kernel sums the K products. The
// sklearn reference vectors were made on an AVX-512 machine, where the
// OpenBLAS numpy 1.24 ships takes one of two paths, and this reproduces both:
// - large products (M N K > 100^3, with M = columns of A, N = rows of the
//   block): the blocked kernel, one fused multiply-add after the other, k in
//   order, per entry;
// - small products: a "small matrix" kernel. Columns in the leading multiples
//   of 8, and every column when fewer than 5 are left over or K < 16: the
//   same sequential FMA. Otherwise (1 to 4 trailing columns, K >= 16) each
//   entry is a dot product over 8 lanes (lane l sums k = l, l + 8, ...),
//   reduced either pairwise ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))
//   (blocks of 4 rows, or 4 trailing columns) or by halves
//   ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)) (the last rows).
// Every branch above occurs in the reference cases and matches them bit for
// bit (given glibc's log; test/make-classification.test.ts). Not modelled,
// so possibly an ulp off: K beyond the blocked kernel's K-block (hundreds of
// informative features), and numpy's matrix-vector path (a one-row cluster,
// or a single redundant feature).

const SMALL_KERNEL_MAX_MNK = 100 * 100 * 100;

/** X[start:stop, 0:K] (row stride ld) times A (K x M, row-major), as a new (stop - start) x M array. */
function matmul(X: Float64Array, ld: number, start: number, stop: number, A: Float64Array, K: number, M: number): Float64Array {
  const N = stop - start;
  const out = new Float64Array(N * M);
  const small = M * N * K <= SMALL_KERNEL_MAX_MNK;
  const m8 = M & ~7;
  const rest = M - m8;
  const laneColumns = small && rest >= 1 && rest <= 4 && K >= 16; // the trailing columns go through the lane kernel
  const rows4 = N & ~3;
  const lanes = new Float64Array(8);
  for (let r = 0; r < N; r++) {
    const x = (start + r) * ld;
    for (let q = 0; q < M; q++) {
      if (!laneColumns || q < m8) {
        let acc = 0;
        for (let p = 0; p < K; p++) acc = fma(X[x + p], A[p * M + q], acc);
        out[r * M + q] = acc;
        continue;
      }
      lanes.fill(0);
      for (let p = 0; p < K; p++) lanes[p & 7] = fma(X[x + p], A[p * M + q], lanes[p & 7]);
      out[r * M + q] = rest === 4 || r < rows4
        ? ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
        : ((lanes[0] + lanes[4]) + (lanes[2] + lanes[6])) + ((lanes[1] + lanes[5]) + (lanes[3] + lanes[7]));
    }
  }
  return out;
}

const fmaScratch = new Float64Array(1);
const fmaBits = new Uint32Array(fmaScratch.buffer);
const LO_WORD = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;
const SPLITTER = 134217729; // 2^27 + 1

/**
 * a * b + c with a single rounding (JavaScript has no fma). The product is
 * split exactly (Dekker), its sum with c exactly (Knuth); the two small
 * remainders are added with round-to-odd, which makes the final
 * round-to-nearest correct (Boldo and Melquiond, IEEE TC 2008). Valid away
 * from overflow and underflow, which the data here never approach.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a), al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b), bl = b - bh;
  const pe = ((ah * bh - p) + ah * bl + al * bh) + al * bl; // p + pe = a b exactly
  const s = p + c;
  const sb = s - p;
  const se = (p - (s - sb)) + (c - sb); // s + se = p + c exactly
  const v = se + pe;
  const vb = v - se;
  const ve = (se - (v - vb)) + (pe - vb); // v + ve = se + pe exactly
  if (ve === 0) return s + v;
  fmaScratch[0] = v;
  if ((fmaBits[LO_WORD] & 1) === 0) {
    // Round to odd: step v one ulp toward ve. Its last bit is 0, so stepping
    // away from zero never carries, and toward zero borrows only from 0.
    const away = (v > 0) === (ve > 0);
    if (away) fmaBits[LO_WORD] += 1;
    else if (fmaBits[LO_WORD] === 0) { fmaBits[LO_WORD] = 0xffffffff; fmaBits[1 - LO_WORD] -= 1; }
    else fmaBits[LO_WORD] -= 1;
  }
  return s + fmaScratch[0];
}

/**
 * nClusters distinct binary vectors of length dims (row-major 0/1), as
 * scikit-learn's _generate_hypercube: beyond 30 dimensions the leading
 * dims - 30 bits are free random bits (drawn first), the last 30 a
 * sample without replacement of integers below 2^30, written MSB first.
 */
function hypercubeVertices(nClusters: number, dims: number, rs: RandomState): Uint8Array {
  const out = new Uint8Array(nClusters * dims);
  const free = Math.max(0, dims - 30);
  for (let k = 0; k < nClusters; k++) for (let j = 0; j < free; j++) out[k * dims + j] = rs.randint(2);
  const d = dims - free;
  const codes = sampleWithoutReplacement(2 ** d, nClusters, rs);
  for (let k = 0; k < nClusters; k++) {
    for (let b = 0; b < d; b++) out[k * dims + free + b] = Math.floor(codes[k] / 2 ** (d - 1 - b)) % 2;
  }
  return out;
}

/**
 * nSamples distinct integers in [0, nPopulation), by scikit-learn's 'auto'
 * rule: a permutation prefix when the ratio is in (0.01, 0.99), tracking
 * selection (redraw until unseen) below, reservoir sampling above.
 */
export function sampleWithoutReplacement(nPopulation: number, nSamples: number, rs: RandomState): number[] {
  const ratio = nPopulation !== 0 ? nSamples / nPopulation : 1;
  if (ratio > 0.01 && ratio < 0.99) return Array.from(rs.permutation(nPopulation).subarray(0, nSamples));
  const out: number[] = [];
  if (ratio < 0.2) {
    const seen = new Set<number>();
    for (let i = 0; i < nSamples; i++) {
      let j = rs.randint(nPopulation);
      while (seen.has(j)) j = rs.randint(nPopulation);
      seen.add(j);
      out.push(j);
    }
    return out;
  }
  for (let i = 0; i < nSamples; i++) out.push(i);
  for (let i = nSamples; i < nPopulation; i++) {
    const j = rs.randint(0, i + 1);
    if (j < nSamples) out[j] = i;
  }
  return out;
}

// --- validation (lib/validate.ts's toolkit; every error names its option) ---

function integerOr(v: unknown, name: string, fallback: number, min: number): number {
  return v === undefined ? fallback : check.integer(v, name, min);
}

function finiteOr(v: unknown, name: string, fallback: number, min = -Infinity, max = Infinity, open: { min?: boolean } = {}): number {
  return v === undefined ? fallback : check.finite(v, name, min, max, open);
}

function booleanOr(v: unknown, name: string, fallback: boolean): boolean {
  return v === undefined ? fallback : check.boolean(v, name);
}

function resolveWeights(v: unknown, nClasses: number): number[] {
  const name = 'opts.weights';
  if (v === undefined || v === null) return new Array<number>(nClasses).fill(1.0 / nClasses);
  if (!Array.isArray(v) && !check.isFloatArray(v)) throw invalidType(name, 'an Array, Float64Array or Float32Array of numbers, or null', v);
  if (check.isFloatArray(v)) check.checkNotDetached(v, name);
  const entries = (n: number) => `Expected ${name} to have nClasses (${nClasses}) or nClasses - 1 (${nClasses - 1}) entries but it has ${n}`;
  if (v.length !== nClasses && v.length !== nClasses - 1) throw argumentError(entries(v.length));
  const w = Array.from(v as ArrayLike<unknown>);
  if (w.length !== nClasses && w.length !== nClasses - 1) throw argumentError(entries(w.length));
  for (const [i, x] of w.entries()) check.finite(x, `${name}[${i}]`, 0);
  const ws = w as number[];
  if (ws.length === nClasses - 1) {
    // The last weight is inferred as 1 - sum (summed left to right, as Python's sum of a list).
    let sum = 0;
    for (const x of ws) sum += x;
    if (sum > 1) throw argumentError(`${name} has nClasses - 1 entries summing to ${sum} > 1, so the inferred last weight would be negative`);
    ws.push(1.0 - sum);
  }
  return ws;
}

function resolve(opts: unknown, takesSeed: boolean): Resolved {
  const names = OPTION_NAMES.filter((k) => takesSeed || k !== 'randomState');
  const o = check.options(opts, names);
  const nSamples = integerOr(o.nSamples, 'opts.nSamples', 100, 1);
  const nFeatures = integerOr(o.nFeatures, 'opts.nFeatures', 20, 1);
  const nInformative = integerOr(o.nInformative, 'opts.nInformative', 2, 1);
  const nRedundant = integerOr(o.nRedundant, 'opts.nRedundant', 2, 0);
  const nRepeated = integerOr(o.nRepeated, 'opts.nRepeated', 0, 0);
  const nClasses = integerOr(o.nClasses, 'opts.nClasses', 2, 1);
  const nClustersPerClass = integerOr(o.nClustersPerClass, 'opts.nClustersPerClass', 2, 1);
  const flipY = finiteOr(o.flipY, 'opts.flipY', 0.01, 0, 1);
  const classSep = finiteOr(o.classSep, 'opts.classSep', 1.0, 0, Infinity, { min: true });
  const hypercube = booleanOr(o.hypercube, 'opts.hypercube', true);
  // null: scikit-learn's None (a random shift / scale per feature)
  const shift = o.shift === null ? null : finiteOr(o.shift, 'opts.shift', 0.0);
  const scale = o.scale === null ? null : finiteOr(o.scale, 'opts.scale', 1.0, 0, Infinity, { min: true });
  const shuffle = booleanOr(o.shuffle, 'opts.shuffle', true);
  const seed = takesSeed && o.randomState !== undefined
    ? check.integer(o.randomState, 'opts.randomState', 0, MAX_SEED)
    : Math.floor(Math.random() * (MAX_SEED + 1)); // scikit-learn's None: a fresh generator

  // scikit-learn's own consistency checks.
  if (nInformative + nRedundant + nRepeated > nFeatures) {
    throw argumentError(
      `opts.nInformative + opts.nRedundant + opts.nRepeated (${nInformative} + ${nRedundant} + ${nRepeated}) must be <= opts.nFeatures (${nFeatures})`);
  }
  const nClusters = nClasses * nClustersPerClass;
  if (nInformative < 53 && 2 ** nInformative < nClusters) {
    throw argumentError(
      `opts.nClasses * opts.nClustersPerClass (${nClasses} * ${nClustersPerClass} = ${nClusters}) must be <= 2 ** opts.nInformative (${2 ** nInformative}): each cluster needs its own hypercube vertex`);
  }
  if (nSamples * nFeatures > MAX_ENTRIES) {
    throw argumentError(`opts.nSamples * opts.nFeatures (${nSamples} * ${nFeatures}) exceeds ${MAX_ENTRIES} entries`);
  }
  if (nInformative > MAX_INFORMATIVE) {
    throw argumentError(`opts.nInformative (${nInformative}) exceeds ${MAX_INFORMATIVE}: each cluster draws an nInformative x nInformative map`);
  }
  if (nClusters * nInformative > MAX_CLUSTER_ENTRIES) {
    throw argumentError(
      `opts.nClasses * opts.nClustersPerClass * opts.nInformative (${nClasses} * ${nClustersPerClass} * ${nInformative}) exceeds ${MAX_CLUSTER_ENTRIES} centroid entries`);
  }
  // Checked only now: it allocates nClasses entries.
  const weights = resolveWeights(o.weights, nClasses);
  const total = weights.reduce((s, w) => s + nClustersPerClass * Math.trunc((nSamples * w) / nClustersPerClass), 0);
  if (total > nSamples) {
    throw argumentError(`opts.weights sum to more than 1 (${weights.join(', ')}): the classes would need more than opts.nSamples samples`);
  }
  return { nSamples, nFeatures, nInformative, nRedundant, nRepeated, nClasses, nClustersPerClass, weights, flipY, classSep, hypercube, shift, scale, shuffle, seed };
}
