// A tfjs Dense layer's kernel as this library's matrix, and back. tfjs stores
// a Dense kernel as [inputDim, units], row-major: row i holds the weights
// leaving input i, so an input is a row (groups: 'rows') and a unit is a
// column (groups: 'columns'); PyTorch's Linear is the transpose ([out, in]).
import type { Tensor } from '@tensorflow/tfjs';
import { argumentError, invalidType } from '../errors';
import type { Groups, Matrix } from '../types';
import type { Tf } from './peer';

/** Which groups of the kernel a projection may zero: its inputs (rows) or its units (columns). */
export type Axis = 'inputs' | 'units';

export const AXES: readonly Axis[] = ['inputs', 'units'];

export function groupsOf(axis: Axis): Groups {
  return axis === 'inputs' ? 'rows' : 'columns';
}

/**
 * What this module uses of a tfjs layer. Any `tf.layers.Layer` fits it; only
 * a built Dense layer passes `denseLayer`.
 */
export interface LayerLike {
  readonly name: string;
  getClassName(): string;
}

/** The parts of a built Dense layer used here (tfjs keeps `kernel` protected, but public at run time). */
interface DenseInternals extends LayerLike {
  kernel?: unknown;
  readonly weights: unknown[];
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
}

function isLayerLike(v: unknown): v is LayerLike {
  return typeof v === 'object' && v !== null && typeof (v as LayerLike).getClassName === 'function';
}

/** A Dense layer object (built or not): a TypeError naming `name` otherwise. */
export function checkDenseClass(v: unknown, name: string): LayerLike {
  if (!isLayerLike(v)) throw invalidType(name, 'a tfjs Dense layer (tf.layers.dense)', v);
  const cls = v.getClassName();
  if (cls !== 'Dense') {
    throw argumentError(`Expected a tfjs Dense layer for ${name} but received a ${cls} layer ('${v.name}'); only Dense kernels are [inputs, units] matrices`, 'type');
  }
  return v;
}

export interface DenseKernel {
  layer: DenseInternals;
  /** Where the kernel sits in layer.getWeights(). */
  index: number;
  rows: number;
  cols: number;
}

/** A built Dense layer with a float32 rank-2 kernel: a TypeError naming `name` otherwise. */
export function denseKernel(v: unknown, name: string): DenseKernel {
  const layer = checkDenseClass(v, name) as DenseInternals;
  const index = layer.kernel === undefined || layer.kernel === null ? -1 : layer.weights.indexOf(layer.kernel);
  if (index < 0) {
    throw argumentError(`The Dense layer '${layer.name}' given as ${name} has no kernel yet: build it first (add it to a model with an input shape, or call model.build / layer.apply)`, 'type');
  }
  const shape = (layer.kernel as { shape?: unknown }).shape;
  const dtype = (layer.kernel as { dtype?: unknown }).dtype;
  if (!Array.isArray(shape) || shape.length !== 2 || dtype !== 'float32') {
    throw argumentError(`The kernel of the Dense layer '${layer.name}' given as ${name} is not a float32 matrix (shape ${JSON.stringify(shape)}, dtype ${String(dtype)})`, 'type');
  }
  return { layer, index, rows: shape[0] as number, cols: shape[1] as number };
}

/**
 * The kernel's entries as a Float32 matrix, to be READ only: on the CPU
 * backend `dataSync()` hands out the variable's own storage, which must never
 * be written behind tfjs's back. No copy, no tensor.
 */
export function readKernel(k: DenseKernel): Matrix<Float32Array> {
  const weights = k.layer.getWeights(); // the variables' own tensors: not to be disposed
  const values = weights[k.index].dataSync();
  return { data: values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>), rows: k.rows, cols: k.cols };
}

/**
 * Sets the kernel to `data` through layer.setWeights (so that a kernel
 * constraint the user set still applies) and disposes the one tensor it made:
 * the variable keeps its own reference, so tf.memory().numTensors is unchanged.
 */
export function writeKernel(tf: Tf, k: DenseKernel, data: Float32Array): void {
  const weights = k.layer.getWeights();
  const t = tf.tensor(data, [k.rows, k.cols], 'float32');
  try {
    weights[k.index] = t;
    k.layer.setWeights(weights);
  } finally {
    t.dispose();
  }
}

/**
 * Indices of the groups of m with a nonzero entry, ascending. A group whose
 * radius is 0 is zero (every projection here scales or clips it to 0), so
 * only groups with a positive radius are scanned, and a scan stops at the
 * first nonzero entry: about one entry per kept group instead of the matrix.
 */
export function nonzeroGroups(m: Matrix<Float32Array>, groups: Groups, radii?: Float64Array): Int32Array {
  const { data, rows, cols } = m;
  const n = groups === 'rows' ? rows : cols;
  const candidate = (g: number) => radii === undefined || radii.length !== n || radii[g] !== 0;
  if (groups === 'rows') {
    const kept: number[] = [];
    for (let i = 0; i < rows; i++) {
      if (!candidate(i)) continue;
      for (let j = i * cols, end = j + cols; j < end; j++) {
        if (data[j] !== 0) {
          kept.push(i);
          break;
        }
      }
    }
    return Int32Array.from(kept);
  }
  let open: number[] = [];
  for (let j = 0; j < cols; j++) if (candidate(j)) open.push(j);
  const alive = new Uint8Array(cols);
  for (let i = 0; i < rows && open.length > 0; i++) {
    const o = i * cols;
    const still: number[] = [];
    for (const j of open) {
      if (data[o + j] !== 0) alive[j] = 1;
      else still.push(j);
    }
    open = still;
  }
  const kept: number[] = [];
  for (let j = 0; j < cols; j++) if (alive[j]) kept.push(j);
  return Int32Array.from(kept);
}

/** Zeroes the groups of m whose flag in `zero` is set (in place). */
export function zeroGroups(m: Matrix<Float32Array>, groups: Groups, zero: Uint8Array): void {
  const { data, rows, cols } = m;
  if (groups === 'rows') {
    for (let i = 0; i < rows; i++) if (zero[i]) data.fill(0, i * cols, (i + 1) * cols);
    return;
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0, o = i * cols; j < cols; j++) if (zero[j]) data[o + j] = 0;
  }
}
