// The ...Async twins: the same projections on the libuv thread pool, so the
// event loop keeps turning while a large matrix is projected.
//
// Memory safety decides how buffers are handled. A worker thread must never
// touch memory the caller can detach (transfer) or shrink while it runs:
// holding a reference keeps an ArrayBuffer object alive, not its memory once
// transferred. So:
//  - a view of a SharedArrayBuffer (which can neither be detached nor shrink)
//    is read and written in place, zero-copy;
//  - any other input is first copied into a private snapshot, in chunks
//    between event-loop turns, and the kernel runs there; a private result is
//    copied into the caller's `out`, again in chunks, once the work is done.
// Either way the caller's arrays stay theirs and usable after the call.
import { types } from 'util';
import { native } from './native';
import type { NativeOp } from '../binding';
import { DEFAULT_EXACT_METHOD, OP, STATUS_ABORTED, checkArgs, emptyProjection, exactOp, radiiFor, statusError } from './projections';
import type { ExactOptions, FloatArray, Matrix, ProjectOptions, Projection } from './types';
import { abortReason, signalOf } from './signal';
import { argumentError } from './errors';
import { allocate } from './memory';
import * as check from './validate';

export interface AsyncOptions {
  /** Rejects the call with `signal.reason` when aborted (see README, "Async"). */
  signal?: AbortSignal;
}

/** Entries copied per event-loop turn: 1 Mi entries (8 MB of float64) take well under a millisecond. */
const CHUNK = 1 << 20;

function isShared(a: FloatArray): boolean {
  return types.isSharedArrayBuffer(check.bufferOf(a));
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * dst.set(src) in chunks, yielding to the event loop between chunks; fails
 * cleanly if the caller detached or resized `src` or `dst` meanwhile.
 */
async function copyInTurns(src: FloatArray, dst: FloatArray, n: number, names: [string, string], stopped: () => boolean): Promise<void> {
  for (let i = 0; i < n; i += CHUNK) {
    if (stopped()) return;
    for (const [a, name] of [[src, names[0]], [dst, names[1]]] as const) {
      const length = check.lengthOf(a);
      if (length !== n) {
        if (native.isDetached(a)) throw argumentError(`${name} was detached (transferred) while the call was running`, 'type');
        throw argumentError(`${name} was resized while the call was running (length ${length}, expected ${n})`);
      }
    }
    const end = Math.min(n, i + CHUNK);
    dst.set(src.subarray(i, end), i);
    if (end < n) await nextTurn();
  }
}

async function runAsync<T extends FloatArray>(
  op: (opts: check.OptionValues<'method'>) => NativeOp,
  y: unknown,
  eta: unknown,
  opts: unknown,
  etaName: string,
  known: readonly ('groups' | 'out' | 'method' | 'signal')[] = check.ASYNC_KEYS,
): Promise<Projection<T>> {
  const c = checkArgs<T>(y, eta, opts, etaName, known);
  const nativeOp = op(c.opts);
  const signal = signalOf(c.opts.signal);
  if (signal?.aborted) throw abortReason(signal);

  const input = c.y.data as T;
  const n = check.lengthOf(input);
  const userOut = c.out;
  if (c.y.rows === 0 || c.y.cols === 0) {
    return emptyProjection(c, userOut ?? allocate<T>(input, 0, 'the result'));
  }
  const inPlace = userOut !== undefined && check.overlap(userOut, input) === 'same';

  const flag = new Int32Array(new SharedArrayBuffer(4));
  let aborted = false;
  // Once a worker writes straight into the caller's shared memory, an abort
  // can no longer mean "nothing written": the worker's own outcome decides.
  // It polls the flag just before its write pass: stopped there, the call
  // rejects and out is untouched; past it, out is written in full and the
  // call resolves. Either way a rejection means out was not written.
  let writesCallerMemory = false;
  let rejectOnAbort: (reason: unknown) => void = () => {};
  const abortedPromise = new Promise<never>((_, reject) => {
    rejectOnAbort = reject;
  });
  abortedPromise.catch(() => {}); // settled through Promise.race below
  const onAbort = () => {
    aborted = true;
    Atomics.store(flag, 0, 1);
    if (!writesCallerMemory) rejectOnAbort(abortReason(signal));
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const work = async (): Promise<Projection<T>> => {
    // The memory the worker reads: the caller's if shared, else a snapshot.
    let src: T = input;
    if (!isShared(input)) {
      src = allocate<T>(input, n, 'a private snapshot of y.data');
      await copyInTurns(input, src, n, ['y.data', 'y.data'], () => aborted);
    }
    // The memory the worker writes.
    let dst: T;
    if (inPlace) dst = src;
    else if (userOut !== undefined && isShared(userOut)) dst = userOut;
    else if (userOut === undefined && src !== input) dst = src; // project the snapshot in place
    else dst = allocate<T>(input, n, 'a private copy of the result, as long as y.data');
    const radii = radiiFor(c);
    if (aborted) throw abortReason(signal);
    writesCallerMemory = isShared(dst);
    const z = await native.projectAsync(nativeOp, src, c.y.rows, c.y.cols, c.groups, c.eta, dst, radii, flag);
    if (z === -STATUS_ABORTED || (aborted && !writesCallerMemory)) throw abortReason(signal);
    if (z < 0) throw statusError(z, src, 'y.data');
    let data = dst;
    if (userOut !== undefined && dst !== userOut) {
      await copyInTurns(dst, userOut, n, ['y.data', 'opts.out'], () => aborted);
      if (aborted) throw abortReason(signal);
      data = userOut;
    }
    return { data, radii, zeroGroups: z };
  };

  try {
    return await Promise.race([work(), abortedPromise]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

const fixed = (op: NativeOp) => () => op;
const exact = (prox: boolean) => (o: check.OptionValues<'method'>) => exactOp(check.exactMethod(o.method, DEFAULT_EXACT_METHOD), prox);

/** bilevelL1Inf on the thread pool. */
export function bilevelL1InfAsync<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ProjectOptions<T> & AsyncOptions): Promise<Projection<T>> {
  return runAsync<T>(fixed(OP.bilevelL1Inf), y, eta, opts, 'eta');
}

/** bilevelL11 on the thread pool. */
export function bilevelL11Async<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ProjectOptions<T> & AsyncOptions): Promise<Projection<T>> {
  return runAsync<T>(fixed(OP.bilevelL11), y, eta, opts, 'eta');
}

/** bilevelL12 on the thread pool. */
export function bilevelL12Async<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ProjectOptions<T> & AsyncOptions): Promise<Projection<T>> {
  return runAsync<T>(fixed(OP.bilevelL12), y, eta, opts, 'eta');
}

/** projectL1Inf on the thread pool; the Newton method also stops between iterations on abort. */
export function projectL1InfAsync<T extends FloatArray>(y: Matrix<T>, eta: number, opts?: ExactOptions<T> & AsyncOptions): Promise<Projection<T>> {
  return runAsync<T>(exact(false), y, eta, opts, 'eta', check.EXACT_ASYNC_KEYS);
}

/** proxLInf1 on the thread pool. */
export function proxLInf1Async<T extends FloatArray>(y: Matrix<T>, alpha: number, opts?: ExactOptions<T> & AsyncOptions): Promise<Projection<T>> {
  return runAsync<T>(exact(true), y, alpha, opts, 'alpha', check.EXACT_ASYNC_KEYS);
}
