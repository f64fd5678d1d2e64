// One fold of the supervised autoencoder on the libuv thread pool: the native
// trainer (native/core/sae) runs the whole fold on one worker thread, reports
// each epoch back to the event loop, and stops between batches when the
// AbortSignal fires.
import { types } from 'util';
import { native } from '../native';
import { abortReason } from '../signal';
import type { FloatArray } from '../types';
import { PROJECTION_CODE, type ResolvedSaeOptions } from './options';

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
  /** W1 columns removed (every |w| < zeroBelow) at the best epoch. */
  zeroColumns: number;
  /** hidden x features, row-major (PyTorch's layout), at the best epoch. */
  w1: FloatArray;
  epochs: EpochLog[];
}

export async function trainFold(
  data: TrainingData,
  train: Int32Array,
  test: Int32Array,
  o: ResolvedSaeOptions,
  signal?: AbortSignal,
  onEpoch?: (e: EpochLog) => void,
): Promise<FoldOutcome> {
  signal?.throwIfAborted();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(flag, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  const w1 = types.isFloat32Array(data.x) ? new Float32Array(o.hidden * data.features) : new Float64Array(o.hidden * data.features);
  try {
    const r = await native.saeTrainFold(
      {
        hidden: o.hidden,
        classes: data.classes,
        epochs1: o.phase1Epochs,
        epochs2: o.phase2Epochs,
        batch: o.batchSize,
        lr: o.learningRate,
        beta1: o.beta1,
        beta2: o.beta2,
        eps: o.adamEps,
        lambda: o.lossLambda,
        smoothBeta: o.smoothL1Beta,
        projection: PROJECTION_CODE[o.projection],
        eta: o.eta,
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
      test,
      w1,
      flag,
      onEpoch &&
        ((phase, epoch, trainLoss, trainAccuracy, testAccuracy) =>
          onEpoch({ phase: phase === 2 ? 2 : 1, epoch, trainLoss, trainAccuracy, testAccuracy })),
    );
    if (r.status === -STATUS_ABORTED || signal?.aborted) throw abortReason(signal);
    if (r.status === -STATUS_NON_FINITE) {
      throw new RangeError('The network weights became non-finite during training (try a smaller opts.learningRate)');
    }
    if (r.status === -STATUS_OUT_OF_MEMORY) throw new RangeError('Not enough memory to train the network');
    if (r.status !== 0) throw new Error(`bilevel-projection: unexpected native status ${r.status}`);
    const raw = r.epochs as Float64Array;
    const epochs: EpochLog[] = [];
    for (let i = 0; i + 5 <= raw.length; i += 5) {
      epochs.push({ phase: raw[i] === 2 ? 2 : 1, epoch: raw[i + 1], trainLoss: raw[i + 2], trainAccuracy: raw[i + 3], testAccuracy: raw[i + 4] });
    }
    return {
      reportedPhase: r.reportedPhase === 2 ? 2 : 1,
      bestEpoch: r.bestEpoch as number,
      bestAccuracy: r.bestAccuracy as number,
      lastAccuracy: r.lastAccuracy as number,
      zeroColumnsAfterProjection: r.zeroColumnsAfterProjection as number,
      zeroColumns: r.zeroColumns as number,
      w1,
      epochs,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
