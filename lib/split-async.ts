// Thread-pool twins of the O(block) split steps, groupNormsAsync and
// applyRadiiAsync. Memory is handled as in lib/async.ts: a view of a
// SharedArrayBuffer (which can neither be detached nor shrink) is read and
// written in place; anything else is snapshotted first, and a private
// result is copied into the caller's `out` once the work is done, so the
// worker never touches memory the caller could transfer away meanwhile.
import { types } from 'util';
import { native } from './native';
import type { FloatArray, Matrix, Projection } from './types';
import { NATIVE_STATUS, argumentError } from './errors';
import { allocate } from './memory';
import { statusError } from './projections';
import { abortReason, signalOf } from './signal';
import { checkApplyRadii, checkGroupNorms, type ApplyKind, type ApplyRadiiOptions, type GroupNormKind, type GroupNormsOptions } from './split';
import * as check from './validate';

export interface SplitAsyncOptions {
  /** Rejects with an AbortError (code ABORT_ERR) when aborted before the result is written. */
  signal?: AbortSignal;
}

const CHUNK = 1 << 20;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function isShared(a: ArrayBufferView): boolean {
  return types.isSharedArrayBuffer(check.bufferOf(a));
}

/** A private copy of a, made in chunks between event-loop turns. */
async function snapshot<T extends FloatArray>(a: T, name: string, aborted: () => boolean): Promise<T> {
  const n = check.lengthOf(a);
  const copy = allocate<T>(a, n, `a private snapshot of ${name}`);
  await copyInTurns(a, copy, n, name, aborted);
  return copy;
}

async function copyInTurns(src: FloatArray, dst: FloatArray, n: number, name: string, aborted: () => boolean): Promise<void> {
  for (let i = 0; i < n; i += CHUNK) {
    if (aborted()) return;
    for (const a of [src, dst]) {
      if (check.lengthOf(a) !== n) {
        throw argumentError(`${name} was detached or resized while the call was running`, native.isDetached(a) ? 'type' : 'range');
      }
    }
    const end = Math.min(n, i + CHUNK);
    dst.set(src.subarray(i, end), i);
    if (end < n) await nextTurn();
  }
}

/** Wires opts.signal to the native cancel flag; `run` gets the flag and an aborted() probe. */
async function withSignal<R>(signalOpt: unknown, run: (flag: Int32Array, aborted: () => boolean) => Promise<R>): Promise<R> {
  const signal = signalOf(signalOpt);
  if (signal?.aborted) throw abortReason(signal);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    Atomics.store(flag, 0, 1);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await run(flag, () => aborted);
    if (aborted) throw abortReason(signal);
    return r;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** groupNorms on the libuv thread pool. The norms are written only on success. */
export function groupNormsAsync(y: Matrix, kind: GroupNormKind, opts?: GroupNormsOptions & SplitAsyncOptions): Promise<Float64Array> {
  return (async () => {
    const c = checkGroupNorms(y, kind, opts, ['signal']);
    return withSignal(c.opts.signal, async (flag, aborted) => {
      if (c.y.rows === 0 || c.y.cols === 0) return c.out.fill(0);
      const src = isShared(c.y.data) ? c.y.data : await snapshot(c.y.data, 'y.data', aborted);
      const dst = isShared(c.out) ? c.out : new Float64Array(check.lengthOf(c.out));
      if (aborted()) return c.out;
      const st = await native.groupNormsAsync(c.kind, src, c.y.rows, c.y.cols, c.groups, dst, flag);
      if (st === -NATIVE_STATUS.aborted || aborted()) return c.out;
      if (st < 0) throw statusError(st, src, 'y.data');
      if (dst !== c.out) c.out.set(dst);
      return c.out;
    });
  })();
}

/** applyRadii on the libuv thread pool. opts.out is written only on success. */
export function applyRadiiAsync<T extends FloatArray>(
  y: Matrix<T>,
  radii: Float64Array,
  kind: ApplyKind,
  opts?: ApplyRadiiOptions<T> & SplitAsyncOptions,
): Promise<Projection<T>> {
  return (async () => {
    const c = checkApplyRadii<T>(y, radii, kind, opts, ['signal']);
    return withSignal(c.opts.signal, async (flag, aborted) => {
      const input = c.y.data as T;
      const n = check.lengthOf(input);
      if (c.y.rows === 0 || c.y.cols === 0) {
        return { data: c.out ?? allocate<T>(input, 0, 'the result'), radii: c.radii, zeroGroups: c.groupCount };
      }
      const inPlace = c.out !== undefined && check.overlap(c.out, input) === 'same';
      // Small per-group vectors are copied: the caller keeps theirs.
      const r = Float64Array.from(c.radii);
      const norms = c.norms === undefined ? undefined : Float64Array.from(c.norms);
      const src = isShared(input) ? input : await snapshot(input, 'y.data', aborted);
      let dst: T;
      if (inPlace) dst = src;
      else if (c.out !== undefined && isShared(c.out)) dst = c.out;
      else if (c.out === undefined && src !== input) dst = src;
      else dst = allocate<T>(input, n, 'a private copy of the result, as long as y.data');
      if (aborted()) return { data: dst, radii: c.radii, zeroGroups: 0 };
      const z = await native.applyRadiiAsync(c.kind, src, c.y.rows, c.y.cols, c.groups, r, norms, c.kind === 0 ? norms : undefined, dst, flag);
      if (z === -NATIVE_STATUS.aborted || aborted()) return { data: dst, radii: c.radii, zeroGroups: 0 };
      if (z < 0) throw statusError(z, src, 'y.data');
      let data = dst;
      if (c.out !== undefined && dst !== c.out) {
        await copyInTurns(dst, c.out, n, 'opts.out', () => false);
        data = c.out;
      }
      return { data, radii: c.radii, zeroGroups: z };
    });
  })();
}
