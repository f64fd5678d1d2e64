// radiusForKeep: choose the sparsity by how many groups (features) to keep,
// instead of by a radius whose meaning changes with the norm. The closed
// form lives in native/core/radius_for_keep (docs/radius-for-keep.md).
import { native } from './native';
import { statusError } from './projections';
import type { Matrix } from './types';
import * as check from './validate';

export type KeepProjection = 'bilevel-l1inf' | 'bilevel-l11' | 'bilevel-l12' | 'l1inf';

export const KEEP_PROJECTIONS: readonly KeepProjection[] = ['bilevel-l1inf', 'bilevel-l11', 'bilevel-l12', 'l1inf'];

const CODE: Record<KeepProjection, 0 | 1 | 2 | 3> = { 'bilevel-l1inf': 0, 'bilevel-l11': 1, 'bilevel-l12': 2, l1inf: 3 };

export interface RadiusForKeepOptions {
  /** Default 'bilevel-l1inf'. Each projection measures its radius in its own norm. */
  projection?: KeepProjection;
  /** Default 'columns'. */
  groups?: 'columns' | 'rows';
}

/**
 * The largest radius at which `projection` of y keeps at most `keep` groups
 * (a group is kept when it is not entirely zero).
 *
 * On data without ties at the boundary, this library's projection at the
 * returned radius keeps exactly `keep` groups, and the radius is within 1e-9
 * (relative) of the exact breakpoint. Groups whose norm ties with the
 * (keep+1)-th largest enter together, so a tie at the boundary gives fewer
 * than `keep`. `keep` >= the number of non-zero groups returns the mixed norm
 * (everything kept), or the largest double where that norm is past it;
 * `keep` = 0 returns 0. For 'l1inf' the answer holds for
 * every exact method ('stream', 'newton' and 'sort').
 *
 * Cost: the group norms, then one projection of y into scratch memory
 * (rows * cols entries) to confirm the rounding.
 */
export function radiusForKeep(y: Matrix, keep: number, opts?: RadiusForKeepOptions): number {
  const o = check.options(opts, ['projection', 'groups'] as const);
  const m = check.matrix(y, 'y');
  const k = check.integer(keep, 'keep', 0);
  const projection = o.projection === undefined ? 'bilevel-l1inf' : check.oneOf(o.projection, KEEP_PROJECTIONS, 'opts.projection');
  const g = check.groups(o.groups);
  if (m.rows === 0 || m.cols === 0 || k === 0) return 0;
  const r = native.radiusForKeep(CODE[projection], m.data, m.rows, m.cols, g === 'columns' ? 0 : 1, k);
  if (r < 0) throw statusError(r, m.data, 'y.data');
  return r;
}
