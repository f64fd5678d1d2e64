// projectLayer: a Dense layer's kernel projected in place, in one call.
import * as check from '../validate';
import { denseKernel, type Axis, type LayerLike } from './kernel';
import type { Tf } from './peer';
import { checkSpec, projectKernel, type LayerProjection, type LayerProjectionResult } from './project';

export interface ProjectLayerOptions {
  /** Default 'bilevel-l1inf'. */
  projection?: LayerProjection;
  /** The radius of the ball. Exactly one of eta and keep. */
  eta?: number;
  /** Keep at most this many groups: the radius comes from radiusForKeep. */
  keep?: number;
  /**
   * Which groups may become zero: 'inputs' (default: the kernel's rows, i.e.
   * feature selection on the layer's inputs) or 'units' (its columns).
   */
  axis?: Axis;
}

export const PROJECT_LAYER_KEYS = ['projection', 'eta', 'keep', 'axis'] as const;

export function makeProjectLayer(tf: Tf) {
  /**
   * Projects the kernel of a built Dense layer in place: reads it (Float32),
   * projects it with this library's kernels (inputs are the kernel's rows),
   * and sets it back with layer.setWeights. No tensor is left behind.
   */
  return function projectLayer(layer: LayerLike, opts: ProjectLayerOptions): LayerProjectionResult {
    const o = check.options(opts, PROJECT_LAYER_KEYS);
    const k = denseKernel(layer, 'layer');
    const spec = checkSpec(o, 'opts')!;
    return projectKernel(tf, k, spec, spec.groups);
  };
}
