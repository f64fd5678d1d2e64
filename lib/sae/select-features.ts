// selectFeatures: the paper's application end to end. Preprocess the whole
// dataset, split it with KFold, train the supervised autoencoder on every
// fold (on the thread pool, `concurrency` folds at a time), and rank the
// features by the W1 columns that survive the projection.
import * as os from 'os';
import type { Matrix } from '../types';
import { abortReason, signalOf } from '../signal';
import * as check from '../validate';
import { kFold } from './kfold';
import { resolveSaeOptions, type ResolvedSaeOptions, type SaeOptions, type SaeProgress } from './options';
import { preprocess } from './preprocess';
import { summarize, type SelectFeaturesResult } from './summary';
import { trainFold, type FoldOutcome, type TrainingData } from './train-fold';

function cpuCount(): number {
  const f = (os as { availableParallelism?: () => number }).availableParallelism;
  return Math.max(1, f ? f() : os.cpus().length);
}

/** Labels -> class indices 0..k-1 in increasing order of label; k >= 2. */
export function encodeLabels(y: unknown, n: number, name = 'y'): { codes: Int32Array; classes: number[] } {
  const isInt32 = Object.prototype.toString.call(y) === '[object Int32Array]';
  if (!isInt32 && !Array.isArray(y)) {
    throw new TypeError(`Expected an Int32Array or an array of integers for ${name} but received ${check.describe(y)}`);
  }
  const arr = y as ArrayLike<unknown>;
  if (arr.length !== n) {
    throw new RangeError(`Expected ${name} to have one label per row of X (${n}) but it has length ${arr.length}`);
  }
  const distinct = new Set<number>();
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw new TypeError(`Expected integer labels in ${name} but ${name}[${i}] is ${check.describe(v)}`);
    }
    distinct.add(v);
  }
  const classes = [...distinct].sort((a, b) => a - b);
  if (classes.length < 2) {
    throw new RangeError(`Expected at least two classes in ${name} but found ${classes.length === 0 ? 'none' : `only ${classes[0]}`}`);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = index.get(arr[i] as number) as number;
  return { codes, classes };
}

function informativeMask(v: unknown, m: number): Uint8Array | undefined {
  if (v === undefined) return undefined;
  const a = v as ArrayLike<unknown>;
  if (typeof v !== 'object' || v === null || typeof a.length !== 'number') {
    throw new TypeError(`Expected an array of 0/1 (one per feature) for opts.informative but received ${check.describe(v)}`);
  }
  if (a.length !== m) {
    throw new RangeError(`Expected opts.informative to have one entry per column of X (${m}) but it has length ${a.length}`);
  }
  const mask = new Uint8Array(m);
  for (let j = 0; j < m; j++) mask[j] = a[j] ? 1 : 0;
  return mask;
}

/** Runs jobs with at most `limit` in flight; the first failure aborts the rest (through `abort`) and is rethrown. */
async function pool<T>(count: number, limit: number, job: (i: number) => Promise<T>, abort: (reason: unknown) => void): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let failure: { reason: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        results[i] = await job(i);
      } catch (e) {
        if (failure === undefined) {
          failure = { reason: e };
          abort(e);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  if (failure !== undefined) throw failure.reason;
  return results;
}

export interface SelectFeaturesOptions extends SaeOptions {}

/**
 * Feature selection with the sparse supervised autoencoder of Barlaud, Perez
 * and Marmorat (section V.C): train, project W1 onto a mixed-norm ball by
 * feature columns once, retrain with the zero pattern frozen, and keep the
 * features whose column survives. Defaults follow the paper's recipe
 * (EXPERIMENTS.md section 1); see SaeOptions for every knob.
 *
 * accuracy.mean is the best-epoch test accuracy with the epoch chosen on the
 * test fold (the authors' protocol, optimistic); accuracy.lastEpochMean is
 * the honest companion. Accuracies and sparsity are fractions in [0, 1].
 */
export async function selectFeatures(X: Matrix, y: Int32Array | number[], opts?: SelectFeaturesOptions): Promise<SelectFeaturesResult> {
  const started = process.hrtime.bigint();
  const m = check.matrix(X, 'X');
  const o: ResolvedSaeOptions = resolveSaeOptions(opts, cpuCount());
  const raw = (opts ?? {}) as SaeOptions;
  const signal = signalOf(raw.signal);
  const bad = check.firstNonFinite(m.data);
  if (bad >= 0) {
    const r = Math.floor(bad / m.cols), c = bad % m.cols;
    throw new RangeError(`Expected finite entries in X.data but X.data[${bad}] (row ${r}, column ${c}) is ${m.data[bad]}`);
  }
  if (m.rows < o.folds) throw new RangeError(`Expected at least opts.folds = ${o.folds} rows in X but it has ${m.rows}`);
  if (m.cols < 1) throw new RangeError('Expected at least one column (feature) in X');
  const { codes, classes } = encodeLabels(y, m.rows);
  const informative = informativeMask(raw.informative, m.cols);
  if (signal?.aborted) throw abortReason(signal);

  const prep = preprocess({ data: m.data, rows: m.rows, cols: m.cols }, { log: o.log, center: o.center, scale: o.scale, dtype: o.dtype });
  if (o.log && check.firstNonFinite(prep.data) >= 0) {
    throw new RangeError('opts.log produced non-finite values (log(|x + 1|) of an entry equal to -1); log is meant for counts');
  }
  const data: TrainingData = { x: prep.data, samples: m.rows, features: m.cols, y: codes, classes: classes.length };
  const splits = kFold(m.rows, o.folds, o.seed);

  // One controller stops every fold: the caller's signal, or the first failure.
  const inner = new AbortController();
  const forward = () => inner.abort(abortReason(signal));
  signal?.addEventListener('abort', forward, { once: true });
  const epochsPerFold = o.phase1Epochs + (o.projection === 'none' ? 0 : o.phase2Epochs);
  const total = epochsPerFold * o.foldsToRun;
  let completed = 0;
  try {
    const outcomes: FoldOutcome[] = await pool(
      o.foldsToRun,
      o.concurrency,
      (f) =>
        trainFold(data, splits[f].train, splits[f].test, o, inner.signal, (e) => {
          completed++;
          const p: SaeProgress = { fold: f, folds: o.foldsToRun, ...e, completed, total };
          raw.onProgress?.(p);
        }),
      (reason) => inner.abort(reason),
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    return summarize(
      outcomes,
      splits.slice(0, o.foldsToRun).map((s) => ({ train: s.train.length, test: s.test.length })),
      o.hidden,
      m.cols,
      o.zeroBelow,
      classes,
      informative,
      elapsed,
    );
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}
