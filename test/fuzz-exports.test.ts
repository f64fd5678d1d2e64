// Every function exported by every entry point keeps the projections'
// contract when handed values of the wrong kind: it returns (or resolves),
// or it throws (or rejects) an Error whose `code` is one of ERROR_CODES, and
// an invalid argument is a TypeError or RangeError. Never a crash, never an
// uncoded error such as "Cannot read properties of undefined". The entries
// are enumerated, so an export added later is fuzzed without a line here.
//
// test/fuzz-facade.test.ts goes deeper for the projections (every byte of
// every buffer); this suite goes wide. FUZZ_RUNS scales it.
import fc from 'fast-check';
import * as main from '../lib';
import * as datasets from '../lib/datasets';
import { ERROR_CODES } from '../lib/errors';
import * as paper from '../lib/paper';
import * as mlMatrix from '../lib/ml-matrix';
import * as sae from '../lib/sae';
import * as tfjs from '../lib/tfjs';

const SCALE = Number(process.env.FUZZ_RUNS ?? '') || 0;
const runs = (n: number) => ({ numRuns: SCALE > 0 ? SCALE : n });

const ENTRIES: [string, Record<string, unknown>][] = [
  ['bilevel-projection', main],
  ['bilevel-projection/sae', sae],
  ['bilevel-projection/datasets', datasets],
  ['bilevel-projection/paper', paper],
  ['bilevel-projection/tfjs', tfjs],
  ['bilevel-projection/ml-matrix', mlMatrix],
];

// Functions that take no argument at all (nothing to get wrong).
const NO_ARGUMENTS = new Set(['getThreadCount']);

function detached(): Float64Array {
  const a = new Float64Array(4);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  // fast-check cannot print a detached array in a counterexample.
  Object.defineProperty(a, fc.toStringMethod, { value: () => 'a detached Float64Array' });
  return a;
}

// Values a caller could pass by mistake. None of them makes an expensive
// call valid: options objects always carry an unknown key, matrices are
// malformed, numbers are out of every range that starts work.
const ZOO: (() => unknown)[] = [
  () => null,
  () => true,
  () => NaN,
  () => -1,
  () => 1.5,
  () => -0,
  () => Infinity,
  () => 2 ** 53,
  () => 'data-64x',
  () => '',
  () => Symbol('bad'),
  () => 10n,
  () => [],
  () => [1, 'a'],
  () => ({ bogusKey: 1 }),
  () => ({ data: 'x', rows: 1, cols: 1 }),
  () => ({ data: new Float64Array(3), rows: 2, cols: 2 }),
  () => new Int32Array(3),
  () => detached(),
  () => new DataView(new ArrayBuffer(8)),
  () => () => 1,
  () => new Date(0),
  () => new Map([['bogusKey', 1]]),
];
const zoo = fc.integer({ min: 0, max: ZOO.length - 1 }).map((i) => ZOO[i]());
const zooOrUndefined = fc.option(zoo, { nil: undefined, freq: 4 });

const show = (v: unknown): string => {
  try {
    return typeof v === 'symbol' || typeof v === 'bigint' ? v.toString() : JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
};

const isClass = (f: unknown) => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

const functions = ENTRIES.flatMap(([entry, mod]) =>
  Object.entries(mod)
    .filter(([name, f]) => typeof f === 'function' && !isClass(f) && !NO_ARGUMENTS.has(name))
    .map(([name, f]) => [`${entry}: ${name}`, f as (...args: unknown[]) => unknown] as const),
);

/** The outcome of one call, sync or async: undefined if it succeeded, else what it threw. */
async function outcome(f: (...args: unknown[]) => unknown, args: unknown[]): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const r = f(...args);
    if (r instanceof Promise || (typeof r === 'object' && r !== null && typeof (r as { then?: unknown }).then === 'function')) {
      // Wrong values must be refused before any work starts: a call that is
      // still running after a few seconds took one of them for valid input.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not settle within 5 s for arguments ${args.map(show).join(', ')}`)), 5000);
      });
      try {
        await Promise.race([r, late]);
      } finally {
        clearTimeout(timer);
      }
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectCoded(error: unknown, label: string): void {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  if (typeof e !== 'object' || e === null || !(ERROR_CODES as readonly unknown[]).includes(e.code)) {
    throw new Error(`${label}: threw an error without a known code: ${String((e as { stack?: string })?.stack ?? e)}`);
  }
  if (e.code === 'ERR_BP_INVALID_ARGUMENT' && e.name !== 'TypeError' && e.name !== 'RangeError') {
    throw new Error(`${label}: an invalid argument must be a TypeError or RangeError, not ${String(e.name)}`);
  }
}

test('every entry point exports functions to fuzz', () => {
  expect(functions.length).toBeGreaterThan(25);
});

describe.each(functions)('%s', (label, f) => {
  test('a first argument of the wrong kind is a coded TypeError or RangeError', async () => {
    const r = await outcome(f, [Symbol('not an argument')]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expectCoded(r.error, label);
      expect((r.error as Error).name).toMatch(/^(TypeError|RangeError)$/);
    }
  });

  test('arbitrary wrong values: a result, or a coded error, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(zoo, fc.array(zooOrUndefined, { maxLength: 4 }), async (first, rest) => {
        const r = await outcome(f, [first, ...rest]);
        if (!r.ok) expectCoded(r.error, label);
      }),
      runs(60),
    );
  });
});
