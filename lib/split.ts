// The bilevel projections as map -> reduce -> map, for matrices that arrive
// in blocks (streamed from disk, sharded across workers or machines):
//
//   groupNorms(block)            per-group norms of one block     (map)
//   combineGroupNorms(a, b)      norms of two blocks of the same groups
//   bilevelRadii(norms, eta)     l1-ball projection of the norms  (reduce)
//   applyRadii(block, radii)     clip / scale / soft threshold of one block (map)
//
// The one-shot bilevelL1Inf / bilevelL12 run these very kernels (see
// native/core/split.hpp), so equal norms give equal bytes; docs/split.md
// says exactly which splits give equal norms. l1BallThresholdStats is the
// reduce step of a distributed l1-ball threshold search, for when even the
// m norms are too many to gather in one place.
import { types } from 'util';
import { native } from './native';
import type { NativeGroups } from '../binding';
import type { FloatArray, Groups, Matrix, Projection } from './types';
import { argumentError, invalidType, invalidValue, nonFinite } from './errors';
import { allocate } from './memory';
import { statusError } from './projections';
import * as check from './validate';

/** The per-group norm a block reduces to: max |y|, sum |y|, or the l2 norm. */
export type GroupNormKind = 'linf' | 'l1' | 'l2';
/**
 * The inner step: 'l1inf' clips each group to its radius, 'l12' scales it to
 * its radius, 'l11' projects it onto the l1 ball of its radius (a soft
 * threshold per group; the block must hold whole groups).
 */
export type ApplyKind = 'l1inf' | 'l12' | 'l11';

export interface GroupNormsOptions {
  groups?: Groups;
  /** Destination, one entry per group; a new array when absent. */
  out?: Float64Array;
}

export interface CombineOptions {
  out?: Float64Array;
}

export interface BilevelRadiiOptions {
  out?: Float64Array;
}

export interface BilevelRadii {
  /** u = the projection of the norms onto the l1 ball of radius eta. */
  radii: Float64Array;
  /** tau with radii[j] = max(norms[j] - tau, 0): 0 inside the ball, max(norms) for eta = 0. */
  threshold: number;
}

export interface ApplyRadiiOptions<T extends FloatArray = FloatArray> {
  groups?: Groups;
  out?: T;
  /**
   * The whole groups' norms (over every block): required for 'l12' (the
   * l2 norms the radii came from). For 'l1inf' optional: the group maxima,
   * which make zeroGroups count the groups that are zero in the whole
   * projection, exactly as the one-shot call does. For 'l11' optional: the
   * groups' l1 norms, only checked against radii (a block of whole groups
   * counts the zero groups of the whole projection by itself).
   */
  norms?: Float64Array;
}

export interface ThresholdStats {
  /** How many |v_i| are > tau. */
  count: number;
  /** Their sum (compensated, in double). */
  sum: number;
}

export const GROUP_NORM_KINDS: readonly GroupNormKind[] = ['linf', 'l1', 'l2'];
export const APPLY_KINDS: readonly ApplyKind[] = ['l1inf', 'l12', 'l11'];
const APPLY_CODE = { l1inf: 0, l12: 1, l11: 2 } as const;
const NORM_CODE = { linf: 0, l1: 1, l2: 2 } as const;
const GROUP_KEYS = ['groups', 'out'] as const;
const OUT_KEYS = ['out'] as const;
const APPLY_KEYS = ['groups', 'out', 'norms'] as const;

function float64(v: unknown, name: string): Float64Array {
  if (!types.isFloat64Array(v)) {
    throw invalidType(name, 'a Float64Array', v);
  }
  check.checkNotDetached(v, name);
  return v as Float64Array;
}

/**
 * A vector of group norms or radii: a Float64Array of `length` entries (when
 * given), each >= 0; NaN is refused, and +Infinity too unless allowed (a
 * norm beyond the largest double, which only combineGroupNorms passes on).
 */
function normVector(v: unknown, name: string, length: number | undefined, lengthWhat: string, allowInfinity = false): Float64Array {
  const a = float64(v, name);
  const n = check.lengthOf(a);
  if (length !== undefined && n !== length) {
    throw argumentError(`Expected ${name} to have length ${length} (${lengthWhat}) but it has length ${n}`);
  }
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (x >= 0 && (x !== Infinity || allowInfinity)) continue;
    if (Number.isNaN(x) || x === Infinity) throw nonFinite(`Expected finite entries in ${name} but ${name}[${i}] is ${x}`);
    throw invalidValue(`${name}[${i}]`, 'a number >= 0 (a norm or radius)', x);
  }
  return a;
}

function outVector(v: unknown, name: string, length: number, lengthWhat: string, inputs: Float64Array[] = []): Float64Array {
  if (v === undefined) return allocate<Float64Array>('float64', length, `${name} (${lengthWhat} = ${length})`);
  const a = float64(v, name);
  if (check.lengthOf(a) !== length) {
    throw argumentError(`Expected ${name} to have length ${length} (${lengthWhat}) but it has length ${check.lengthOf(a)}`);
  }
  for (const input of inputs) {
    if (check.overlap(a, input) === 'partial') throw argumentError(`${name} partly overlaps an input; pass the input itself or a separate array`);
  }
  return a;
}

function nativeGroups(g: Groups): NativeGroups {
  return g === 'columns' ? 0 : 1;
}

interface NormsCall {
  y: check.CheckedMatrix;
  kind: 0 | 1 | 2;
  groups: NativeGroups;
  out: Float64Array;
}

/** Validates groupNorms' arguments (shared with the async twin). */
export function checkGroupNorms(y: unknown, kind: unknown, opts: unknown, extraKeys: readonly string[] = []): NormsCall & { opts: check.OptionValues<string> } {
  const o = check.options(opts, [...GROUP_KEYS, ...extraKeys]);
  const m = check.matrix(y, 'y');
  const k = check.oneOf(kind, GROUP_NORM_KINDS, 'kind');
  const g = check.groups(o.groups);
  const ng = g === 'columns' ? m.cols : m.rows;
  const out = outVector(o.out, 'opts.out', ng, `one entry per group: ${g === 'columns' ? 'y.cols' : 'y.rows'}`);
  return { opts: o, y: m, kind: NORM_CODE[k], groups: nativeGroups(g), out };
}

/**
 * The per-group norms of a block, by the kernels of the projections: 'linf'
 * (max |y|, as bilevelL1Inf reduces), 'l1' (sum |y|), 'l2' (overflow-safe,
 * as bilevelL12 reduces). A group whose true l1 or l2 norm exceeds the
 * largest double gets Infinity (which bilevelRadii refuses).
 */
export function groupNorms(y: Matrix, kind: GroupNormKind, opts?: GroupNormsOptions): Float64Array {
  const c = checkGroupNorms(y, kind, opts);
  if (c.y.rows === 0 || c.y.cols === 0) return c.out.fill(0);
  const st = native.groupNorms(c.kind, c.y.data, c.y.rows, c.y.cols, c.groups, c.out);
  if (st < 0) throw statusError(st, c.y.data, 'y.data');
  return c.out;
}

/**
 * The norms of two blocks that split the same groups (row blocks of a
 * column-grouped matrix, say), merged: max for 'linf', sum for 'l1',
 * overflow-safe hypot for 'l2'. Any order, tree or ring, works; 'linf' is
 * exact in any order, 'l1' and 'l2' round once per merge (docs/split.md).
 * opts.out may be a or b.
 */
export function combineGroupNorms(kind: GroupNormKind, a: Float64Array, b: Float64Array, opts?: CombineOptions): Float64Array {
  const o = check.options(opts, OUT_KEYS);
  const k = check.oneOf(kind, GROUP_NORM_KINDS, 'kind');
  const va = normVector(a, 'a', undefined, '', true);
  const vb = normVector(b, 'b', check.lengthOf(va), 'that of a', true);
  const out = outVector(o.out, 'opts.out', check.lengthOf(va), 'that of a', [va, vb]);
  native.combineGroupNorms(NORM_CODE[k], va, vb, out);
  return out;
}

/**
 * The outer step of the bilevel projections: the projection of the group
 * norms onto the l1 ball of radius eta, and its soft threshold. The same
 * norms give the same radii bytes as the one-shot projection computes.
 */
export function bilevelRadii(norms: Float64Array, eta: number, opts?: BilevelRadiiOptions): BilevelRadii {
  const o = check.options(opts, OUT_KEYS);
  const v = normVector(norms, 'norms', undefined, '');
  const r = check.radius(eta, 'eta');
  const out = outVector(o.out, 'opts.out', check.lengthOf(v), 'that of norms', [v]);
  const threshold = native.bilevelRadii(v, r, out);
  if (threshold < 0) throw statusError(threshold, v, 'norms');
  return { radii: out, threshold };
}

interface ApplyCall<T extends FloatArray> {
  y: check.CheckedMatrix;
  kind: 0 | 1 | 2;
  groups: NativeGroups;
  groupCount: number;
  radii: Float64Array;
  norms: Float64Array | undefined;
  out: T | undefined;
  opts: check.OptionValues<string>;
}

/** Validates applyRadii's arguments (shared with the async twin). */
export function checkApplyRadii<T extends FloatArray>(y: unknown, radii: unknown, kind: unknown, opts: unknown, extraKeys: readonly string[] = []): ApplyCall<T> {
  const o = check.options(opts, [...APPLY_KEYS, ...extraKeys]);
  const m = check.matrix(y, 'y');
  const k = check.oneOf(kind, APPLY_KINDS, 'kind');
  const g = check.groups(o.groups);
  const ng = g === 'columns' ? m.cols : m.rows;
  const what = `one entry per group: ${g === 'columns' ? 'y.cols' : 'y.rows'}`;
  const r = normVector(radii, 'radii', ng, what);
  if (k === 'l12' && o.norms === undefined) {
    throw argumentError("applyRadii(y, radii, 'l12') needs opts.norms: the whole groups' l2 norms the radii were computed from", 'type');
  }
  const norms = o.norms === undefined ? undefined : normVector(o.norms, 'opts.norms', ng, what);
  if (norms !== undefined) {
    // Radii come from norms by a soft threshold, so never exceed them: a
    // larger one means norms (or radii) of another block or another kind.
    for (let j = 0; j < ng; j++) {
      if (r[j] > norms[j]) {
        throw argumentError(`radii[${j}] = ${r[j]} exceeds opts.norms[${j}] = ${norms[j]}; radii and opts.norms must describe the same groups`);
      }
    }
  }
  const out = o.out === undefined ? undefined : check.output(o.out, m.data as T, 'opts.out', 'y.data');
  return { y: m, kind: APPLY_CODE[k], groups: nativeGroups(g), groupCount: ng, radii: r, norms, out, opts: o };
}

/**
 * The inner step on one block: each group clipped to [-radii[j], radii[j]]
 * ('l1inf') or scaled by radii[j] / opts.norms[j] ('l12'). Elementwise, so
 * any split of the rows or columns gives, block by block, the bytes of the
 * one-shot projection with the same radii (and norms). `radii` of the result
 * is the array passed in; zeroGroups counts the groups that are zero in the
 * whole projection when the whole groups' norms are given (for 'l1inf'
 * without norms: the groups whose radius rounds to zero).
 *
 * 'l11' projects each group onto the l1 ball of radius radii[j] (a soft
 * threshold found from all of the group's entries), so the block must hold
 * whole groups: a column block with groups = 'columns', a row block with
 * groups = 'rows'. Then any such split gives, block by block, the bytes of
 * bilevelL11 on the whole matrix, and zeroGroups its count.
 */
export function applyRadii<T extends FloatArray>(y: Matrix<T>, radii: Float64Array, kind: ApplyKind, opts?: ApplyRadiiOptions<T>): Projection<T> {
  const c = checkApplyRadii<T>(y, radii, kind, opts);
  const out = c.out ?? check.output<T>(undefined, c.y.data as T, 'opts.out', 'y.data');
  if (c.y.rows === 0 || c.y.cols === 0) return { data: out, radii: c.radii, zeroGroups: c.groupCount };
  const z = native.applyRadii(c.kind, c.y.data, c.y.rows, c.y.cols, c.groups, c.radii, c.norms, c.kind === 0 ? c.norms : undefined, out);
  if (z < 0) throw statusError(z, c.y.data, 'y.data');
  return { data: out, radii: c.radii, zeroGroups: z };
}

/**
 * count and sum of the |v_i| > tau: one round of a distributed l1-ball
 * threshold search (docs/split.md). Summed over every shard, f(tau) =
 * sum - count * tau is the l1 norm of the soft-thresholded vector, and
 * tau' = (sum - eta) / count is the next, never overshooting, guess.
 */
export function l1BallThresholdStats(v: FloatArray, tau: number): ThresholdStats {
  const data = check.floatArray(v, 'v');
  if (typeof tau !== 'number') throw invalidType('tau', 'a number >= 0', tau);
  if (!(tau >= 0) || tau === Infinity) throw invalidValue('tau', 'a finite number >= 0', tau);
  const pair = new Float64Array(2);
  const st = native.l1BallThresholdStats(data, tau, pair);
  if (st < 0) throw statusError(-1, data, 'v');
  return { count: pair[0], sum: pair[1] };
}
