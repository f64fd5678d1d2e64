// One fold of the supervised autoencoder on the libuv thread pool: the native
// trainer (native/core/sae) runs the whole fold on one worker thread, reports
// each epoch back to the event loop, and stops between batches when the
// AbortSignal fires.
import { types } from 'util';
import { native } from '../native';
import { nativeError, nonFinite, outOfMemory } from '../errors';
import { abortReason } from '../signal';
import type { FloatArray } from '../types';
import { EPOCH_SELECTION_CODE, PROJECTION_CODE, type ResolvedSaeOptions } from './options';

const STATUS_NON_FINITE = 1;
const STATUS_OUT_OF_MEMORY = 2;
const STATUS_ABORTED = 3;

/** The dataset the folds share: private arrays (nobody else can detach them while workers read). */
export interface TrainingData {
  x: FloatArray;
  samples: number;
  features: number;
  /** Class indices in [0, classes). */
  y: Int32Array;
  classes: number;
}

export interface EpochLog {
  phase: 1 | 2;
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export interface FoldOutcome {
  /** The phase the accuracies come from: 2 when a projection ran with phase 2 epochs, else 1. */
  reportedPhase: 1 | 2;
  /** 1-based epoch within the reported phase with the best test accuracy (the first of ties). */
  bestEpoch: number;
  bestAccuracy: number;
  lastAccuracy: number;
  zeroColumnsAfterProjection: number;
  /** W1 columns removed (every |w| < zeroBelow) at the kept epoch. */
  zeroColumns: number;
  /** The radius the projection used (opts.eta, or the radius that kept opts.keep columns). */
  eta: number;
  /** hidden x features, row-major (PyTorch's layout), at the kept epoch. */
  w1: FloatArray;
  /** W1, b1, W2, b2 of the kept epoch, in that order (what prediction needs). */
  encoder: FloatArray;
  epochs: EpochLog[];
}

/** Number of encoder parameters: W1 (h x m), b1 (h), W2 (k x h), b2 (k). */
export function encoderSize(features: number, hidden: number, classes: number): number {
  return hidden * features + hidden + classes * hidden + classes;
}

/**
 * Trains on `train`; `test` is evaluated after every epoch (and chooses the
 * kept epoch under 'test-fold'); `validation` chooses it under 'validation'.
 */
export async function trainFold(
  data: TrainingData,
  train: Int32Array,
  test: Int32Array,
  o: ResolvedSaeOptions,
  signal?: AbortSignal,
  onEpoch?: (e: EpochLog) => void,
  validation: Int32Array = new Int32Array(0),
): Promise<FoldOutcome> {
  signal?.throwIfAborted();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(flag, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  const size = encoderSize(data.features, o.hidden, data.classes);
  const encoder = types.isFloat32Array(data.x) ? new Float32Array(size) : new Float64Array(size);
  try {
    const r = await native.saeTrainFold(
      {
        hidden: o.hidden,
        classes: data.classes,
        phase1Epochs: o.phase1Epochs,
        phase2Epochs: o.phase2Epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        beta1: o.beta1,
        beta2: o.beta2,
        adamEps: o.adamEps,
        lossLambda: o.lossLambda,
        smoothL1Beta: o.smoothL1Beta,
        projection: PROJECTION_CODE[o.projection],
        eta: o.eta,
        keep: o.keep,
        epochSelection: EPOCH_SELECTION_CODE[o.epochSelection],
        projectBias: o.projectBias,
        projectW2: o.projectW2,
        pruneBelow: o.pruneBelow,
        maskBelow: o.maskBelow,
        zeroBelow: o.zeroBelow,
        seed: o.seed,
      },
      data.x,
      data.samples,
      data.features,
      data.y,
      train,
      validation,
      test,
      encoder,
      flag,
      onEpoch &&
        ((phase, epoch, trainLoss, trainAccuracy, testAccuracy) =>
          onEpoch({ phase: phase === 2 ? 2 : 1, epoch, trainLoss, trainAccuracy, testAccuracy })),
    );
    if (r.status === -STATUS_ABORTED || signal?.aborted) throw abortReason(signal);
    if (r.status === -STATUS_NON_FINITE) {
      throw nonFinite('The network weights became non-finite during training (try a smaller opts.learningRate)');
    }
    if (r.status === -STATUS_OUT_OF_MEMORY) throw outOfMemory('training the network');
    if (r.status !== 0) throw nativeError(`unexpected native status ${r.status}`);
    const raw = r.epochs as Float64Array;
    const epochs: EpochLog[] = [];
    for (let i = 0; i + 6 <= raw.length; i += 6) {
      epochs.push({ phase: raw[i] === 2 ? 2 : 1, epoch: raw[i + 1], trainLoss: raw[i + 2], trainAccuracy: raw[i + 3], testAccuracy: raw[i + 4] });
    }
    return {
      reportedPhase: r.reportedPhase === 2 ? 2 : 1,
      bestEpoch: r.bestEpoch as number,
      bestAccuracy: r.bestAccuracy as number,
      lastAccuracy: r.lastAccuracy as number,
      zeroColumnsAfterProjection: r.zeroColumnsAfterProjection as number,
      zeroColumns: r.zeroColumns as number,
      eta: r.eta as number,
      w1: encoder.slice(0, o.hidden * data.features),
      encoder,
      epochs,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
