// Every error this package throws carries a stable string `code`, so that
// callers (and the CLI's exit status) branch on the code, never on the
// message. One factory per kind of failure; nothing else in lib/ constructs
// an Error.
//
//   ERR_BP_INVALID_ARGUMENT  a wrong kind of value (TypeError) or a value out
//                            of range (RangeError); the message names the argument
//   ERR_BP_NON_FINITE        a NaN or infinite entry where finite numbers are needed
//   ERR_BP_OUT_OF_MEMORY     an array or the kernels' scratch could not be had
//   ERR_BP_FILE              a file could not be read or written
//   ERR_BP_PARSE             a CSV or model file is malformed (says where)
//   ERR_BP_NATIVE            the addon returned a status it should not (a bug)
//   ABORT_ERR                an AbortSignal fired (Node's own code for aborts)
//   ERR_BP_MISSING_PEER      an optional peer a subpath needs is not installed

export const ERROR_CODES = [
  'ERR_BP_INVALID_ARGUMENT',
  'ERR_BP_NON_FINITE',
  'ERR_BP_OUT_OF_MEMORY',
  'ERR_BP_FILE',
  'ERR_BP_PARSE',
  'ERR_BP_NATIVE',
  'ABORT_ERR',
  'ERR_BP_MISSING_PEER',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error of this package: a standard error class with a `code`. */
export type CodedError<E extends Error = Error> = E & { code: ErrorCode };

function withCode<E extends Error>(err: E, code: ErrorCode): CodedError<E> {
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return err as CodedError<E>;
}

/**
 * A short, safe description of any value for an error message: its kind and,
 * for small values, the value itself. Never calls the value's own methods.
 */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object') {
    let name: string | undefined;
    try {
      name = (v as object).constructor?.name;
    } catch {
      name = undefined;
    }
    if (ArrayBuffer.isView(v)) return `a ${name ?? 'typed array'} of length ${(v as unknown as { length?: number }).length ?? (v as ArrayBufferView).byteLength}`;
    if (Array.isArray(v)) return `an Array of length ${v.length}`;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof v}`;
}

/** A value of the wrong kind: "Expected <expected> for <name> but received <received>". */
export function invalidType(name: string, expected: string, received: unknown): CodedError<TypeError> {
  return withCode(new TypeError(`Expected ${expected} for ${name} but received ${describe(received)}`), 'ERR_BP_INVALID_ARGUMENT');
}

/** A value of the right kind but out of range: same message shape, a RangeError. */
export function invalidValue(name: string, expected: string, received: unknown): CodedError<RangeError> {
  return withCode(new RangeError(`Expected ${expected} for ${name} but received ${describe(received)}`), 'ERR_BP_INVALID_ARGUMENT');
}

/**
 * The one factory in the manner of sharp's: a TypeError when `received` is
 * not even of the expected kind (`kindOk` false), a RangeError otherwise.
 */
export function invalid(name: string, expected: string, received: unknown, kindOk = false): CodedError<TypeError | RangeError> {
  return kindOk ? invalidValue(name, expected, received) : invalidType(name, expected, received);
}

/** A free-form argument error (shapes that disagree, conflicting options). */
export function argumentError(message: string, kind: 'type' | 'range' = 'range'): CodedError<TypeError | RangeError> {
  return withCode(kind === 'type' ? new TypeError(message) : new RangeError(message), 'ERR_BP_INVALID_ARGUMENT');
}

/** An option key the function does not know: names it and lists the known ones. */
export function unknownOption(name: string, key: string, known: readonly string[]): CodedError<RangeError> {
  const list = known.length > 0 ? known.map((k) => `'${k}'`).join(', ') : 'none';
  return withCode(
    new RangeError(`Unknown option '${key}' in ${name}: ${name}.${key} is not an option of this call; known options: ${list}`),
    'ERR_BP_INVALID_ARGUMENT',
  );
}

export function nonFinite(message: string): CodedError<RangeError> {
  return withCode(new RangeError(message), 'ERR_BP_NON_FINITE');
}

export function outOfMemory(what: string): CodedError<RangeError> {
  return withCode(new RangeError(`Not enough memory for ${what}`), 'ERR_BP_OUT_OF_MEMORY');
}

export function fileError(message: string, cause?: unknown): CodedError<Error> {
  const err = new Error(message, cause === undefined ? undefined : { cause });
  return withCode(err, 'ERR_BP_FILE');
}

export function nativeError(message: string): CodedError<Error> {
  return withCode(new Error(`bilevel-projection: ${message}`), 'ERR_BP_NATIVE');
}

/** An optional peer dependency is not installed: one line that says what to install. */
export function missingPeer(message: string): CodedError<Error> {
  return withCode(new Error(message), 'ERR_BP_MISSING_PEER');
}

/** Gives an error made elsewhere (a DOMException, a parser's error) a code if it has none. */
export function ensureCode<E extends Error>(err: E, code: ErrorCode): CodedError<E> {
  return typeof (err as { code?: unknown }).code === 'string' ? (err as CodedError<E>) : withCode(err, code);
}

/** Adds `code` to an error of a subclass (CsvError, ModelError) at construction. */
export function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const c = (err as { code?: unknown }).code;
  return typeof c === 'string' ? c : undefined;
}

/** Native status codes (negative return values of the addon) and their meaning. */
export const NATIVE_STATUS = { nonFinite: 1, outOfMemory: 2, aborted: 3 } as const;
