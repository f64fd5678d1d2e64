// Validation of every public argument, before any native call and so before
// any byte of `out` is written. Errors come from lib/errors.ts: the caller's
// own TypeError or RangeError (never the addon's, which under jest live in
// another realm), with a `code`, naming the argument and what it received.
// The checkers here are the whole toolkit: every export of every entry point
// validates with them.
import { types } from 'util';
import { argumentError, describe, invalidType, invalidValue, unknownOption } from './errors';
import { allocate } from './memory';
import { native } from './native';
import type { ExactMethod, FloatArray, Groups, NormKind } from './types';

export { describe };

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

function typeName(a: FloatArray): 'Float64Array' | 'Float32Array' {
  return types.isFloat64Array(a) ? 'Float64Array' : 'Float32Array';
}

export function checkNotDetached(a: FloatArray, name: string): void {
  if (lengthOf(a) === 0 && native.isDetached(a)) {
    throw argumentError(`${name} is a view of a detached ArrayBuffer (it was transferred); pass a live array`, 'type');
  }
}

export function floatArray(v: unknown, name: string): FloatArray {
  if (!isFloatArray(v)) {
    throw invalidType(name, 'a Float32Array or Float64Array', v);
  }
  checkNotDetached(v, name);
  return v;
}

export function dimension(v: unknown, name: string): number {
  if (typeof v !== 'number') throw invalidType(name, 'a non-negative integer', v);
  if (!Number.isSafeInteger(v) || v < 0) throw invalidValue(name, 'a non-negative integer', v);
  return v;
}

export interface CheckedMatrix {
  data: FloatArray;
  rows: number;
  cols: number;
}

export function matrix(v: unknown, name: string): CheckedMatrix {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw invalidType(name, 'a matrix { data, rows, cols }', v);
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
    throw argumentError(`${name}.data has length ${length} but ${name}.rows * ${name}.cols = ${rows} * ${cols}; they must be equal`);
  }
  return { data, rows, cols };
}

export function radius(v: unknown, name: string): number {
  if (typeof v !== 'number') throw invalidType(name, 'a finite number >= 0', v);
  if (!Number.isFinite(v) || v < 0) throw invalidValue(name, 'a finite number >= 0', v);
  return v === 0 ? 0 : v; // -0 is 0
}

/** A snapshot of an options object: the known keys' values, each read once. */
export type OptionValues<K extends string = string> = { [key in K]?: unknown };

/** Projection options: what each kind of call accepts (and nothing else). */
export const PROJECT_KEYS = ['groups', 'out'] as const;
export const EXACT_KEYS = ['groups', 'out', 'method'] as const;
export const ASYNC_KEYS = ['groups', 'out', 'signal'] as const;
export const EXACT_ASYNC_KEYS = ['groups', 'out', 'method', 'signal'] as const;

/**
 * A snapshot of the options: each known key is read once, here, before any
 * other argument is checked, so that a getter cannot detach or resize an
 * array after it has been validated (the binding would still refuse it, but
 * with an error that names no argument). A key the function does not know
 * is refused, naming it and the known ones: `{ group: 'rows' }` must not
 * silently project columns. Keys whose value is undefined count as absent.
 */
export function options<K extends string>(v: unknown, known: readonly K[], name = 'opts'): OptionValues<K> {
  if (v === undefined) return {};
  // A plain object (or one without a prototype): a Date, a Map or an array
  // would otherwise pass as "no options" and start the work with defaults.
  const proto = typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) : undefined;
  if (typeof v !== 'object' || v === null || (proto !== Object.prototype && proto !== null && proto?.constructor?.name !== 'Object')) {
    throw invalidType(name, 'an options object or undefined', v);
  }
  const snapshot: OptionValues<K> = {};
  for (const key of known) snapshot[key] = (v as Record<string, unknown>)[key];
  for (const key of Object.keys(v)) {
    if (!(known as readonly string[]).includes(key) && (v as Record<string, unknown>)[key] !== undefined) {
      throw unknownOption(name, key, known);
    }
  }
  return snapshot;
}

/** One of a fixed set of strings (TypeError for a non-string, RangeError otherwise). */
export function oneOf<V extends string>(v: unknown, values: readonly V[], name: string): V {
  if ((values as readonly unknown[]).includes(v)) return v as V;
  const expected = values.length === 2 ? `'${values[0]}' or '${values[1]}'` : `one of ${values.map((m) => `'${m}'`).join(', ')}`;
  if (typeof v !== 'string') throw invalidType(name, expected, v);
  throw invalidValue(name, expected, v);
}

/** An integer in [min, max] (safe integers only). */
export function integer(v: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  if (typeof v !== 'number') throw invalidType(name, expected, v);
  if (!Number.isSafeInteger(v) || v < min || v > max) throw invalidValue(name, expected, v);
  return v === 0 ? 0 : v;
}

/** A finite number in [min, max] (open at either end when `open` says so). */
export function finite(v: unknown, name: string, min = -Infinity, max = Infinity, open: { min?: boolean; max?: boolean } = {}): number {
  const lo = min === -Infinity ? '' : `${open.min ? '>' : '>='} ${min}`;
  const hi = max === Infinity ? '' : `${open.max ? '<' : '<='} ${max}`;
  const expected = `a finite number${lo || hi ? ' ' : ''}${[lo, hi].filter(Boolean).join(' and ')}`;
  if (typeof v !== 'number') throw invalidType(name, expected, v);
  const ok = Number.isFinite(v) && (open.min ? v > min : v >= min) && (open.max ? v < max : v <= max);
  if (!ok) throw invalidValue(name, expected, v);
  return v === 0 ? 0 : v;
}

export function boolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw invalidType(name, 'true or false', v);
  return v;
}

export function string(v: unknown, name: string, nonEmpty = false): string {
  if (typeof v !== 'string') throw invalidType(name, nonEmpty ? 'a non-empty string' : 'a string', v);
  if (nonEmpty && v.length === 0) throw invalidValue(name, 'a non-empty string', v);
  return v;
}

export function func<F extends (...args: never[]) => unknown>(v: unknown, name: string): F {
  if (typeof v !== 'function') throw invalidType(name, 'a function', v);
  return v as F;
}

/** `a` and `b` may not both be given. */
export function exclusive(a: unknown, b: unknown, nameA: string, nameB: string): void {
  if (a !== undefined && b !== undefined) throw argumentError(`${nameA} and ${nameB} are mutually exclusive: give one of them`);
}

export const GROUPS: readonly Groups[] = ['columns', 'rows'];

export function groups(v: unknown, name = 'opts.groups'): Groups {
  return v === undefined ? 'columns' : oneOf(v, GROUPS, name);
}

export const EXACT_METHODS: readonly ExactMethod[] = ['newton', 'sort', 'stream'];

export function exactMethod(v: unknown, fallback: ExactMethod, name = 'opts.method'): ExactMethod {
  return v === undefined ? fallback : oneOf(v, EXACT_METHODS, name);
}

const NORM_KINDS: readonly NormKind[] = ['l1inf', 'l11', 'l12', 'linf1'];

export function normKind(v: unknown, name = 'kind'): NormKind {
  return oneOf(v, NORM_KINDS, name);
}

/**
 * `out` must have the input's type and length, and be either the input itself
 * (in place) or memory disjoint from it: a partial overlap would let the write
 * pass read entries it already overwrote.
 */
export function output<T extends FloatArray>(v: unknown, input: T, name: string, inputName: string): T {
  if (v === undefined) return allocate<T>(input, lengthOf(input), `the result, an array as long as ${inputName} (${name} was not given)`);
  if (!isFloatArray(v) || typeName(v) !== typeName(input)) {
    throw invalidType(name, `a ${typeName(input)} (the type of ${inputName})`, v);
  }
  checkNotDetached(v, name);
  if (lengthOf(v) !== lengthOf(input)) {
    throw argumentError(`Expected ${name} to have length ${lengthOf(input)} (that of ${inputName}) but it has length ${lengthOf(v)}`);
  }
  if (overlap(v, input) === 'partial') {
    throw argumentError(`${name} overlaps ${inputName} without being the same memory; pass ${inputName} itself to project in place, or a separate array`);
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
