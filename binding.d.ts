// Types of the native module built from native/binding. Private: lib/ is the
// only public surface, and validates every argument before calling in here.

export type NativeFloatArray = Float32Array | Float64Array;

/** Operation numbers of `project`; keep in step with native/binding/operations.h. */
export type NativeOp =
  | 0 // bilevel l1,inf
  | 1 // bilevel l1,1
  | 2 // bilevel l1,2
  | 3 // exact l1,inf, semismooth Newton
  | 4 // exact l1,inf, sort
  | 5 // prox of the l_inf,1 norm, Newton
  | 6; // prox of the l_inf,1 norm, sort

/** 0 = groups are columns, 1 = groups are rows. */
export type NativeGroups = 0 | 1;

/** Norm numbers of `norm`: l1inf, l11, l12, linf1. */
export type NativeNorm = 0 | 1 | 2 | 3;

/** The arguments of every projection entry point, in the binding's order. */
export type NativeProjectArgs = [
  op: NativeOp,
  y: NativeFloatArray,
  rows: number,
  cols: number,
  groups: NativeGroups,
  eta: number,
  out: NativeFloatArray,
  radii: Float64Array,
];

/** Negative return values are -status: 1 non-finite entry, 2 out of memory, 3 aborted. */
export interface NativeBinding {
  /** Writes out and radii; returns the number of all-zero groups, or -status. */
  project(...args: NativeProjectArgs): number;
  /**
   * `project` on the libuv thread pool. Every array passed is held until the
   * Promise settles; the caller must pass only memory nobody else can detach
   * or shrink meanwhile. Setting flag[0] to non-zero (Atomics.store) asks the
   * worker to stop: before it starts, or between Newton iterations (-3).
   */
  projectAsync(...args: [...NativeProjectArgs, flag: Int32Array]): Promise<number>;
  /** Writes out; returns 0 or -status. */
  projectL1Ball(v: NativeFloatArray, eta: number, out: NativeFloatArray): number;
  /** Returns the norm (>= 0) or -status. */
  norm(kind: NativeNorm, y: NativeFloatArray, rows: number, cols: number, groups: NativeGroups): number;
  /**
   * The largest radius whose projection keeps at most `keep` groups
   * (projection 0 bilevel l1,inf, 1 bilevel l1,1, 2 bilevel l1,2, 3 exact
   * l1,inf), or -status.
   */
  radiusForKeep(projection: 0 | 1 | 2 | 3, y: NativeFloatArray, rows: number, cols: number, groups: NativeGroups, keep: number): number;
  isDetached(a: ArrayBufferView): boolean;
  /** 0: disjoint memory, 1: the same bytes, 2: partly shared (compares addresses). */
  memoryOverlap(a: NativeFloatArray, b: NativeFloatArray): 0 | 1 | 2;
  /** Hints that a just-allocated, untouched array be backed by huge pages (Linux; large arrays only). */
  adviseFreshArray(a: NativeFloatArray): void;
  /** The kernels' thread limit before the call; sets it when n is given (0: the default). */
  threads(n?: number): number;
  /** Benchmark hooks for bench/ (not public API). */
  readonly bench: {
    /** Sum of a: a vectorised read-only pass, the floor of any kernel that reads a. */
    readPass(a: NativeFloatArray): number;
    /** Mean nanoseconds per call of the kernel alone, timed inside C++ over reps calls. */
    timeKernel(...args: [...NativeProjectArgs, reps: number]): number;
  };
  /**
   * One fold of the supervised autoencoder (native/core/sae) on the libuv
   * thread pool. Every array is held until the Promise settles; the caller
   * must pass only private memory nobody can detach or shrink meanwhile.
   * flag[0] != 0 (Atomics.store) stops it between batches (status -3).
   * onEpoch runs on the main thread after each epoch. On status 0, outW1
   * (x's type, hidden * features, row-major hidden x features) holds the
   * best epoch's first-layer weights.
   */
  saeTrainFold(
    config: NativeSaeConfig,
    x: NativeFloatArray,
    samples: number,
    features: number,
    y: Int32Array,
    train: Int32Array,
    test: Int32Array,
    outW1: NativeFloatArray,
    flag: Int32Array,
    onEpoch: ((phase: number, epoch: number, trainLoss: number, trainAccuracy: number, testAccuracy: number) => void) | undefined,
  ): Promise<NativeSaeFoldResult>;
  readonly napiVersion: number;
}

/** Configuration of saeTrainFold; keep in step with native/binding/sae_binding.cc. */
export interface NativeSaeConfig {
  hidden: number;
  classes: number;
  epochs1: number;
  epochs2: number;
  batch: number;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  lambda: number;
  smoothBeta: number;
  /** 0 none, 1 bilevel l1,inf, 2 bilevel l1,1, 3 bilevel l1,2, 4 exact l1,inf. */
  projection: 0 | 1 | 2 | 3 | 4;
  eta: number;
  projectBias: boolean;
  projectW2: boolean;
  pruneBelow: number;
  maskBelow: number;
  zeroBelow: number;
  seed: number;
}

/** status 0 or -code (1 non-finite, 2 out of memory, 3 aborted); the rest only when status is 0. */
export interface NativeSaeFoldResult {
  status: number;
  reportedPhase?: number;
  bestEpoch?: number;
  bestAccuracy?: number;
  lastAccuracy?: number;
  zeroColumnsAfterProjection?: number;
  zeroColumns?: number;
  /** 5 numbers per epoch: phase, epoch, train loss, train accuracy, test accuracy. */
  epochs?: Float64Array;
}
