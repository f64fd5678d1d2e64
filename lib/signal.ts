// AbortSignal handling shared by every async entry point.
import { ensureCode, invalidType } from './errors';

// AbortSignal.prototype's own 'aborted' getter throws for anything that is
// not a real AbortSignal (Node's brand check), whatever its prototype says.
const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

function isAbortSignal(v: unknown): v is AbortSignal {
  if (typeof v !== 'object' || v === null) return false;
  try {
    abortedGetter.call(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * opts.signal, validated: a real AbortSignal (from AbortController,
 * AbortSignal.timeout() or AbortSignal.any()), as Node's own APIs require.
 */
export function signalOf(v: unknown, name = 'opts.signal'): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (!isAbortSignal(v)) throw invalidType(name, 'an AbortSignal', v);
  return v;
}

/**
 * What an aborted call rejects with, as Node's own APIs do (fs, timers,
 * events.once): an Error named AbortError with code ABORT_ERR, whose `cause`
 * is the signal's reason (the caller's own value, or Node's DOMException).
 */
export function abortReason(signal: AbortSignal | undefined): Error {
  const e = new Error('The operation was aborted', signal?.reason === undefined ? undefined : { cause: signal.reason });
  e.name = 'AbortError';
  return ensureCode(e, 'ABORT_ERR');
}
