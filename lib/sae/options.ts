// The options of selectFeatures and of the SAE trainer: defaults (the paper's
// recipe, docs/sae-recipe.md) and validation with errors that name the
// option and what it received, before any work starts.
import type { NativeOp } from '../../binding';
import { argumentError } from '../errors';
import { native } from '../native';
import * as check from '../validate';

export type SaeProjection = 'bilevel-l1inf' | 'bilevel-l11' | 'bilevel-l12' | 'l1inf' | 'none';

export const SAE_PROJECTIONS: readonly SaeProjection[] = ['bilevel-l1inf', 'bilevel-l11', 'bilevel-l12', 'l1inf', 'none'];

/** The core's operation behind each projection (the addon's table), or null for none. */
export const PROJECTION_CODE: Record<SaeProjection, NativeOp | null> = {
  none: null,
  'bilevel-l1inf': native.operations.bilevelL1Inf,
  'bilevel-l11': native.operations.bilevelL11,
  'bilevel-l12': native.operations.bilevelL12,
  l1inf: native.operations.exactStream, // the default exact method (DEFAULT_EXACT_METHOD)
};

/** Reported after every epoch of every fold. */
export interface SaeProgress {
  /** 0-based fold index. */
  fold: number;
  folds: number;
  /** 1: unconstrained training; 2: after the projection (masked). */
  phase: 1 | 2;
  /** 1-based within the phase. */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Epochs finished over all folds, and the total to run. */
  completed: number;
  total: number;
}

export interface SaeOptions {
  /** The constraint on W1, applied once at the end of phase 1. Default 'bilevel-l1inf'. */
  projection?: SaeProjection;
  /**
   * Radius of the projection, in the projection's own norm (the same eta
   * means different sparsity for different projections). Default 1.
   * Exclusive with keep.
   */
  eta?: number;
  /**
   * Keep this many input features: W1 is projected at the radius that keeps
   * exactly keep columns (radiusForKeep, computed on each fold's W1 when the
   * projection happens). Exclusive with eta; needs a projection.
   */
  keep?: number;
  /**
   * Which epoch's weights each fold keeps, within the reported phase:
   * 'test-fold' (default for selectFeatures: the authors' protocol, the best
   * test accuracy, optimistic), 'validation' (best accuracy on a seeded,
   * stratified hold-out of validationFraction of the training samples;
   * honest), 'last' (the last epoch; honest). fitSae has no test fold and
   * defaults to 'last'.
   */
  epochSelection?: 'test-fold' | 'validation' | 'last';
  /** Fraction of the training samples held out for epochSelection 'validation'. Default 0.2. */
  validationFraction?: number;
  /** Cross-validation folds (KFold with numpy-compatible shuffling). Default 4. */
  folds?: number;
  /**
   * Train only the first foldsToRun folds of the KFold(folds) split (same
   * train/test sizes as the full run, fewer runs: for quick sweeps). Default: all.
   */
  foldsToRun?: number;
  /** KFold's random_state and the seed of weight init and batch shuffling. Default 5 (the authors'). */
  seed?: number;
  /** Hidden units of the encoder and decoder. Default 100. */
  hidden?: number;
  /** Epochs of phase 1 (unconstrained). Default 30. */
  phase1Epochs?: number;
  /** Epochs of phase 2 (after the projection; not run with projection 'none'). Default 30. */
  phase2Epochs?: number;
  /** Default 4. */
  batchSize?: number;
  /** Adam's learning rate. Default 5e-4. */
  learningRate?: number;
  /** Adam's betas and epsilon. Defaults 0.9, 0.999, 1e-8. */
  beta1?: number;
  beta2?: number;
  adamEps?: number;
  /** Weight of the reconstruction loss (SmoothL1, summed). Default 5e-5. */
  lossLambda?: number;
  /** SmoothL1's beta. Default 1. */
  smoothL1Beta?: number;
  /** Also project the first-layer bias and W2, as the authors do. Defaults true. */
  projectBias?: boolean;
  projectW2?: boolean;
  /** Phase 2 starts by zeroing |w| below this in W1 and W2. Default 1e-3. */
  pruneBelow?: number;
  /** Phase 2 gives no gradient to |w| below this in W1 and W2. Default 1e-4. */
  maskBelow?: number;
  /** A W1 column whose entries are all below this in magnitude counts as removed. Default 1e-3. */
  zeroBelow?: number;
  /** Arithmetic of the trainer. Default 'float32' (PyTorch's). */
  dtype?: 'float32' | 'float64';
  /** Preprocessing, on the whole dataset before splitting (as the authors): x <- log(|x + 1|) first (for counts). Default false. */
  log?: boolean;
  /** Centre each feature. Default true. */
  center?: boolean;
  /** Scale each feature to unit (population) variance. Default true. */
  scale?: boolean;
  /** Folds trained at once, each on its own thread-pool thread. Default min(folds, CPU count). */
  concurrency?: number;
  /** Ground truth, when known: informative[j] truthy where feature j is informative. Adds recall to the result. */
  informative?: ArrayLike<number | boolean>;
  onProgress?: (p: SaeProgress) => void;
  signal?: AbortSignal;
}

export interface ResolvedSaeOptions {
  projection: SaeProjection;
  eta: number;
  /** -1 when the radius is eta. */
  keep: number;
  epochSelection: 'test-fold' | 'validation' | 'last';
  validationFraction: number;
  folds: number;
  foldsToRun: number;
  seed: number;
  hidden: number;
  phase1Epochs: number;
  phase2Epochs: number;
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  lossLambda: number;
  smoothL1Beta: number;
  projectBias: boolean;
  projectW2: boolean;
  pruneBelow: number;
  maskBelow: number;
  zeroBelow: number;
  dtype: 'float32' | 'float64';
  log: boolean;
  center: boolean;
  scale: boolean;
  concurrency: number;
}

/** The native code of each epochSelection (native/core/sae/trainer.hpp). */
export const EPOCH_SELECTION_CODE = { 'test-fold': 0, validation: 1, last: 2 } as const;

const byCode = <K extends string, C>(codes: Record<K, C>, code: C): K => (Object.keys(codes) as K[]).find((k) => codes[k] === code) as K;

// The trainer's knobs are defined once, with their defaults, in TrainConfig
// (native/core/sae/trainer.hpp); the binding hands them out under these very
// option names. Only what never reaches the trainer (folds, preprocessing,
// arithmetic, the validation split) has its default here.
const trainer = native.saeDefaults();

/** The paper's recipe (docs/sae-recipe.md). */
export const SAE_DEFAULTS: Omit<ResolvedSaeOptions, 'concurrency' | 'foldsToRun'> = {
  projection: byCode(PROJECTION_CODE, trainer.projection),
  eta: trainer.eta,
  keep: trainer.keep,
  epochSelection: byCode(EPOCH_SELECTION_CODE, trainer.epochSelection),
  validationFraction: 0.2,
  folds: 4,
  seed: trainer.seed,
  hidden: trainer.hidden,
  phase1Epochs: trainer.phase1Epochs,
  phase2Epochs: trainer.phase2Epochs,
  batchSize: trainer.batchSize,
  learningRate: trainer.learningRate,
  beta1: trainer.beta1,
  beta2: trainer.beta2,
  adamEps: trainer.adamEps,
  lossLambda: trainer.lossLambda,
  smoothL1Beta: trainer.smoothL1Beta,
  projectBias: trainer.projectBias,
  projectW2: trainer.projectW2,
  pruneBelow: trainer.pruneBelow,
  maskBelow: trainer.maskBelow,
  zeroBelow: trainer.zeroBelow,
  dtype: 'float32',
  log: false,
  center: true,
  scale: true,
};

const KNOWN = [...Object.keys(SAE_DEFAULTS), 'concurrency', 'foldsToRun', 'informative', 'onProgress', 'signal'];

const integer = (v: unknown, name: string, min: number, max = 2 ** 31 - 1) => check.integer(v, name, min, max);
const bool = (v: unknown, name: string) => check.boolean(v, name);
const oneOf = <T extends string>(v: unknown, name: string, allowed: readonly T[]) => check.oneOf(v, allowed, name);

/**
 * Checks every option (unknown names included: a typo must not silently fall
 * back to a default) and fills in the defaults. `cpus` bounds the default
 * concurrency.
 */
export function resolveSaeOptions(opts: unknown, cpus: number, name = 'opts', extra: readonly string[] = []): ResolvedSaeOptions {
  const known = [...KNOWN, ...extra];
  const o = check.options(opts, known, name) as Record<string, unknown>;
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  const d = SAE_DEFAULTS;
  const pick = <T>(k: string, f: (v: unknown, n: string) => T, dflt: T): T => (o[k] === undefined ? dflt : f(o[k], `${name}.${k}`));
  const positive = (v: unknown, n: string) => check.finite(v, n, 0, Infinity, { min: true });
  const nonNegative = (v: unknown, n: string) => check.finite(v, n, 0);
  const unit = (v: unknown, n: string) => check.finite(v, n, 0, 1, { max: true });
  check.exclusive(o.eta, o.keep, `${name}.eta`, `${name}.keep`);
  const folds = pick('folds', (v, n) => integer(v, n, 2), d.folds);
  const r: ResolvedSaeOptions = {
    projection: pick('projection', (v, n) => oneOf(v, n, SAE_PROJECTIONS), d.projection),
    eta: pick('eta', nonNegative, d.eta),
    keep: pick('keep', (v, n) => integer(v, n, 0), d.keep),
    epochSelection: pick('epochSelection', (v, n) => oneOf(v, n, ['test-fold', 'validation', 'last'] as const), d.epochSelection),
    validationFraction: pick('validationFraction', (v, n) => check.finite(v, n, 0, 1, { min: true, max: true }), d.validationFraction),
    folds,
    foldsToRun: pick('foldsToRun', (v, n) => integer(v, n, 1, folds), folds),
    seed: pick('seed', (v, n) => integer(v, n, 0, 0xffffffff), d.seed),
    hidden: pick('hidden', (v, n) => integer(v, n, 1, 1 << 20), d.hidden),
    phase1Epochs: pick('phase1Epochs', (v, n) => integer(v, n, 0, 1e6), d.phase1Epochs),
    phase2Epochs: pick('phase2Epochs', (v, n) => integer(v, n, 0, 1e6), d.phase2Epochs),
    batchSize: pick('batchSize', (v, n) => integer(v, n, 1, 1 << 20), d.batchSize),
    learningRate: pick('learningRate', positive, d.learningRate),
    beta1: pick('beta1', unit, d.beta1),
    beta2: pick('beta2', unit, d.beta2),
    adamEps: pick('adamEps', positive, d.adamEps),
    lossLambda: pick('lossLambda', nonNegative, d.lossLambda),
    smoothL1Beta: pick('smoothL1Beta', positive, d.smoothL1Beta),
    projectBias: pick('projectBias', bool, d.projectBias),
    projectW2: pick('projectW2', bool, d.projectW2),
    pruneBelow: pick('pruneBelow', nonNegative, d.pruneBelow),
    maskBelow: pick('maskBelow', nonNegative, d.maskBelow),
    zeroBelow: pick('zeroBelow', nonNegative, d.zeroBelow),
    dtype: pick('dtype', (v, n) => oneOf(v, n, ['float32', 'float64'] as const), d.dtype),
    log: pick('log', bool, d.log),
    center: pick('center', bool, d.center),
    scale: pick('scale', bool, d.scale),
    concurrency: 1,
  };
  r.concurrency = pick('concurrency', (v, n) => integer(v, n, 1, 64), Math.max(1, Math.min(r.foldsToRun, cpus)));
  if (o.onProgress !== undefined) check.func(o.onProgress, `${name}.onProgress`);
  if (r.keep >= 0 && r.projection === 'none') {
    throw argumentError(`${name}.keep needs a projection: ${name}.projection is 'none', which keeps every feature`);
  }
  if (o.validationFraction !== undefined && r.epochSelection !== 'validation') {
    throw argumentError(`${name}.validationFraction is only used with ${name}.epochSelection 'validation' (got '${r.epochSelection}')`);
  }
  return r;
}
