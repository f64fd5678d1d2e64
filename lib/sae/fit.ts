// fitSae: the recipe of selectFeatures trained once on every given sample,
// kept as a model that predicts, transforms and saves. With no test fold the
// kept epoch is the last one, or the best on a seeded stratified hold-out.
import * as os from 'os';
import { argumentError, invalidType, nonFinite } from '../errors';
import { abortReason, signalOf } from '../signal';
import type { Matrix } from '../types';
import * as check from '../validate';
import { encodeLabels, stratifiedHoldout } from './labels';
import type { FitSaeOptions, Label, SaeModel } from './model';
import { resolveSaeOptions, SAE_DEFAULTS, type SaeProgress } from './options';
import { preprocess } from './preprocess';
import { FittedSaeModel, rankFeatures } from './sae-model';
import { trainFold } from './train-fold';

/** Options fitSae knows: selectFeatures' training knobs, minus the cross-validation ones, plus its own. */
export const FIT_SAE_KEYS = [
  ...Object.keys(SAE_DEFAULTS).filter((k) => k !== 'folds'),
  'onProgress',
  'signal',
  'featureNames',
] as const;

/** Guard rails: a run that keeps nothing, or removes nothing, says so and names the knob. */
export function sparsityWarnings(kept: number, features: number, projection: string, by: 'eta' | 'keep'): string[] {
  const w: string[] = [];
  if (kept === 0) {
    w.push(
      by === 'keep'
        ? 'No feature was kept: every W1 column ended below opts.zeroBelow; raise opts.keep or lower opts.zeroBelow.'
        : 'No feature was kept: the radius is too small for this data; raise opts.eta, or give opts.keep (the number of features to keep) instead.',
    );
  } else if (projection !== 'none' && kept === features) {
    w.push(
      by === 'keep'
        ? 'The projection removed no feature: opts.keep is at least the number of features.'
        : 'The projection removed no feature: opts.eta is at least the norm of W1; lower opts.eta, or give opts.keep (the number of features to keep) instead.',
    );
  }
  return w;
}

function featureNamesOf(v: unknown, m: number): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalidType('opts.featureNames', 'an array of strings', v);
  if (v.length !== m) throw argumentError(`Expected opts.featureNames to have one name per column of X (${m}) but it has ${v.length}`);
  for (const [i, s] of v.entries()) check.string(s, `opts.featureNames[${i}]`);
  return [...(v as string[])];
}

/**
 * Trains the sparse supervised autoencoder on all of (X, y) and returns the
 * model. The same recipe and options as selectFeatures (keep or eta,
 * projection, seed, the training knobs, signal, onProgress), with
 * epochSelection 'last' (default) or 'validation' (best accuracy on a seeded
 * stratified hold-out of validationFraction of the samples, which are then
 * not trained on). Progress reports use fold 0 of 1; testAccuracy is 0 (there
 * is no test set).
 */
export async function fitSae(X: Matrix, y: Int32Array | number[] | string[], opts?: FitSaeOptions): Promise<SaeModel> {
  const raw = check.options(opts, FIT_SAE_KEYS);
  const m = check.matrix(X, 'X');
  if (raw.epochSelection === 'test-fold') {
    throw argumentError("fitSae has no test fold: opts.epochSelection must be 'last' or 'validation'");
  }
  const resolved = resolveSaeOptions(
    { ...raw, featureNames: undefined, epochSelection: raw.epochSelection ?? 'last' },
    1,
    'opts',
  );
  const o = { ...resolved, concurrency: 1 };
  const signal = signalOf(raw.signal);
  const onProgress = raw.onProgress === undefined ? undefined : check.func<(p: SaeProgress) => void>(raw.onProgress, 'opts.onProgress');
  const names = featureNamesOf(raw.featureNames, m.cols);
  const bad = check.firstNonFinite(m.data);
  if (bad >= 0) {
    throw nonFinite(`Expected finite entries in X.data but X.data[${bad}] (row ${Math.floor(bad / m.cols)}, column ${bad % m.cols}) is ${m.data[bad]}`);
  }
  if (m.cols < 1) throw argumentError('Expected at least one column (feature) in X');
  const { codes, classes } = encodeLabels(y, m.rows);
  if (signal?.aborted) throw abortReason(signal);

  const prep = preprocess({ data: m.data, rows: m.rows, cols: m.cols }, { log: o.log, center: o.center, scale: o.scale, dtype: o.dtype });
  if (o.log && check.firstNonFinite(prep.data) >= 0) {
    throw nonFinite('opts.log produced non-finite values (log(|x + 1|) of an entry equal to -1); log is meant for counts');
  }
  const all = Int32Array.from({ length: m.rows }, (_, i) => i);
  const split =
    o.epochSelection === 'validation'
      ? stratifiedHoldout(all, codes, classes.length, o.validationFraction, o.seed)
      : { train: all, holdout: new Int32Array(0) };
  if (split.train.length === 0) throw argumentError('Expected at least one training sample in X');
  const data = { x: prep.data, samples: m.rows, features: m.cols, y: codes, classes: classes.length };
  const total = o.phase1Epochs + (o.projection === 'none' ? 0 : o.phase2Epochs);
  let completed = 0;
  const outcome = await trainFold(
    data,
    split.train,
    new Int32Array(0),
    o,
    signal,
    onProgress && ((e) => onProgress({ fold: 0, folds: 1, ...e, completed: ++completed, total })),
    split.holdout,
  );
  const { selected, ranking } = rankFeatures(outcome.w1, o.hidden, m.cols, o.zeroBelow, names);
  const warnings = sparsityWarnings(selected.length, m.cols, o.projection, o.keep >= 0 ? 'keep' : 'eta');
  return new FittedSaeModel({
    dtype: o.dtype,
    features: m.cols,
    hidden: o.hidden,
    classes: classes as Label[],
    featureNames: names,
    selected,
    ranking,
    preprocess: { log: o.log, mean: prep.mean, std: prep.std },
    encoder: outcome.encoder,
    training: {
      projection: o.projection,
      eta: outcome.eta,
      ...(o.keep >= 0 ? { keep: o.keep } : {}),
      epochSelection: o.epochSelection,
      epoch: outcome.bestEpoch,
      phase: outcome.reportedPhase,
      seed: o.seed,
    },
    warnings,
  });
}

/** The machine's parallelism (for the folds of selectFeatures). */
export function cpuCount(): number {
  const f = (os as { availableParallelism?: () => number }).availableParallelism;
  return Math.max(1, f ? f() : os.cpus().length);
}
