// One projection of a Dense kernel, shared by projectLayer and the training
// callback: options checked once, then read -> (mask) -> project -> write.
import * as main from '../index';
import { argumentError, ensureCode, nonFinite } from '../errors';
import { allocate } from '../memory';
import type { Groups, Matrix } from '../types';
import * as check from '../validate';
import { AXES, groupsOf, nonzeroGroups, readKernel, writeKernel, zeroGroups, type Axis, type DenseKernel } from './kernel';
import type { Tf } from './peer';

/** The projections a layer can be given: the paper's three bilevel ones and the exact l1,inf. */
export type LayerProjection = 'bilevel-l1inf' | 'bilevel-l11' | 'bilevel-l12' | 'l1inf';

export const LAYER_PROJECTIONS: readonly LayerProjection[] = ['bilevel-l1inf', 'bilevel-l11', 'bilevel-l12', 'l1inf'];

/** What to project with: a radius, or the number of groups to keep. */
export interface ProjectionSpec {
  projection: LayerProjection;
  /** Exactly one of eta and keep is set. */
  eta?: number;
  keep?: number;
  axis: Axis;
  groups: Groups;
}

/** Checks projection / eta / keep / axis of an options snapshot; `optional` allows neither eta nor keep. */
export function checkSpec(
  o: check.OptionValues<'projection' | 'eta' | 'keep' | 'axis'>,
  name: string,
  optional = false,
): ProjectionSpec | undefined {
  const projection = o.projection === undefined ? 'bilevel-l1inf' : check.oneOf(o.projection, LAYER_PROJECTIONS, `${name}.projection`);
  const axis = o.axis === undefined ? 'inputs' : check.oneOf(o.axis, AXES, `${name}.axis`);
  check.exclusive(o.eta, o.keep, `${name}.eta`, `${name}.keep`);
  if (o.eta === undefined && o.keep === undefined) {
    if (optional) return undefined;
    throw argumentError(`Expected ${name}.eta (a radius) or ${name}.keep (how many groups to keep) but received neither`, 'type');
  }
  const spec: ProjectionSpec = { projection, axis, groups: groupsOf(axis) };
  if (o.eta !== undefined) spec.eta = check.radius(o.eta, `${name}.eta`);
  else spec.keep = check.integer(o.keep, `${name}.keep`, 0);
  return spec;
}

/** The radius that keeps `keep` groups of this kernel, by the main entry's radiusForKeep. */
function radiusFor(m: Matrix<Float32Array>, spec: ProjectionSpec): number {
  return main.radiusForKeep(m, spec.keep!, { projection: spec.projection, groups: spec.groups });
}

/** Projects y into out (which may be y.data) onto the ball of radius eta; returns the radii. */
function projectInto(y: Matrix<Float32Array>, out: Float32Array, spec: ProjectionSpec, eta: number): Float64Array {
  const opts = { groups: spec.groups, out };
  switch (spec.projection) {
    case 'bilevel-l1inf':
      return main.bilevelL1Inf(y, eta, opts).radii;
    case 'bilevel-l11':
      return main.bilevelL11(y, eta, opts).radii;
    case 'bilevel-l12':
      return main.bilevelL12(y, eta, opts).radii;
    case 'l1inf':
      return main.projectL1Inf(y, eta, opts).radii;
  }
}

export interface LayerProjectionResult {
  /** The groups (inputs or units, per opts.axis) with a nonzero weight left, ascending. */
  kept: Int32Array;
  /** One radius per group, as the projection returns them (u_j, or mu_j for 'l1inf'). */
  radii: Float64Array;
  /** The radius used: opts.eta, or the one radiusForKeep found for opts.keep. */
  eta: number;
}

/**
 * Reads the kernel, zeroes the groups flagged in `frozen` (if any), projects
 * it when `spec` is given, and writes it back. Returns what was kept (radii
 * empty when nothing was projected). Nothing is written if a step throws.
 *
 * One new Float32Array per call, which tfjs then owns as the variable's
 * storage (tf.tensor does not copy it): the projection reads tfjs's storage
 * and writes straight into it, or, with a mask, copies, masks and projects
 * in place.
 */
export function projectKernel(tf: Tf, k: DenseKernel, spec: ProjectionSpec | undefined, groups: Groups, frozen?: Uint8Array): LayerProjectionResult {
  const stored = readKernel(k);
  const out = allocate<Float32Array>(stored.data, stored.data.length, `the projected kernel of the Dense layer '${k.layer.name}'`);
  const result: Matrix<Float32Array> = { data: out, rows: stored.rows, cols: stored.cols };
  let input = stored;
  if (frozen || !spec) {
    out.set(stored.data);
    if (frozen) zeroGroups(result, groups, frozen);
    input = result;
  }
  let radii: Float64Array | undefined;
  let eta = NaN;
  if (spec) {
    try {
      eta = spec.eta ?? radiusFor(input, spec);
      radii = projectInto(input, out, spec, eta);
    } catch (err) {
      // The projection names its argument `y`; the caller knows it as the layer.
      if ((err as { code?: unknown }).code === 'ERR_BP_NON_FINITE') {
        throw nonFinite(`The kernel of the Dense layer '${k.layer.name}' has a NaN or infinite entry (training diverged?); it was left as it was`);
      }
      throw ensureCode(err as Error, 'ERR_BP_INVALID_ARGUMENT');
    }
  }
  writeKernel(tf, k, out);
  return { kept: nonzeroGroups(result, groups, radii), radii: radii ?? new Float64Array(0), eta };
}
