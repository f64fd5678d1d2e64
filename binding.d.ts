// Types of the native module built from native/binding. Private: lib/ is the
// only public surface, and validates every argument before calling in here.

export type NativeFloatArray = Float32Array | Float64Array;

/**
 * The operations of `project`, by the names of the core's table
 * (native/core/operations.hpp). Their numbers are not written here: the
 * addon exports them at load as `operations`.
 */
export type NativeOperationName =
  | 'bilevelL1Inf'
  | 'bilevelL11'
  | 'bilevelL12'
  | 'exactNewton' // exact l1,inf, semismooth Newton
  | 'exactSort' // exact l1,inf, sort
  | 'proxNewton' // prox of the l_inf,1 norm, Newton
  | 'proxSort' // prox of the l_inf,1 norm, sort
  | 'exactStream' // exact l1,inf, Newton on streaming passes
  | 'proxStream'; // prox of the l_inf,1 norm, streaming Newton

/** An operation number: only ever read from `NativeBinding.operations`, never written as a literal. */
export type NativeOp = number & { readonly __nativeOp: never };

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
  /** The core's operation table, name -> number (frozen). */
  readonly operations: Readonly<Record<NativeOperationName, NativeOp>>;
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
  /**
   * Benchmark hooks for bench/ (not public API): present only in an addon
   * built with -DBP_BENCH_HOOKS=ON (bench/run.mjs builds one in build-bench/),
   * never in a prebuild or an install from source.
   */
  readonly bench?: {
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
   * onEpoch runs on the main thread after each epoch. On status 0,
   * outEncoder (x's type, hidden * features + hidden + classes * hidden +
   * classes) holds W1, b1, W2, b2 of the kept epoch (config.epochSelection).
   */
  saeTrainFold(
    config: NativeSaeConfig,
    x: NativeFloatArray,
    samples: number,
    features: number,
    y: Int32Array,
    train: Int32Array,
    validation: Int32Array,
    test: Int32Array,
    outEncoder: NativeFloatArray,
    flag: Int32Array,
    onEpoch: ((phase: number, epoch: number, trainLoss: number, trainAccuracy: number, testAccuracy: number) => void) | undefined,
  ): Promise<NativeSaeFoldResult>;
  /** TrainConfig's defaults, under the option names of NativeSaeConfig. */
  saeDefaults(): NativeSaeConfig;
  /** Class probabilities (samples x classes) and classes of an encoder; returns 0 or -status. */
  saePredict(
    x: NativeFloatArray,
    samples: number,
    features: number,
    encoder: NativeFloatArray,
    hidden: number,
    classes: number,
    outProba: Float64Array,
    outClass: Int32Array,
  ): number;
  readonly napiVersion: number;
  /** The split steps (native/binding/split_binding.cc). kind: 0 linf, 1 l1, 2 l2. Writes out; returns 0 or -status. */
  groupNorms(kind: 0 | 1 | 2, y: NativeFloatArray, rows: number, cols: number, groups: NativeGroups, out: Float64Array): number;
  /** groupNorms on the libuv thread pool; flag[0] != 0 before it starts gives -3. */
  groupNormsAsync(kind: 0 | 1 | 2, y: NativeFloatArray, rows: number, cols: number, groups: NativeGroups, out: Float64Array, flag: Int32Array): Promise<number>;
  /** out[j] = max / sum / hypot of a[j] and b[j] (kind 0 / 1 / 2); all the same length. */
  combineGroupNorms(kind: 0 | 1 | 2, a: Float64Array, b: Float64Array, out: Float64Array): void;
  /** Writes the radii into out; returns the threshold (>= 0) or -status. */
  bilevelRadii(norms: Float64Array, eta: number, out: Float64Array): number;
  /**
   * kind 0 clip (l1,inf), 1 scale (l1,2; norms required), 2 l1-ball soft threshold per group (l1,1; whole groups,
   * norms and mx unused). mx: the groups' maxima, for an exact
   * zero count (undefined: groups whose parameter is 0). Returns zeroGroups or -status.
   */
  applyRadii(kind: 0 | 1 | 2, y: NativeFloatArray, rows: number, cols: number, groups: NativeGroups, radii: Float64Array,
    norms: Float64Array | undefined, mx: Float64Array | undefined, out: NativeFloatArray): number;
  applyRadiiAsync(kind: 0 | 1 | 2, y: NativeFloatArray, rows: number, cols: number, groups: NativeGroups, radii: Float64Array,
    norms: Float64Array | undefined, mx: Float64Array | undefined, out: NativeFloatArray, flag: Int32Array): Promise<number>;
  /** out[0] = count, out[1] = sum of the |v_i| > tau; returns 0, or -1 if v holds a NaN. */
  l1BallThresholdStats(v: NativeFloatArray, tau: number, out: Float64Array): number;
}

/**
 * Configuration of saeTrainFold: the fields of TrainConfig
 * (native/core/sae/trainer.hpp) under the names of their options in
 * lib/sae/options.ts; saeDefaults() returns their defaults.
 */
export interface NativeSaeConfig {
  hidden: number;
  classes: number;
  phase1Epochs: number;
  phase2Epochs: number;
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  lossLambda: number;
  smoothL1Beta: number;
  /** A number of `operations`, or null for none (the unconstrained baseline). */
  projection: NativeOp | null;
  eta: number;
  /** -1: project at eta; k >= 0: at the radius that keeps k W1 columns. */
  keep: number;
  /** 0 test fold, 1 validation, 2 last. */
  epochSelection: 0 | 1 | 2;
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
  /** The radius the projection used. */
  eta?: number;
  /** 6 numbers per epoch: phase, epoch, train loss, train accuracy, test accuracy, validation accuracy. */
  epochs?: Float64Array;
}
