// AbortSignal handling shared by every async entry point.
import { describe } from './validate';

/**
 * opts.signal, validated. Anything shaped like an AbortSignal (aborted,
 * reason, add/removeEventListener) is accepted: signals from other realms or
 * polyfills included.
 */
export function signalOf(v: unknown, name = 'opts.signal'): AbortSignal | undefined {
  if (v === undefined) return undefined;
  const s = v as AbortSignal;
  if (typeof v !== 'object' || v === null || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function' ||
      typeof s.removeEventListener !== 'function') {
    throw new TypeError(`Expected an AbortSignal for ${name} but received ${describe(v)}`);
  }
  return s;
}

/** What an aborted call rejects with: the signal's reason, else an AbortError. */
export function abortReason(signal: AbortSignal | undefined): unknown {
  if (signal?.reason !== undefined) return signal.reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
