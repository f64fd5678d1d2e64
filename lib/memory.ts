// Allocation of the arrays the library returns, and the memory hints that go
// with them. Kept apart from validation: nothing here checks arguments.
import { types } from 'util';
import { outOfMemory } from './errors';
import { native } from './native';
import type { FloatArray } from './types';

// 4 MB of float32 (the native side ignores arrays below 4 MB of either type).
const HUGE_HINT_ENTRIES = 1 << 20;

/**
 * new Float64Array(n) / new Float32Array(n) (the type of `like`), with a
 * RangeError (code ERR_BP_OUT_OF_MEMORY) that says what the memory was for
 * when it cannot be had (V8's says nothing of it).
 */
export function allocate<T extends FloatArray>(like: FloatArray | 'float64', n: number, what: string): T {
  let a: T;
  try {
    a = (like === 'float64' || types.isFloat64Array(like) ? new Float64Array(n) : new Float32Array(n)) as T;
  } catch {
    throw outOfMemory(`${what} (${n} entries)`);
  }
  // Untouched so far: large ones are backed by huge pages when first written,
  // which makes their page faults far fewer (docs/memory.md).
  if (n >= HUGE_HINT_ENTRIES) native.adviseFreshArray(a);
  return a;
}
