// AbortSignal handling shared by every async entry point.
import { describe } from './validate';

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
  if (!isAbortSignal(v)) throw new TypeError(`Expected an AbortSignal for ${name} but received ${describe(v)}`);
  return v;
}

/** What an aborted call rejects with: the signal's reason, else an AbortError. */
export function abortReason(signal: AbortSignal | undefined): unknown {
  if (signal?.reason !== undefined) return signal.reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
