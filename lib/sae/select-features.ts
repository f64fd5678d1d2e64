// selectFeatures: the paper's application end to end. Preprocess the whole
// dataset, split it with KFold, train the supervised autoencoder on every
// fold (on the thread pool, `concurrency` folds at a time), and rank the
// features by the W1 columns that survive the projection.
import * as os from 'os';
import { types } from 'util';
import type { Matrix } from '../types';
import { abortReason, signalOf } from '../signal';
import { argumentError, invalidType, nonFinite } from '../errors';
import * as check from '../validate';
import { kFold } from './kfold';
import { encodeLabels, stratifiedHoldout } from './labels';
import type { Label } from './model';
import { predictEncoder } from './sae-model';
import { resolveSaeOptions, type ResolvedSaeOptions, type SaeOptions, type SaeProgress } from './options';
import { preprocess } from './preprocess';
import { summarize, type SelectFeaturesResult } from './summary';
import { trainFold, type FoldOutcome, type TrainingData } from './train-fold';

function cpuCount(): number {
  const f = (os as { availableParallelism?: () => number }).availableParallelism;
  return Math.max(1, f ? f() : os.cpus().length);
}

export { encodeLabels };

function informativeMask(v: unknown, m: number): Uint8Array | undefined {
  if (v === undefined) return undefined;
  const a = v as ArrayLike<unknown>;
  if (typeof v !== 'object' || v === null || typeof a.length !== 'number') {
    throw invalidType('opts.informative', 'an array of 0/1 (one per feature)', v);
  }
  if (a.length !== m) {
    throw argumentError(`Expected opts.informative to have one entry per column of X (${m}) but it has length ${a.length}`);
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
 * (docs/sae-recipe.md); see SaeOptions for every knob.
 *
 * opts.epochSelection says which epoch each fold keeps: 'test-fold' (the
 * default, the authors' protocol: the best test accuracy, optimistic),
 * 'validation' or 'last' (honest). accuracy.mean and the metrics are those
 * of the kept epoch on the test folds; accuracy.lastEpochMean never involves
 * a choice. Accuracies and sparsity are fractions in [0, 1]. `warnings` says
 * when no feature, or every feature, survived, and which knob to turn.
 */
export async function selectFeatures(X: Matrix, y: Int32Array | number[] | string[], opts?: SelectFeaturesOptions): Promise<SelectFeaturesResult> {
  const started = process.hrtime.bigint();
  const m = check.matrix(X, 'X');
  const o: ResolvedSaeOptions = resolveSaeOptions(opts, cpuCount());
  const raw = (opts ?? {}) as SaeOptions;
  const signal = signalOf(raw.signal);
  const bad = check.firstNonFinite(m.data);
  if (bad >= 0) {
    const r = Math.floor(bad / m.cols), c = bad % m.cols;
    throw nonFinite(`Expected finite entries in X.data but X.data[${bad}] (row ${r}, column ${c}) is ${m.data[bad]}`);
  }
  if (m.rows < o.folds) throw argumentError(`Expected at least opts.folds = ${o.folds} rows in X but it has ${m.rows}`);
  if (m.cols < 1) throw argumentError('Expected at least one column (feature) in X');
  const { codes, classes } = encodeLabels(y, m.rows);
  const informative = informativeMask(raw.informative, m.cols);
  if (signal?.aborted) throw abortReason(signal);

  const prep = preprocess({ data: m.data, rows: m.rows, cols: m.cols }, { log: o.log, center: o.center, scale: o.scale, dtype: o.dtype });
  if (o.log && check.firstNonFinite(prep.data) >= 0) {
    throw nonFinite('opts.log produced non-finite values (log(|x + 1|) of an entry equal to -1); log is meant for counts');
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
      (f) => {
        // 'validation': the fold's training samples lose a stratified
        // hold-out that chooses the epoch; the test fold is never looked at.
        const split =
          o.epochSelection === 'validation'
            ? stratifiedHoldout(splits[f].train, codes, classes.length, o.validationFraction, o.seed + f)
            : { train: splits[f].train, holdout: new Int32Array(0) };
        return trainFold(
          data,
          split.train,
          splits[f].test,
          o,
          inner.signal,
          (e) => {
            completed++;
            const p: SaeProgress = { fold: f, folds: o.foldsToRun, ...e, completed, total };
            raw.onProgress?.(p);
          },
          split.holdout,
        );
      },
      (reason) => inner.abort(reason),
    );
    // Held-out predictions of each fold's kept network, for the metrics.
    const predictions = outcomes.map((out, f) => {
      const test = splits[f].test;
      const x = types.isFloat32Array(prep.data) ? new Float32Array(test.length * m.cols) : new Float64Array(test.length * m.cols);
      for (let r = 0; r < test.length; r++) x.set(prep.data.subarray(test[r] * m.cols, (test[r] + 1) * m.cols), r * m.cols);
      const { proba, cls } = predictEncoder(x, test.length, m.cols, out.encoder, o.hidden, classes.length);
      return { truth: Int32Array.from(test, (i) => codes[i]), cls, proba };
    });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    return summarize(
      outcomes,
      splits.slice(0, o.foldsToRun).map((s) => ({ train: s.train.length, test: s.test.length })),
      o.hidden,
      m.cols,
      o.zeroBelow,
      classes as Label[],
      informative,
      elapsed,
      { predictions, epochSelection: o.epochSelection, projection: o.projection, by: o.keep >= 0 ? 'keep' : 'eta' },
    );
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}
