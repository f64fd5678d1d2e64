// The synchronous projections: validate, allocate what the caller did not
// pass, hand pointers to the addon, and turn its status into an error.
import { native } from './native';
import type { NativeGroups, NativeOp } from '../binding';
import type { ExactMethod, ExactOptions, FloatArray, Matrix, NormKind, NormOptions, ProjectOptions, Projection } from './types';
import { NATIVE_STATUS, nativeError, nonFinite, outOfMemory } from './errors';
import { allocate } from './memory';
import * as check from './validate';

/** The exact l1,inf method used when `opts.method` is not given: the fastest correct one (see bench/). */
export const DEFAULT_EXACT_METHOD: ExactMethod = 'stream';

/** Every value `opts.method` accepts. */
export const EXACT_METHODS = check.EXACT_METHODS;

export const STATUS_ABORTED = NATIVE_STATUS.aborted;

export interface Checked<T extends FloatArray> {
  opts: check.OptionValues<'groups' | 'out' | 'method' | 'signal'>;
  y: check.CheckedMatrix;
  eta: number;
  groups: NativeGroups;
  /** The caller's opts.out, validated, or undefined. */
  out: T | undefined;
  groupCount: number;
}

export interface Prepared<T extends FloatArray> extends Checked<T> {
  out: T;
  radii: Float64Array;
}

/** Validates (y, eta, opts) of any projection (shared by sync and async calls). */
export function checkArgs<T extends FloatArray>(
  y: unknown,
  eta: unknown,
  opts: unknown,
  etaName: string,
  known: readonly ('groups' | 'out' | 'method' | 'signal')[],
): Checked<T> {
  const o = check.options(opts, known);
  const m = check.matrix(y, 'y');
  const r = check.radius(eta, etaName);
  const g = check.groups(o.groups);
  const out = o.out === undefined ? undefined : check.output(o.out, m.data as T, 'opts.out', 'y.data');
  return { opts: o, y: m, eta: r, groups: g === 'columns' ? 0 : 1, out, groupCount: g === 'columns' ? m.cols : m.rows };
}

/** One radius per group: the array every projection returns. */
export function radiiFor(c: Checked<FloatArray>): Float64Array {
  return allocate<Float64Array>('float64', c.groupCount, `the radii (one per group: ${c.groups === 0 ? 'y.cols' : 'y.rows'} = ${c.groupCount})`);
}

/**
 * The projection of an empty matrix (0 rows or 0 columns), answered without
 * the addon: nothing to write, every (empty) group is zero. Handled here so
 * that a shape like 0 x 2^40 cannot send a kernel through 2^40 empty rows.
 */
export function emptyProjection<T extends FloatArray>(c: Checked<T>, out: T): Projection<T> {
  return { data: out, radii: radiiFor(c), zeroGroups: c.groupCount };
}

/** Validates, then allocates what the caller did not pass. */
export function prepare<T extends FloatArray>(
  y: unknown,
  eta: unknown,
  opts: unknown,
  etaName: string,
  known: readonly ('groups' | 'out' | 'method')[] = check.PROJECT_KEYS,
): Prepared<T> {
  const c = checkArgs<T>(y, eta, opts, etaName, known) as Checked<T> & { radii: Float64Array };
  // Completed in place (no spread): this runs on every call.
  if (c.out === undefined) c.out = check.output<T>(undefined, c.y.data as T, 'opts.out', 'y.data');
  c.radii = radiiFor(c);
  return c as Prepared<T>;
}

/**
 * Turns a negative native status into the error that explains it; `name`
 * names the array (e.g. 'y.data' or 'v').
 */
export function statusError(status: number, data: FloatArray, name: string): Error {
  if (status === -NATIVE_STATUS.nonFinite) {
    const i = check.firstNonFinite(data);
    return nonFinite(`Expected finite entries in ${name} but ${name}[${i}] is ${data[i]}`);
  }
  if (status === -NATIVE_STATUS.outOfMemory) {
    return outOfMemory(`the scratch space of a projection of ${name} (${check.lengthOf(data)} entries)`);
  }
  return nativeError(`unexpected native status ${status}`);
}

export function runPrepared<T extends FloatArray>(op: NativeOp, p: Prepared<T>): Projection<T> {
  if (p.y.rows === 0 || p.y.cols === 0) return { data: p.out, radii: p.radii, zeroGroups: p.groupCount };
  const z = native.project(op, p.y.data, p.y.rows, p.y.cols, p.groups, p.eta, p.out, p.radii);
  if (z < 0) throw statusError(z, p.y.data, 'y.data');
  return { data: p.out, radii: p.radii, zeroGroups: z };
}

/** The operation numbers, from the addon's table (native/core/operations.hpp). */
export const OP = native.operations;

export function exactOp(method: ExactMethod, prox: boolean): NativeOp {
  if (method === 'sort') return prox ? OP.proxSort : OP.exactSort;
  if (method === 'stream') return prox ? OP.proxStream : OP.exactStream;
  return prox ? OP.proxNewton : OP.exactNewton;
}

/**
 * Bilevel l1,inf projection (the paper's Algorithm 1): u = P1_eta(max |y_j| per
 * group), then each group is clipped to [-u_j, u_j]. O(rows * cols); groups
 * with u_j = 0 come out entirely zero.
 */
export function bilevelL1Inf<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ProjectOptions<T>): Projection<T> {
  return runPrepared(OP.bilevelL1Inf, prepare<T>(y, eta, opts, 'eta'));
}

/** Bilevel l1,1 projection (Algorithm 2): u = P1_eta(||y_j||_1), then y_j onto the l1 ball of radius u_j. */
export function bilevelL11<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ProjectOptions<T>): Projection<T> {
  return runPrepared(OP.bilevelL11, prepare<T>(y, eta, opts, 'eta'));
}

/** Bilevel l1,2 projection (Algorithm 3): u = P1_eta(||y_j||_2), then y_j scaled to l2 norm u_j. */
export function bilevelL12<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ProjectOptions<T>): Projection<T> {
  return runPrepared(OP.bilevelL12, prepare<T>(y, eta, opts, 'eta'));
}

/**
 * The exact Euclidean projection onto the l1,inf ball of radius eta.
 * `opts.method`: 'stream' (semismooth Newton on streaming count-and-sum
 * passes, no candidate lists; the default, the fastest at every radius
 * measured in bench/results/grid.md), 'newton' (semismooth Newton on gathered
 * candidate lists, Chu et al. 2020) or 'sort' (sort-based, O(nm log nm)).
 */
export function projectL1Inf<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ExactOptions<T>): Projection<T> {
  const p = prepare<T>(y, eta, opts, 'eta', check.EXACT_KEYS);
  return runPrepared(exactOp(check.exactMethod(p.opts.method, DEFAULT_EXACT_METHOD), false), p);
}

/**
 * The prox of alpha * ||.||_{inf,1} by Moreau's identity: y - projectL1Inf(y, alpha).
 * `radii` are the thresholds of the projection it subtracts.
 */
export function proxLInf1<T extends FloatArray>(y: Matrix<T>, alpha: number, opts?: ExactOptions<T>): Projection<T> {
  const p = prepare<T>(y, alpha, opts, 'alpha', check.EXACT_KEYS);
  return runPrepared(exactOp(check.exactMethod(p.opts.method, DEFAULT_EXACT_METHOD), true), p);
}

/** Euclidean projection of a vector onto the l1 ball of radius eta, in expected linear time. */
export function projectL1Ball<T extends FloatArray>(v: T, eta: number, opts?: { out?: T }): T {
  const o = check.options(opts, ['out']);
  const data = check.floatArray(v, 'v') as T;
  const r = check.radius(eta, 'eta');
  const out = check.output(o.out, data, 'opts.out', 'v');
  const st = native.projectL1Ball(data, r, out);
  if (st < 0) throw statusError(st, data, 'v');
  return out;
}

const NORM_CODE = { l1inf: 0, l11: 1, l12: 2, linf1: 3 } as const;

/**
 * A mixed norm over the groups of y: 'l1inf' (sum of group max |.|), 'l11'
 * (sum of |.|), 'l12' (sum of group l2 norms, safe from overflow and
 * underflow), 'linf1' (max of group l1 norms).
 */
export function norm(y: Matrix, kind: NormKind, opts?: NormOptions): number {
  const o = check.options(opts, ['groups']);
  const m = check.matrix(y, 'y');
  const k = check.normKind(kind);
  const g = check.groups(o.groups);
  if (m.rows === 0 || m.cols === 0) return 0;
  const r = native.norm(NORM_CODE[k], m.data, m.rows, m.cols, g === 'columns' ? 0 : 1);
  if (r < 0) throw statusError(r, m.data, 'y.data');
  return r;
}

/**
 * How many threads a large projection may use (the calling thread included):
 * by default the machine's core count, at most 8. Passes over at least 2^18
 * entries are split across threads; results never depend on the count.
 * Process-wide. The environment variable BILEVEL_PROJECTION_THREADS sets it
 * at load time.
 */
export function getThreadCount(): number {
  return native.threads();
}

/**
 * Sets the thread limit (1 turns helper threads off; 0 restores the default)
 * and returns the previous one.
 */
export function setThreadCount(n: number): number {
  return native.threads(check.integer(n, 'n', 0, 1024));
}
