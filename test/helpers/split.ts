// Helpers of the split-path tests: random matrices, row and column blocks,
// and the distributed l1-ball threshold protocol of docs/split.md driven
// over simulated shards.
import type { FloatArray, Matrix } from '../../lib';

/** A small deterministic generator (mulberry32), so failures replay. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Entries spread over a few decades, some exact zeros and some zero columns and rows. */
export function randomMatrix(F: Ctor, rows: number, cols: number, rand: () => number): Matrix {
  const data = new F(rows * cols);
  const deadCol = Math.floor(rand() * (cols + 2)), deadRow = Math.floor(rand() * (rows + 2));
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const r = rand();
      data[i * cols + j] = i === deadRow || j === deadCol || r < 0.05 ? 0 : (rand() - 0.5) * 10 ** (rand() * 4 - 2);
    }
  }
  return { data, rows, cols };
}

/** Sorted distinct cut points in (0, n), k of them at most. */
export function cuts(n: number, k: number, rand: () => number): number[] {
  const s = new Set<number>();
  for (let i = 0; i < k && n > 1; i++) s.add(1 + Math.floor(rand() * (n - 1)));
  return [0, ...[...s].sort((a, b) => a - b), n];
}

/** Row block [r0, r1): a zero-copy view (rows are contiguous in row-major order). */
export function rowBlock<T extends FloatArray>(y: Matrix<T>, r0: number, r1: number): Matrix<T> {
  return { data: y.data.subarray(r0 * y.cols, r1 * y.cols) as T, rows: r1 - r0, cols: y.cols };
}

/** Column block [c0, c1): a copy (columns are strided). */
export function colBlock<T extends FloatArray>(y: Matrix<T>, c0: number, c1: number): Matrix<T> {
  const w = c1 - c0;
  const data = new (y.data.constructor as Ctor)(y.rows * w) as T;
  for (let i = 0; i < y.rows; i++) data.set(y.data.subarray(i * y.cols + c0, i * y.cols + c1), i * w);
  return { data, rows: y.rows, cols: w };
}

/** Writes a column block back into a whole matrix's array. */
export function putColBlock(dst: FloatArray, cols: number, b: Matrix, c0: number): void {
  for (let i = 0; i < b.rows; i++) dst.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), i * cols + c0);
}

export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * The l1-ball threshold of the concatenated shards, found by Newton steps on
 * f(tau) = sum_i max(|v_i| - tau, 0) - eta from tau = 0, each round one
 * all-reduce of (count, sum) (here: a loop over the shards, in `order`).
 */
export function distributedThreshold(
  shards: FloatArray[],
  eta: number,
  stats: (v: FloatArray, tau: number) => { count: number; sum: number },
): { tau: number; rounds: number } {
  let tau = 0;
  let prevCount = -1;
  const total = shards.reduce((s, v) => s + v.length, 0);
  for (let round = 1; round <= total + 2; round++) {
    let count = 0, sum = 0;
    for (const v of shards) {
      const s = stats(v, tau);
      count += s.count;
      sum += s.sum;
    }
    if (round === 1 && sum <= eta) return { tau: 0, rounds: 1 };
    if (count === prevCount || count === 0) return { tau, rounds: round };
    prevCount = count;
    tau = (sum - eta) / count;
  }
  throw new Error('the threshold search did not settle');
}

/** The per-block vectors of a split, end to end (the whole-matrix vector of a column split). */
export function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
