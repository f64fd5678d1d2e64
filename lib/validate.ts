// Validation of every public argument, before any native call and so before
// any byte of `out` is written. Errors are the caller's own TypeError or
// RangeError (never the addon's, which under jest live in another realm), and
// each names the argument it is about and what it received.
import { types } from 'util';
import { native } from './native';
import type { ExactMethod, FloatArray, Groups, NormKind } from './types';

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name;
    if (ArrayBuffer.isView(v)) return `a ${name ?? 'typed array'} of length ${(v as unknown as { length?: number }).length ?? (v as ArrayBufferView).byteLength}`;
    if (Array.isArray(v)) return `an Array of length ${v.length}`;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof v}`;
}

export function isFloatArray(v: unknown): v is FloatArray {
  return types.isFloat64Array(v) || types.isFloat32Array(v);
}

// The typed arrays' own accessors, taken from %TypedArray%.prototype: a
// subclass (or an object with a patched prototype) cannot make them lie, so
// what is validated here is what the addon will see.
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (key: string) => Object.getOwnPropertyDescriptor(typedArrayProto, key)!.get! as (this: unknown) => unknown;
const lengthGetter = intrinsic('length');
const bufferGetter = intrinsic('buffer');
const byteOffsetGetter = intrinsic('byteOffset');
const byteLengthGetter = intrinsic('byteLength');

/** The true element count of a typed array (not a subclass's override). */
export function lengthOf(a: ArrayBufferView): number {
  return lengthGetter.call(a) as number;
}

/** The true backing buffer of a typed array. */
export function bufferOf(a: ArrayBufferView): ArrayBufferLike {
  return bufferGetter.call(a) as ArrayBufferLike;
}

function byteRange(a: ArrayBufferView): [number, number] {
  const start = byteOffsetGetter.call(a) as number;
  return [start, start + (byteLengthGetter.call(a) as number)];
}

/**
 * new Float64Array(n) / new Float32Array(n), with a RangeError that says what
 * the memory was for when it cannot be had (V8's says nothing of it).
 */
export function allocate<T extends FloatArray>(like: FloatArray | 'float64', n: number, what: string): T {
  let a: T;
  try {
    a = (like === 'float64' || types.isFloat64Array(like) ? new Float64Array(n) : new Float32Array(n)) as T;
  } catch {
    throw new RangeError(`Not enough memory for ${what} (${n} entries)`);
  }
  // Untouched so far: large ones are backed by huge pages when first written,
  // which makes their page faults 500x fewer (see native/core/memory_advice.hpp).
  if (n >= HUGE_HINT_ENTRIES) native.adviseFreshArray(a);
  return a;
}

// 4 MB of float32 (the native side ignores arrays below 4 MB of either type).
const HUGE_HINT_ENTRIES = 1 << 20;

function typeName(a: FloatArray): 'Float64Array' | 'Float32Array' {
  return types.isFloat64Array(a) ? 'Float64Array' : 'Float32Array';
}

export function checkNotDetached(a: FloatArray, name: string): void {
  if (lengthOf(a) === 0 && native.isDetached(a)) {
    throw new TypeError(`${name} is a view of a detached ArrayBuffer (it was transferred); pass a live array`);
  }
}

export function floatArray(v: unknown, name: string): FloatArray {
  if (!isFloatArray(v)) {
    throw new TypeError(`Expected a Float32Array or Float64Array for ${name} but received ${describe(v)}`);
  }
  checkNotDetached(v, name);
  return v;
}

export function dimension(v: unknown, name: string): number {
  if (typeof v !== 'number') {
    throw new TypeError(`Expected a non-negative integer for ${name} but received ${describe(v)}`);
  }
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`Expected a non-negative integer for ${name} but received ${describe(v)}`);
  }
  return v;
}

export interface CheckedMatrix {
  data: FloatArray;
  rows: number;
  cols: number;
}

export function matrix(v: unknown, name: string): CheckedMatrix {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`Expected a matrix { data, rows, cols } for ${name} but received ${describe(v)}`);
  }
  // Every field is read (getters run) before any is checked, so that no
  // caller code runs between the checks and the native call.
  const { data: d, rows: r, cols: c } = v as { data?: unknown; rows?: unknown; cols?: unknown };
  const data = floatArray(d, `${name}.data`);
  const rows = dimension(r, `${name}.rows`);
  const cols = dimension(c, `${name}.cols`);
  // Exact in integers: rows * cols itself may not be (beyond 2^53).
  const length = lengthOf(data);
  const fits = rows === 0 || cols === 0 ? length === 0 : length % rows === 0 && length / rows === cols;
  if (!fits) {
    throw new RangeError(
      `${name}.data has length ${length} but ${name}.rows * ${name}.cols = ${rows} * ${cols}; they must be equal`,
    );
  }
  return { data, rows, cols };
}

export function radius(v: unknown, name: string): number {
  if (typeof v !== 'number') {
    throw new TypeError(`Expected a finite number >= 0 for ${name} but received ${describe(v)}`);
  }
  if (!Number.isFinite(v) || v < 0) {
    throw new RangeError(`Expected a finite number >= 0 for ${name} but received ${describe(v)}`);
  }
  return v === 0 ? 0 : v; // -0 is 0
}

/** The options a projection reads, each read exactly once. */
export interface OptionValues {
  groups?: unknown;
  out?: unknown;
  method?: unknown;
  signal?: unknown;
}

/**
 * A snapshot of the options: each is read once, here, before the matrix is
 * checked, so that a getter cannot detach or resize an array after it has
 * been validated (the binding would still refuse it, but with an error that
 * names no argument).
 */
export function options(v: unknown, name = 'opts'): OptionValues {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`Expected an options object or undefined for ${name} but received ${describe(v)}`);
  }
  const { groups, out, method, signal } = v as OptionValues;
  return { groups, out, method, signal };
}

export function groups(v: unknown, name = 'opts.groups'): Groups {
  if (v === undefined) return 'columns';
  if (v === 'columns' || v === 'rows') return v;
  if (typeof v !== 'string') throw new TypeError(`Expected 'columns' or 'rows' for ${name} but received ${describe(v)}`);
  throw new RangeError(`Expected 'columns' or 'rows' for ${name} but received ${describe(v)}`);
}

export const EXACT_METHODS: readonly ExactMethod[] = ['newton', 'sort', 'stream'];

export function exactMethod(v: unknown, fallback: ExactMethod, name = 'opts.method'): ExactMethod {
  if (v === undefined) return fallback;
  if ((EXACT_METHODS as readonly unknown[]).includes(v)) return v as ExactMethod;
  const expected = EXACT_METHODS.map((m) => `'${m}'`).join(' or ');
  if (typeof v !== 'string') throw new TypeError(`Expected ${expected} for ${name} but received ${describe(v)}`);
  throw new RangeError(`Expected ${expected} for ${name} but received ${describe(v)}`);
}

const NORM_KINDS: readonly NormKind[] = ['l1inf', 'l11', 'l12', 'linf1'];

export function normKind(v: unknown, name = 'kind'): NormKind {
  if ((NORM_KINDS as readonly unknown[]).includes(v)) return v as NormKind;
  const expected = NORM_KINDS.map((m) => `'${m}'`).join(', ');
  if (typeof v !== 'string') throw new TypeError(`Expected one of ${expected} for ${name} but received ${describe(v)}`);
  throw new RangeError(`Expected one of ${expected} for ${name} but received ${describe(v)}`);
}

/**
 * `out` must have the input's type and length, and be either the input itself
 * (in place) or memory disjoint from it: a partial overlap would let the write
 * pass read entries it already overwrote.
 */
export function output<T extends FloatArray>(v: unknown, input: T, name: string, inputName: string): T {
  if (v === undefined) return allocate<T>(input, lengthOf(input), `the result, an array as long as ${inputName} (${name} was not given)`);
  if (!isFloatArray(v) || typeName(v) !== typeName(input)) {
    throw new TypeError(`Expected a ${typeName(input)} (the type of ${inputName}) for ${name} but received ${describe(v)}`);
  }
  checkNotDetached(v, name);
  if (lengthOf(v) !== lengthOf(input)) {
    throw new RangeError(`Expected ${name} to have length ${lengthOf(input)} (that of ${inputName}) but it has length ${lengthOf(v)}`);
  }
  if (overlap(v, input) === 'partial') {
    throw new RangeError(`${name} overlaps ${inputName} without being the same memory; pass ${inputName} itself to project in place, or a separate array`);
  }
  return v as T;
}

/**
 * How two views share memory: 'same' (the same bytes: in place), 'partial',
 * or 'none'. Two SharedArrayBuffer objects can map the same memory
 * (postMessage, structuredClone), so shared views are compared by address.
 */
export function overlap(a: FloatArray, b: FloatArray): 'same' | 'partial' | 'none' {
  const ba = bufferOf(a), bb = bufferOf(b);
  if (ba !== bb) {
    if (!types.isSharedArrayBuffer(ba) || !types.isSharedArrayBuffer(bb)) return 'none';
    return (['none', 'same', 'partial'] as const)[native.memoryOverlap(a, b)];
  }
  const [a0, a1] = byteRange(a), [b0, b1] = byteRange(b);
  if (a0 === b0 && a1 === b1) return 'same';
  return a0 < b1 && b0 < a1 ? 'partial' : 'none';
}

/** Index of the first NaN or infinite entry, or -1 (for error messages only). */
export function firstNonFinite(a: FloatArray): number {
  const n = lengthOf(a);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(a[i])) return i;
  }
  return -1;
}
