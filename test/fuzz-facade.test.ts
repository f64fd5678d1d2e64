// Fuzzing the public API: fast-check throws arbitrary values at every
// argument of every public function (wrong types, BigInt and integer arrays,
// DataView, SharedArrayBuffer views, detached and resizable buffers,
// NaN/+-Infinity/-0, fractional, negative and huge shapes, an out that
// aliases part of the input...) and requires, call by call, one of:
//  - a correct result: the same bits as the same call on clean private
//    copies, data === opts.out when given, radii and zeroGroups of the right
//    length and range, and not one byte outside opts.out written;
//  - a TypeError or RangeError whose message names an argument that is
//    actually wrong (the spec below, written from the README's contract,
//    independently of lib/validate.ts), with the right class for it
//    (TypeError: wrong kind of value; RangeError: right kind, bad value);
// and in both cases no byte of any buffer it was given changed unless it is
// the result. The ...Async twins must never throw synchronously and obey the
// same rules when their Promise settles.
//
// FUZZ_RUNS scales every property (FUZZ_RUNS=100000 runs 100,000 calls per
// property). Errors are compared by { name, message }: under jest the
// library's classes may come from another realm.
import fc from 'fast-check';
import { types } from 'util';
import * as bp from '../lib';
import * as datasets from '../lib/datasets';

const SCALE = Number(process.env.FUZZ_RUNS ?? '') || 0;
const runs = (n: number) => ({ numRuns: SCALE > 0 ? SCALE : n });

// ---------------------------------------------------------------------------
// Memory the builder made, so that the spec knows what aliases what without
// asking the library: every ArrayBuffer/SharedArrayBuffer gets a memory id
// (a structuredClone of a SharedArrayBuffer is another object over the same
// memory: same id), and every view the builder detached is remembered.

const memoryId = new WeakMap<object, number>();
let nextMemory = 1;
const detachedViews = new WeakSet<object>();

function track<T extends ArrayBufferLike>(buf: T, id = nextMemory++): T {
  memoryId.set(buf, id);
  return buf;
}

function detach<T extends ArrayBufferView>(v: T): T {
  structuredClone(v.buffer, { transfer: [v.buffer as ArrayBuffer] });
  detachedViews.add(v);
  return v;
}

type Float = Float32Array | Float64Array;
const isFloat = (v: unknown): v is Float => types.isFloat32Array(v) || types.isFloat64Array(v);
const isF64 = (v: unknown): boolean => types.isFloat64Array(v);

// ---------------------------------------------------------------------------
// The zoo: values of every kind a caller could pass by mistake. Factories, so
// that each run gets fresh objects.

const zooFactories: (() => unknown)[] = [
  () => undefined,
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -0,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => 1.5,
  () => -1,
  () => 2 ** 31,
  () => 2 ** 32,
  () => 2 ** 53,
  () => 2 ** 53 + 2,
  () => 1e308,
  () => Number.MAX_VALUE,
  () => Number.MIN_VALUE,
  () => 0n,
  () => 3n,
  () => 2n ** 64n,
  () => '',
  () => '2',
  () => 'columns',
  () => 'rows',
  () => 'newton',
  () => 'sort',
  () => 'l11',
  () => Symbol('s'),
  () => () => 1,
  () => class {},
  () => ({}),
  () => Object.create(null),
  () => [],
  () => [1, 2, 3, 4, 5, 6],
  () => new Date(0),
  () => new Map(),
  () => /re/,
  () => new Error('e'),
  () => new Number(1),
  () => new String('rows'),
  () => Promise.resolve(1),
  () => new ArrayBuffer(48),
  () => new SharedArrayBuffer(48),
  () => new DataView(new ArrayBuffer(48)),
  () => new DataView(new SharedArrayBuffer(48)),
  () => new Int8Array(6),
  () => new Uint8Array(6),
  () => new Uint8ClampedArray(6),
  () => new Int16Array(6),
  () => new Uint16Array(6),
  () => new Int32Array(6),
  () => new Uint32Array(6),
  () => new BigInt64Array(6),
  () => new BigUint64Array(6),
  () => new Float32Array(6),
  () => new Float64Array(6),
  () => new Float64Array(new SharedArrayBuffer(48)),
  () => detach(new Float64Array(6)),
  () => detach(new Float32Array(6)),
  () => new Proxy(new Float64Array(6), {}),
  () => ({ data: new Float64Array(6), rows: 2, cols: 3 }),
  () => ({ aborted: false, addEventListener() {}, removeEventListener() {} }),
];
const zoo = fc.integer({ min: 0, max: zooFactories.length - 1 }).map((i) => zooFactories[i]());

// Numbers as shapes: right ones, wrong ones, huge ones.
const shapeNumber = fc.oneof(
  fc.integer({ min: 0, max: 8 }),
  fc.constantFrom(-1, -0, 0.5, 2.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1e308),
);

// Entries: ordinary, special (+-0, subnormal, 1e308, float32 overflow) and,
// rarely, non-finite.
const entry = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
  { weight: 3, arbitrary: fc.constantFrom(0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-40, 3.4e38, -3.4e38, 1e308, -1e308, Number.MAX_VALUE) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity) },
);

// ---------------------------------------------------------------------------
// Plans (what fast-check generates and shrinks) and the concrete arguments
// built from them.

type Storage = 'plain' | 'offset' | 'shared' | 'sharedOffset' | 'resizable' | 'subclass';

interface DataPlan {
  f32: boolean;
  storage: Storage;
  rows: number;
  cols: number;
  values: number[];
}

const dataPlan = fc.record({
  f32: fc.boolean(),
  storage: fc.constantFrom<Storage>('plain', 'offset', 'shared', 'sharedOffset', 'resizable', 'subclass'),
  rows: fc.integer({ min: 0, max: 6 }),
  cols: fc.integer({ min: 0, max: 6 }),
  values: fc.array(entry, { minLength: 1, maxLength: 36 }),
});

class MyFloat64Array extends Float64Array {}
class MyFloat32Array extends Float32Array {}

/** The typed-array constructors' types take ArrayBuffer only; SharedArrayBuffer works the same. */
const asAB = (b: ArrayBufferLike) => b as unknown as ArrayBuffer;

const PAD = 4; // elements before an offset view; after it there is room for a disjoint copy

function makeFloat(plan: DataPlan, n: number): Float {
  const C = plan.f32 ? Float32Array : Float64Array;
  const bytes = C.BYTES_PER_ELEMENT;
  let a: Float;
  switch (plan.storage) {
    case 'plain':
      a = new C(track(new ArrayBuffer(n * bytes)));
      break;
    case 'offset':
      a = new C(track(new ArrayBuffer((PAD + 2 * n + PAD) * bytes)), PAD * bytes, n);
      break;
    case 'shared':
      a = new C(asAB(track(new SharedArrayBuffer(n * bytes))));
      break;
    case 'sharedOffset':
      a = new C(asAB(track(new SharedArrayBuffer((PAD + 2 * n + PAD) * bytes))), PAD * bytes, n);
      break;
    case 'resizable': {
      const buf = track(new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(n * bytes, { maxByteLength: (n + 8) * bytes }));
      a = new C(buf); // length-tracking
      break;
    }
    default:
      a = plan.f32 ? new MyFloat32Array(track(new ArrayBuffer(n * bytes))) : new MyFloat64Array(track(new ArrayBuffer(n * bytes)));
  }
  // The bytes around an offset view are a recognisable pattern.
  if (a.byteOffset > 0 || a.buffer.byteLength > a.byteLength) new Uint8Array(a.buffer).fill(0xa5);
  for (let i = 0; i < n; i++) a[i] = plan.values[i % plan.values.length];
  return a;
}

type OutKind =
  | 'none' | 'fresh' | 'freshShared' | 'inPlace' | 'overlapBefore' | 'overlapAfter' | 'disjointSameBuffer'
  | 'otherType' | 'shorter' | 'longer' | 'detached' | 'sharedCloneSame' | 'sharedCloneShifted' | 'zoo';
const outKind = fc.constantFrom<OutKind>(
  ...(['none', 'fresh', 'freshShared', 'inPlace', 'overlapBefore', 'overlapAfter', 'disjointSameBuffer',
    'otherType', 'shorter', 'longer', 'detached', 'sharedCloneSame', 'sharedCloneShifted', 'zoo'] as const),
);

function makeOut(kind: OutKind, data: unknown, zooValue: unknown): unknown {
  if (kind === 'none') return undefined;
  if (kind === 'zoo') return zooValue;
  const base: Float = isFloat(data) && !detachedViews.has(data) ? data : new Float64Array(6);
  const C = isF64(base) ? Float64Array : Float32Array;
  const n = base.length, b = C.BYTES_PER_ELEMENT;
  const fill = (a: Float) => a.fill(-42.5);
  const onSame = (buf: ArrayBufferLike, shift: number): Float | undefined => {
    const off = base.byteOffset + shift * b;
    if (off < 0 || off + n * b > buf.byteLength) return undefined;
    return new C(buf as ArrayBuffer, off, n);
  };
  switch (kind) {
    case 'fresh': return fill(new C(track(new ArrayBuffer(n * b))));
    case 'freshShared': return fill(new C(asAB(track(new SharedArrayBuffer(n * b)))));
    case 'inPlace': return base;
    case 'overlapBefore': return onSame(base.buffer, -1) ?? fill(new C(n + 1));
    case 'overlapAfter': return n > 1 ? onSame(base.buffer, 1) ?? fill(new C(n + 1)) : fill(new C(n + 1));
    case 'disjointSameBuffer': return onSame(base.buffer, n) ?? fill(new C(n));
    case 'otherType': return fill(isF64(base) ? new Float32Array(n) : new Float64Array(n));
    case 'shorter': return fill(new C(Math.max(0, n - 1)));
    case 'longer': return fill(new C(n + 1));
    case 'detached': return detach(new C(n));
    case 'sharedCloneSame':
    case 'sharedCloneShifted': {
      if (!types.isSharedArrayBuffer(base.buffer)) return fill(new C(n));
      const clone = structuredClone(base.buffer) as SharedArrayBuffer;
      track(clone, memoryId.get(base.buffer)); // the same memory under another object
      return onSame(clone, kind === 'sharedCloneSame' ? 0 : 1) ?? fill(new C(n));
    }
  }
  return undefined;
}

interface MatrixPlan {
  data: DataPlan;
  // What to do to the well-formed matrix.
  mutate: 'none' | 'rows' | 'cols' | 'both' | 'data' | 'whole' | 'missing' | 'hugeEmpty' | 'getters';
  rows: number;
  cols: number;
  zooValue: unknown;
  huge: number;
}

const matrixPlan = fc.record({
  data: dataPlan,
  mutate: fc.constantFrom(...(['none', 'none', 'none', 'rows', 'cols', 'both', 'data', 'whole', 'missing', 'hugeEmpty', 'getters'] as const)) as fc.Arbitrary<MatrixPlan['mutate']>,
  rows: shapeNumber,
  cols: shapeNumber,
  zooValue: zoo,
  huge: fc.constantFrom(2 ** 40, 2 ** 52, 2 ** 53 - 1),
});

function makeMatrix(p: MatrixPlan, groups: unknown): unknown {
  const { rows, cols } = p.data;
  switch (p.mutate) {
    case 'whole': return p.zooValue;
    case 'hugeEmpty': {
      // An empty matrix whose group count is far beyond any allocation.
      const data = makeFloat(p.data, 0);
      return groups === 'rows' ? { data, rows: p.huge, cols: 0 } : { data, rows: 0, cols: p.huge };
    }
    default:
  }
  const data = makeFloat(p.data, rows * cols);
  switch (p.mutate) {
    case 'rows': return { data, rows: p.rows, cols };
    case 'cols': return { data, rows, cols: p.cols };
    case 'both': return { data, rows: p.rows, cols: p.cols };
    case 'data': return { data: p.zooValue, rows, cols };
    case 'missing': return { data, rows };
    case 'getters': {
      const m = {};
      Object.defineProperty(m, 'data', { get: () => data, enumerable: true });
      Object.defineProperty(m, 'rows', { get: () => rows, enumerable: true });
      Object.defineProperty(m, 'cols', { get: () => cols, enumerable: true });
      return m;
    }
    default: return { data, rows, cols };
  }
}

/**
 * Valid empty shapes with a huge dimension are made harmless before the call
 * (today they are bugs with their own tests, run where they cannot hurt):
 *  - a huge non-group dimension (rows of a 2^40 x 0 matrix grouped by
 *    columns) makes the kernels walk 2^40 empty rows: minutes to days of CPU,
 *    with the event loop blocked (test/stress.test.ts, in a child process);
 *    it becomes 3;
 *  - a huge group count asks for that many radii: between 2^20 and 2^40 an
 *    allocation a large machine might grant and then have to touch, so it
 *    becomes 2^40, which no allocator grants.
 */
function defuseEmpty(y: unknown, opts: unknown): void {
  if (!isObjectArg(y)) return;
  const m = y as Record<string, unknown>;
  let data: unknown, rows: unknown, cols: unknown;
  try {
    ({ data, rows, cols } = m);
  } catch {
    return;
  }
  if (!isFloat(data) || detachedViews.has(data) || data.length !== 0) return;
  if (!Object.getOwnPropertyDescriptor(m, 'rows')?.writable || !Object.getOwnPropertyDescriptor(m, 'cols')?.writable) return;
  const byRows = isObjectArg(opts) && (opts as Record<string, unknown>).groups === 'rows';
  const big = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 2 ** 20;
  const groupKey = byRows ? 'rows' : 'cols', otherKey = byRows ? 'cols' : 'rows';
  const other = otherKey === 'rows' ? rows : cols, group = groupKey === 'rows' ? rows : cols;
  if (big(other)) m[otherKey] = 3;
  if (big(group)) m[groupKey] = Math.max(group as number, 2 ** 40);
}

const radiusArb = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 50, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, 5e-324, 1e-300, 1e308, Number.MAX_VALUE) },
  { weight: 3, arbitrary: zoo },
);

type SignalKind = 'none' | 'live' | 'aborted' | 'fake' | 'zoo';
interface OptsPlan {
  whole: 'object' | 'undefined' | 'zoo';
  groups: 'absent' | 'columns' | 'rows' | 'zoo';
  out: OutKind;
  method: 'absent' | 'newton' | 'sort' | 'stream' | 'zoo';
  signal: SignalKind;
  zooValue: unknown;
  zooValue2: unknown;
}

const optsPlan = fc.record({
  whole: fc.constantFrom('object', 'object', 'object', 'undefined', 'zoo') as fc.Arbitrary<OptsPlan['whole']>,
  groups: fc.constantFrom('absent', 'columns', 'rows', 'zoo') as fc.Arbitrary<OptsPlan['groups']>,
  out: outKind,
  method: fc.constantFrom('absent', 'newton', 'sort', 'stream', 'zoo') as fc.Arbitrary<OptsPlan['method']>,
  signal: fc.constantFrom<SignalKind>(...(['none', 'none', 'live', 'aborted', 'fake', 'zoo'] as const)),
  zooValue: zoo,
  zooValue2: zoo,
});

const realSignals = new WeakSet<object>();

function makeOpts(p: OptsPlan, data: unknown, withMethod: boolean, withSignal: boolean): unknown {
  if (p.whole === 'undefined') return undefined;
  if (p.whole === 'zoo') return p.zooValue;
  const o: Record<string, unknown> = {};
  if (p.groups !== 'absent') o.groups = p.groups === 'zoo' ? p.zooValue : p.groups;
  if (p.out !== 'none') o.out = makeOut(p.out, data, p.zooValue2);
  if (withMethod && p.method !== 'absent') o.method = p.method === 'zoo' ? p.zooValue2 : p.method;
  if (withSignal && p.signal !== 'none') {
    if (p.signal === 'live' || p.signal === 'aborted') {
      const ac = new AbortController();
      if (p.signal === 'aborted') ac.abort();
      realSignals.add(ac.signal);
      o.signal = ac.signal;
    } else if (p.signal === 'fake') {
      o.signal = { aborted: false, addEventListener() {}, removeEventListener() {} };
    } else {
      o.signal = p.zooValue;
    }
  }
  return o;
}

// ---------------------------------------------------------------------------
// The spec: which arguments are wrong, and with which error class.

type Cls = 'TypeError' | 'RangeError';
interface Violation {
  names: string[];
  cls: Cls;
  /** A doubtful case (a duck-typed AbortSignal): success is acceptable too. */
  soft?: boolean;
  /**
   * Found only when the work runs (a non-finite entry, radii too many to
   * allocate): an already aborted signal may win, rejecting with AbortError.
   */
  late?: boolean;
}

const isObjectArg = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** An options argument: a plain object (any realm's Object.prototype, or none). */
const isOptionsArg = (v: unknown) => {
  if (!isObjectArg(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype || proto?.constructor?.name === 'Object';
};

/** Every key a call does not know, given a value, is a RangeError naming opts.<key>. */
function checkKeys(opts: unknown, known: readonly string[], v: Violation[]): void {
  if (!isOptionsArg(opts)) return;
  for (const k of Object.keys(opts as object)) {
    if (!known.includes(k) && (opts as Record<string, unknown>)[k] !== undefined) v.push({ names: [`opts.${k}`], cls: 'RangeError' });
  }
}
const isLive = (v: Float) => !detachedViews.has(v);

function sameMemory(a: Float, b: Float): boolean {
  const ia = memoryId.get(a.buffer), ib = memoryId.get(b.buffer);
  return a.buffer === b.buffer || (ia !== undefined && ia === ib);
}

function checkFloatArg(v: unknown, name: string, out: Violation[]): Float | undefined {
  if (!isFloat(v) || !isLive(v)) {
    out.push({ names: [name], cls: 'TypeError' });
    return undefined;
  }
  return v;
}

function checkDim(v: unknown, name: string, out: Violation[]): number | undefined {
  if (typeof v !== 'number') {
    out.push({ names: [name], cls: 'TypeError' });
    return undefined;
  }
  if (!Number.isSafeInteger(v) || v < 0) {
    out.push({ names: [name], cls: 'RangeError' });
    return undefined;
  }
  return v;
}

function checkRadius(v: unknown, name: string, out: Violation[]) {
  if (typeof v !== 'number') out.push({ names: [name], cls: 'TypeError' });
  else if (!Number.isFinite(v) || v < 0) out.push({ names: [name], cls: 'RangeError' });
}

function checkEnum(v: unknown, allowed: readonly string[], name: string, out: Violation[]) {
  if (v === undefined || allowed.includes(v as string)) return;
  out.push({ names: [name], cls: typeof v === 'string' ? 'RangeError' : 'TypeError' });
}

/** opts.out against the input array (name: 'y.data' or 'v'). */
function checkOut(o: unknown, input: Float | undefined, out: Violation[]) {
  if (o === undefined) return;
  if (!isFloat(o) || !isLive(o)) {
    out.push({ names: ['opts.out'], cls: 'TypeError' });
    return;
  }
  if (input === undefined) return;
  if (isF64(o) !== isF64(input)) {
    out.push({ names: ['opts.out'], cls: 'TypeError' });
    return;
  }
  if (o.length !== input.length) {
    out.push({ names: ['opts.out'], cls: 'RangeError' });
    return;
  }
  if (sameMemory(o, input) && o.byteOffset !== input.byteOffset) {
    const a0 = input.byteOffset, a1 = a0 + input.byteLength, b0 = o.byteOffset, b1 = b0 + o.byteLength;
    if (a0 < b1 && b0 < a1) out.push({ names: ['opts.out'], cls: 'RangeError' });
  }
}

interface CheckedMatrix {
  data: Float;
  rows: number;
  cols: number;
}

function checkMatrix(y: unknown, out: Violation[]): CheckedMatrix | undefined {
  if (!isObjectArg(y)) {
    out.push({ names: ['y'], cls: 'TypeError' });
    return undefined;
  }
  const m = y as Record<string, unknown>;
  const data = checkFloatArg(m.data, 'y.data', out);
  const rows = checkDim(m.rows, 'y.rows', out);
  const cols = checkDim(m.cols, 'y.cols', out);
  if (data === undefined || rows === undefined || cols === undefined) return undefined;
  if (BigInt(rows) * BigInt(cols) !== BigInt(data.length)) {
    out.push({ names: ['y.data', 'y.rows', 'y.cols'], cls: 'RangeError' });
    return undefined;
  }
  return { data, rows, cols };
}

const allFinite = (a: Float) => a.every((v) => Number.isFinite(v));
/** More groups than any typed array can hold: the radii cannot exist. */
const TOO_MANY_GROUPS = 2 ** 32;

interface Fn {
  name: string;
  kind: 'projection' | 'ball' | 'norm';
  exact?: boolean;
  etaName: string;
  sync: (...a: unknown[]) => unknown;
  async?: (...a: unknown[]) => Promise<unknown>;
}

const PROJECTIONS: Fn[] = [
  { name: 'bilevelL1Inf', kind: 'projection', etaName: 'eta', sync: bp.bilevelL1Inf as never, async: bp.bilevelL1InfAsync as never },
  { name: 'bilevelL11', kind: 'projection', etaName: 'eta', sync: bp.bilevelL11 as never, async: bp.bilevelL11Async as never },
  { name: 'bilevelL12', kind: 'projection', etaName: 'eta', sync: bp.bilevelL12 as never, async: bp.bilevelL12Async as never },
  { name: 'projectL1Inf', kind: 'projection', exact: true, etaName: 'eta', sync: bp.projectL1Inf as never, async: bp.projectL1InfAsync as never },
  { name: 'proxLInf1', kind: 'projection', exact: true, etaName: 'alpha', sync: bp.proxLInf1 as never, async: bp.proxLInf1Async as never },
];

interface Expectation {
  violations: Violation[];
  /** Valid arguments and an already aborted signal: the call rejects with AbortError. */
  aborted: boolean;
  matrix?: CheckedMatrix;
  groups: 'columns' | 'rows';
}

function expectProjection(fn: Fn, y: unknown, eta: unknown, opts: unknown, isAsync: boolean): Expectation {
  const v: Violation[] = [];
  const m = checkMatrix(y, v);
  checkRadius(eta, fn.etaName, v);
  let groups: 'columns' | 'rows' = 'columns';
  let aborted = false;
  if (opts !== undefined && !isOptionsArg(opts)) v.push({ names: ['opts'], cls: 'TypeError' });
  else if (opts !== undefined) {
    const o = opts as Record<string, unknown>;
    checkKeys(o, ['groups', 'out', ...(fn.exact ? ['method'] : []), ...(isAsync ? ['signal'] : [])], v);
    checkEnum(o.groups, ['columns', 'rows'], 'opts.groups', v);
    if (o.groups === 'rows') groups = 'rows';
    checkOut(o.out, m?.data, v);
    if (fn.exact) checkEnum(o.method, ['newton', 'sort', 'stream'], 'opts.method', v);
    if (isAsync && o.signal !== undefined) {
      if (realSignals.has(o.signal as object)) aborted = (o.signal as AbortSignal).aborted;
      else {
        const s = o.signal as { aborted?: unknown; addEventListener?: unknown } | null;
        const duck = typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function';
        v.push({ names: ['opts.signal'], cls: 'TypeError', soft: duck });
      }
    }
  }
  if (m) {
    const ng = groups === 'rows' ? m.rows : m.cols;
    if (ng >= TOO_MANY_GROUPS) v.push({ names: [groups === 'rows' ? 'y.rows' : 'y.cols'], cls: 'RangeError', late: true });
    if (isLive(m.data) && !allFinite(m.data)) v.push({ names: ['y.data'], cls: 'RangeError', late: true });
  }
  return { violations: v, aborted, matrix: m, groups };
}

// ---------------------------------------------------------------------------
// Observing the call: every buffer's bytes before and after.

function buffersOf(...vals: unknown[]): ArrayBufferLike[] {
  const set = new Set<ArrayBufferLike>();
  const visit = (v: unknown) => {
    if (ArrayBuffer.isView(v) && !detachedViews.has(v)) set.add(v.buffer);
    else if (isObjectArg(v) || (typeof v === 'object' && v !== null)) {
      for (const k of ['data', 'out']) {
        try {
          const w = (v as Record<string, unknown>)[k];
          if (ArrayBuffer.isView(w) && !detachedViews.has(w)) set.add(w.buffer);
        } catch {
          /* a getter that throws is not ours */
        }
      }
    }
  };
  vals.forEach(visit);
  return [...set];
}

function snapshot(bufs: ArrayBufferLike[]): Uint8Array[] {
  return bufs.map((b) => new Uint8Array(b).slice());
}

/** Indices of bytes of buf that changed, outside [from, to). */
function changedOutside(buf: ArrayBufferLike, before: Uint8Array, from: number, to: number): number[] {
  const now = new Uint8Array(buf);
  const bad: number[] = [];
  for (let i = 0; i < before.length && bad.length < 4; i++) {
    if ((i < from || i >= to) && now[i] !== before[i]) bad.push(i);
  }
  return bad;
}

// Calls made and how they ended, printed at the end of the file.
const tally = { calls: 0, errors: 0, results: 0, aborts: 0 };
afterAll(() => {
  console.log(`facade fuzz: ${tally.calls} calls: ${tally.errors} TypeError/RangeError naming a wrong argument, ${tally.results} correct results, ${tally.aborts} AbortError; no byte of any buffer changed by a failing call`);
});

function mentions(message: string, name: string): boolean {
  return new RegExp(`(^|[^\\w.])${name.replace(/\./g, '\\.')}($|[^\\w])`).test(message);
}

function describeError(e: unknown): string {
  return e instanceof Object && 'name' in e ? `${(e as Error).name}: ${(e as Error).message}` : String(e);
}

/** The error is one the spec allows: the right class, naming a wrong argument. */
function assertAllowedError(e: unknown, ex: Expectation) {
  const err = e as { name?: unknown; message?: unknown };
  const name = String(err?.name), message = String(err?.message);
  tally.calls++;
  if (name === 'AbortError') tally.aborts++;
  else tally.errors++;
  if (ex.aborted && name === 'AbortError' && ex.violations.every((v) => v.late)) return;
  if (ex.violations.length === 0) {
    throw new Error(`valid arguments but the call failed with ${describeError(e)}`);
  }
  const ok = ex.violations.some((v) => v.cls === name && v.names.some((n) => mentions(message, n)));
  if (!ok) {
    const want = ex.violations.map((v) => `${v.cls} naming ${v.names.join('|')}`).join(', or ');
    throw new Error(`expected ${want}; got ${describeError(e)}`);
  }
}

function assertUnchanged(bufs: ArrayBufferLike[], before: Uint8Array[], what: string) {
  bufs.forEach((b, k) => {
    const bad = changedOutside(b, before[k], 0, 0);
    if (bad.length > 0) throw new Error(`${what}: bytes ${bad.join(', ')} of a ${b.constructor.name} of ${b.byteLength} bytes changed`);
  });
}

/** A successful projection: the result's shape, and no byte written outside the result. */
function assertProjectionResult(r: unknown, ex: Expectation, opts: unknown, bufs: ArrayBufferLike[], before: Uint8Array[]) {
  tally.calls++;
  tally.results++;
  const m = ex.matrix!;
  const res = r as bp.Projection;
  const out = (opts as { out?: Float } | undefined)?.out;
  if (out !== undefined) expect(res.data).toBe(out);
  else expect(res.data.constructor.name).toBe(isF64(m.data) ? 'Float64Array' : 'Float32Array');
  expect(res.data.length).toBe(m.data.length);
  expect(types.isFloat64Array(res.radii)).toBe(true);
  const ng = (ex.groups === 'rows' ? m.rows : m.cols) + 0; // -0 is a valid shape
  expect(res.radii.length).toBe(ng);
  expect(Number.isInteger(res.zeroGroups) && res.zeroGroups >= 0 && res.zeroGroups <= ng).toBe(true);
  expect(allFinite(res.data)).toBe(true);
  const resultMemory = memoryId.get(res.data.buffer) ?? res.data.buffer;
  bufs.forEach((b, k) => {
    const inside = (memoryId.get(b) ?? b) === resultMemory;
    const from = inside ? res.data.byteOffset : 0, to = inside ? res.data.byteOffset + res.data.byteLength : 0;
    const bad = changedOutside(b, before[k], from, to);
    if (bad.length > 0) throw new Error(`bytes ${bad.join(', ')} outside the result changed (a ${b.constructor.name} of ${b.byteLength} bytes)`);
  });
}

/** y.data as it was before the call (the call may have projected it in place). */
function cleanCopy(data: Float, bufs: ArrayBufferLike[], before: Uint8Array[]): number[] {
  const k = bufs.indexOf(data.buffer);
  const bytes = before[k].slice(data.byteOffset, data.byteOffset + data.byteLength);
  const C = isF64(data) ? Float64Array : Float32Array;
  return Array.from(new C(bytes.buffer, 0, data.length));
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function checkAgainstClean(fn: Fn, res: bp.Projection, ex: Expectation, eta: number, opts: unknown, bufs: ArrayBufferLike[], before: Uint8Array[]) {
  const m = ex.matrix!;
  const C = isF64(m.data) ? Float64Array : Float32Array;
  const clean = { data: C.from(cleanCopy(m.data, bufs, before)), rows: m.rows, cols: m.cols };
  const o = opts as Record<string, unknown> | undefined;
  const cleanOpts: Record<string, unknown> = { groups: ex.groups };
  if (fn.exact && o?.method !== undefined) cleanOpts.method = o.method;
  const ref = fn.sync(clean, eta, cleanOpts) as bp.Projection;
  if (!sameBits(res.data, ref.data)) throw new Error('the result differs from the same call on clean copies');
  if (!sameBits(res.radii, ref.radii)) throw new Error('the radii differ from the same call on clean copies');
  expect(res.zeroGroups).toBe(ref.zeroGroups);
}

// ---------------------------------------------------------------------------
// The properties.

const projectionCase = fc.record({
  fn: fc.integer({ min: 0, max: PROJECTIONS.length - 1 }),
  y: matrixPlan,
  eta: radiusArb,
  opts: optsPlan,
});

function buildProjection(c: { fn: number; y: MatrixPlan; eta: unknown; opts: OptsPlan }, isAsync: boolean) {
  const fn = PROJECTIONS[c.fn];
  const groupsHint = c.opts.groups === 'rows' ? 'rows' : 'columns';
  const y = makeMatrix(c.y, groupsHint);
  const data = isObjectArg(y) ? (y as { data?: unknown }).data : undefined;
  const opts = makeOpts(c.opts, data, !!fn.exact, isAsync);
  defuseEmpty(y, opts);
  return { fn, y, eta: c.eta, opts };
}

describe('every projection, synchronous', () => {
  test('a correct result, or a TypeError/RangeError naming a wrong argument, and nothing else written', () => {
    fc.assert(
      fc.property(projectionCase, (c) => {
        const { fn, y, eta, opts } = buildProjection(c, false);
        const ex = expectProjection(fn, y, eta, opts, false);
        const bufs = buffersOf(y, opts);
        const before = snapshot(bufs);
        let result: unknown, error: unknown, threw = false;
        try {
          result = fn.sync(y, eta, opts);
        } catch (e) {
          threw = true;
          error = e;
        }
        if (threw) {
          assertAllowedError(error, ex);
          assertUnchanged(bufs, before, `${fn.name} failed (${describeError(error)}) but wrote`);
          return;
        }
        if (ex.violations.some((v) => !v.soft)) {
          throw new Error(`${fn.name} succeeded although ${ex.violations.map((v) => v.names[0]).join(', ')} is wrong`);
        }
        assertProjectionResult(result, ex, opts, bufs, before);
        checkAgainstClean(fn, result as bp.Projection, ex, eta as number, opts, bufs, before);
      }),
      runs(3000),
    );
  });
});

describe('every projection, asynchronous', () => {
  test('never throws synchronously; settles as the synchronous rules say', async () => {
    await fc.assert(
      fc.asyncProperty(projectionCase, async (c) => {
        const { fn, y, eta, opts } = buildProjection(c, true);
        const ex = expectProjection(fn, y, eta, opts, true);
        const bufs = buffersOf(y, opts);
        const before = snapshot(bufs);
        let p: unknown;
        try {
          p = fn.async!(y, eta, opts);
        } catch (e) {
          throw new Error(`${fn.name}Async threw synchronously: ${describeError(e)}`);
        }
        expect(p).toBeInstanceOf(Promise);
        let result: unknown, error: unknown, rejected = false;
        try {
          result = await p;
        } catch (e) {
          rejected = true;
          error = e;
        }
        if (rejected) {
          assertAllowedError(error, ex);
          assertUnchanged(bufs, before, `${fn.name}Async rejected (${describeError(error)}) but wrote`);
          return;
        }
        if (ex.aborted) throw new Error(`${fn.name}Async resolved although its signal was aborted`);
        if (ex.violations.some((v) => !v.soft)) {
          throw new Error(`${fn.name}Async resolved although ${ex.violations.map((v) => v.names[0]).join(', ')} is wrong`);
        }
        assertProjectionResult(result, ex, opts, bufs, before);
        checkAgainstClean(fn, result as bp.Projection, ex, eta as number, opts, bufs, before);
      }),
      runs(1000),
    );
  });
});

describe('projectL1Ball', () => {
  const ballCase = fc.record({
    v: fc.oneof({ weight: 4, arbitrary: dataPlan.map((d) => ({ d, zoo: false as const })) }, { weight: 1, arbitrary: zoo.map((z) => ({ z, zoo: true as const })) }),
    eta: radiusArb,
    opts: optsPlan,
  });
  test('a correct result, or a TypeError/RangeError naming a wrong argument, and nothing else written', () => {
    fc.assert(
      fc.property(ballCase, (c) => {
        const v = c.v.zoo ? c.v.z : makeFloat(c.v.d, c.v.d.values.length);
        const opts = makeOpts({ ...c.opts, groups: 'absent' }, v, false, false);
        const viol: Violation[] = [];
        const vv = checkFloatArg(v, 'v', viol);
        checkRadius(c.eta, 'eta', viol);
        if (opts !== undefined && !isOptionsArg(opts)) viol.push({ names: ['opts'], cls: 'TypeError' });
        else {
          checkKeys(opts, ['out'], viol);
          checkOut((opts as { out?: unknown } | undefined)?.out, vv, viol);
        }
        if (vv && !allFinite(vv)) viol.push({ names: ['v'], cls: 'RangeError' });
        const ex: Expectation = { violations: viol, aborted: false, groups: 'columns' };
        const bufs = buffersOf(v, opts);
        const before = snapshot(bufs);
        let result: unknown, error: unknown, threw = false;
        try {
          result = bp.projectL1Ball(v as Float64Array, c.eta as number, opts as never);
        } catch (e) {
          threw = true;
          error = e;
        }
        if (threw) {
          assertAllowedError(error, ex);
          assertUnchanged(bufs, before, `projectL1Ball failed (${describeError(error)}) but wrote`);
          return;
        }
        if (viol.length > 0) throw new Error(`projectL1Ball succeeded although ${viol.map((x) => x.names[0]).join(', ')} is wrong`);
        tally.calls++;
        tally.results++;
        const x = result as Float;
        const out = (opts as { out?: Float } | undefined)?.out;
        if (out !== undefined) expect(x).toBe(out);
        expect(isF64(x)).toBe(isF64(vv));
        expect(x.length).toBe(vv!.length);
        expect(allFinite(x)).toBe(true);
        // Same bits as on a clean copy, and ||x||_1 <= eta up to rounding.
        const k = bufs.indexOf(vv!.buffer);
        const C = isF64(vv) ? Float64Array : Float32Array;
        const clean = C.from(new C(before[k].slice(vv!.byteOffset, vv!.byteOffset + vv!.byteLength).buffer));
        const ref = bp.projectL1Ball(clean, c.eta as number);
        if (!sameBits(x, ref)) throw new Error('the result differs from the same call on a clean copy');
        const l1 = Array.from(x).reduce((s, a) => s + Math.abs(a), 0);
        expect(l1).toBeLessThanOrEqual((c.eta as number) * (1 + 1e-12) + 1e-300);
        const resultMemory = memoryId.get(x.buffer) ?? x.buffer;
        bufs.forEach((b, i) => {
          const inside = (memoryId.get(b) ?? b) === resultMemory;
          const bad = changedOutside(b, before[i], inside ? x.byteOffset : 0, inside ? x.byteOffset + x.byteLength : 0);
          if (bad.length > 0) throw new Error(`bytes ${bad.join(', ')} outside the result changed`);
        });
      }),
      runs(3000),
    );
  });
});

describe('norm', () => {
  const normCase = fc.record({
    y: matrixPlan,
    kind: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('l1inf', 'l11', 'l12', 'linf1') }, { weight: 1, arbitrary: zoo }),
    opts: optsPlan,
  });
  test('a number >= 0, or a TypeError/RangeError naming a wrong argument, and nothing written', () => {
    fc.assert(
      fc.property(normCase, (c) => {
        const y = makeMatrix(c.y, c.opts.groups === 'rows' ? 'rows' : 'columns');
        const opts = makeOpts({ ...c.opts, out: 'none' }, undefined, false, false);
        defuseEmpty(y, opts);
        const viol: Violation[] = [];
        const m = checkMatrix(y, viol);
        checkEnum(c.kind, ['l1inf', 'l11', 'l12', 'linf1'], 'kind', viol);
        if (c.kind === undefined) viol.push({ names: ['kind'], cls: 'TypeError' });
        let groups = 'columns';
        if (opts !== undefined && !isOptionsArg(opts)) viol.push({ names: ['opts'], cls: 'TypeError' });
        else if (opts !== undefined) {
          checkKeys(opts, ['groups'], viol);
          checkEnum((opts as Record<string, unknown>).groups, ['columns', 'rows'], 'opts.groups', viol);
          if ((opts as Record<string, unknown>).groups === 'rows') groups = 'rows';
        }
        if (m && !allFinite(m.data)) viol.push({ names: ['y.data'], cls: 'RangeError' });
        // An empty matrix has norm 0 whatever its group count; failing for lack of memory may name the shape.
        if (m && (groups === 'rows' ? m.rows : m.cols) >= TOO_MANY_GROUPS) viol.push({ names: ['y.rows', 'y.cols', 'y.data'], cls: 'RangeError', soft: true });
        const ex: Expectation = { violations: viol, aborted: false, groups: 'columns' };
        const bufs = buffersOf(y);
        const before = snapshot(bufs);
        let r: unknown, error: unknown, threw = false;
        try {
          r = bp.norm(y as bp.Matrix, c.kind as bp.NormKind, opts as never);
        } catch (e) {
          threw = true;
          error = e;
        }
        assertUnchanged(bufs, before, 'norm wrote to its input');
        if (threw) return assertAllowedError(error, ex);
        if (viol.some((v) => !v.soft)) throw new Error(`norm succeeded although ${viol.map((x) => x.names[0]).join(', ')} is wrong`);
        tally.calls++;
        tally.results++;
        expect(typeof r).toBe('number');
        expect((r as number) >= 0).toBe(true);
        if (m && m.data.length === 0) expect(r).toBe(0);
      }),
      runs(3000),
    );
  });
});

describe('setThreadCount / getThreadCount', () => {
  test('an integer from 0 to 1024 is accepted; anything else is a TypeError/RangeError naming n', () => {
    const initial = bp.getThreadCount();
    try {
      fc.assert(
        fc.property(fc.oneof(fc.integer({ min: -3, max: 1030 }), zoo), (n) => {
          const viol: Violation[] = [];
          if (typeof n !== 'number') viol.push({ names: ['n'], cls: 'TypeError' });
          else if (!Number.isInteger(n) || n < 0 || n > 1024) viol.push({ names: ['n'], cls: 'RangeError' });
          let threw = false, error: unknown;
          try {
            const before = bp.setThreadCount(n as number);
            expect(Number.isInteger(before) && before >= 1).toBe(true);
          } catch (e) {
            threw = true;
            error = e;
          }
          if (threw) assertAllowedError(error, { violations: viol, aborted: false, groups: 'columns' });
          else expect(viol).toEqual([]);
          const now = bp.getThreadCount();
          expect(Number.isInteger(now) && now >= 1 && now <= 1024).toBe(true);
        }),
        runs(500),
      );
    } finally {
      bp.setThreadCount(initial);
    }
    expect(bp.getThreadCount()).toBe(initial);
  });
});

describe('makeClassification', () => {
  const KEYS = ['nSamples', 'nFeatures', 'nInformative', 'nRedundant', 'nRepeated', 'nClasses', 'nClustersPerClass', 'weights', 'flipY', 'classSep', 'hypercube', 'shift', 'scale', 'shuffle', 'randomState'] as const;
  // Small valid values, so that a valid call stays fast (sizes that cannot be
  // allocated are tested in a child process with a memory limit: test/stress.test.ts).
  const goodValue: Record<(typeof KEYS)[number], fc.Arbitrary<unknown>> = {
    nSamples: fc.integer({ min: 1, max: 40 }),
    nFeatures: fc.integer({ min: 1, max: 12 }),
    nInformative: fc.integer({ min: 1, max: 4 }),
    nRedundant: fc.integer({ min: 0, max: 3 }),
    nRepeated: fc.integer({ min: 0, max: 2 }),
    nClasses: fc.integer({ min: 1, max: 3 }),
    nClustersPerClass: fc.integer({ min: 1, max: 2 }),
    weights: fc.oneof(fc.constant(null), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 })),
    flipY: fc.double({ min: 0, max: 1, noNaN: true }),
    classSep: fc.double({ min: 0.1, max: 3, noNaN: true }),
    hypercube: fc.boolean(),
    shift: fc.oneof(fc.constant(null), fc.double({ min: -3, max: 3, noNaN: true })),
    scale: fc.oneof(fc.constant(null), fc.double({ min: 0.1, max: 3, noNaN: true })),
    shuffle: fc.boolean(),
    randomState: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  };
  // Safe integers above 10^4 are left out here: makeClassification allocates
  // them (a weights array of nClasses entries, X of nSamples * nFeatures) and
  // today that can exhaust the heap (a fatal abort) or take minutes; those
  // sizes are tested in a child process (test/stress.test.ts, Resources).
  const smallZoo = zoo.filter(
    (v) => !(typeof v === 'number' && Number.isSafeInteger(v) && v > 1e4),
  );
  const optsArb = fc.oneof(
    { weight: 1, arbitrary: smallZoo },
    {
      weight: 6,
      arbitrary: fc.record(
        Object.fromEntries(KEYS.map((k) => [k, fc.oneof({ weight: 5, arbitrary: goodValue[k] }, { weight: 1, arbitrary: smallZoo })])) as Record<string, fc.Arbitrary<unknown>>,
        { requiredKeys: [] },
      ),
    },
  );
  test('a data set of the asked shape, or a TypeError/RangeError naming opts or one of its keys', () => {
    fc.assert(
      fc.property(optsArb, (opts) => {
        let r: ReturnType<typeof datasets.makeClassification> | undefined, error: unknown;
        try {
          r = datasets.makeClassification(opts as never);
        } catch (e) {
          error = e;
        }
        if (r === undefined) {
          const e = error as Error;
          expect(['TypeError', 'RangeError']).toContain(e?.name);
          const names = ['opts', ...KEYS.map((k) => `opts.${k}`)];
          if (!names.some((n) => mentions(e.message, n))) throw new Error(`the error names no argument: ${describeError(e)}`);
          return;
        }
        const o = (isObjectArg(opts) ? opts : {}) as Record<string, unknown>;
        const n = (o.nSamples as number | undefined) ?? 100, m = (o.nFeatures as number | undefined) ?? 20;
        expect(r.X.rows).toBe(n);
        expect(r.X.cols).toBe(m);
        expect(r.X.data.length).toBe(n * m);
        expect(r.y.length).toBe(n);
        expect(r.informative.length).toBe(m);
        // Finite unless classSep/shift/scale overflow it: 1e308 passes their
        // checks and then gives Infinity, or NaN (2 * classSep = Infinity, times
        // a 0 vertex coordinate), as numpy would.
        const huge = ['classSep', 'shift', 'scale'].some((k) => typeof o[k] === 'number' && Math.abs(o[k] as number) > 1e300);
        if (!huge) expect(allFinite(r.X.data)).toBe(true);
      }),
      runs(1500),
    );
  });
});

// ---------------------------------------------------------------------------
// The specific cases the properties found, one test each: regressions that
// failed before their fix.

describe('regressions found by the facade fuzzer', () => {
  const named = (fn: () => unknown, cls: Cls, name: string) => {
    let e: unknown;
    try {
      fn();
    } catch (err) {
      e = err;
    }
    expect(e).toBeDefined();
    expect({ name: (e as Error).name, names: mentions((e as Error).message, name), message: (e as Error).message }).toMatchObject({ name: cls, names: true });
  };

  test('an empty matrix with more groups than can be allocated: RangeError naming y.cols (or y.rows)', () => {
    for (const n of [2 ** 33, 2 ** 40, 2 ** 53 - 1]) {
      for (const f of PROJECTIONS) {
        named(() => f.sync({ data: new Float64Array(0), rows: 0, cols: n }, 1), 'RangeError', 'y.cols');
        named(() => f.sync({ data: new Float64Array(0), rows: n, cols: 0 }, 1, { groups: 'rows' }), 'RangeError', 'y.rows');
      }
    }
  });

  test('the norm of an empty matrix is 0 whatever its group count', () => {
    for (const kind of ['l1inf', 'l11', 'l12', 'linf1'] as const) {
      expect(bp.norm({ data: new Float64Array(0), rows: 0, cols: 2 ** 40 }, kind)).toBe(0);
      expect(bp.norm({ data: new Float32Array(0), rows: 2 ** 53 - 1, cols: 0 }, kind, { groups: 'rows' })).toBe(0);
    }
  });

  test('an out over another SharedArrayBuffer object of the same memory, partly overlapping: RangeError naming opts.out', async () => {
    const sab = new SharedArrayBuffer(10 * 8);
    const data = new Float64Array(sab, 0, 6).fill(1);
    const out = new Float64Array(structuredClone(sab), 8, 6); // same memory, shifted by one entry
    for (const f of PROJECTIONS) {
      named(() => f.sync({ data, rows: 2, cols: 3 }, 1, { out }), 'RangeError', 'opts.out');
      await expect(f.async!({ data, rows: 2, cols: 3 }, 1, { out })).rejects.toMatchObject({ name: 'RangeError', message: expect.stringMatching(/opts\.out/) });
    }
    named(() => bp.projectL1Ball(data, 1, { out }), 'RangeError', 'opts.out');
  });

  test('a duck-typed signal: a TypeError naming opts.signal (only a real AbortSignal is accepted, as in Node\'s own APIs)', async () => {
    const signal = { aborted: false, addEventListener() {}, removeEventListener() {} };
    for (const f of PROJECTIONS) {
      await expect(f.async!({ data: Float64Array.from([1, -2, 3, 4]), rows: 2, cols: 2 }, 1, { signal } as never)).rejects.toMatchObject({
        name: 'TypeError',
        message: expect.stringMatching(/opts\.signal/),
      });
    }
  });

  test('an object that only claims to be an AbortSignal: a TypeError naming opts.signal, never Node\'s ERR_INVALID_THIS', async () => {
    const fake = Object.create(AbortSignal.prototype) as AbortSignal;
    for (const f of PROJECTIONS) {
      await expect(f.async!({ data: Float64Array.from([1, -2, 3, 4]), rows: 2, cols: 2 }, 1, { signal: fake })).rejects.toMatchObject({
        name: 'TypeError',
        message: expect.stringMatching(/opts\.signal/),
      });
    }
  });

  test('an option getter that detaches y.data: the error names y.data, and nothing is written', async () => {
    for (const f of PROJECTIONS) {
      // The keys each call reads (a key it does not know is never read).
      for (const key of ['groups', 'out', ...(f.exact ? ['method'] : [])] as const) {
        const data = Float64Array.from([1, -2, 3, 4]);
        const opts = Object.defineProperty({}, key, {
          get() {
            structuredClone(data.buffer, { transfer: [data.buffer] });
            return undefined;
          },
        });
        named(() => f.sync({ data, rows: 2, cols: 2 }, 1, opts), 'TypeError', 'y.data');
        const data2 = Float64Array.from([1, -2, 3, 4]);
        const opts2 = Object.defineProperty({}, key, {
          get() {
            structuredClone(data2.buffer, { transfer: [data2.buffer] });
            return undefined;
          },
        });
        await expect(f.async!({ data: data2, rows: 2, cols: 2 }, 1, opts2)).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(/y\.data/) });
      }
      const data3 = Float64Array.from([1, -2, 3, 4]);
      const opts3 = Object.defineProperty({}, 'signal', {
        get() {
          structuredClone(data3.buffer, { transfer: [data3.buffer] });
          return undefined;
        },
      });
      await expect(f.async!({ data: data3, rows: 2, cols: 2 }, 1, opts3)).rejects.toMatchObject({ name: 'TypeError', message: expect.stringMatching(/y\.data/) });
    }
    // The matrix's own getters, likewise: all three are read before any is checked.
    const data = Float64Array.from([1, -2, 3, 4]);
    const y = { data, get rows() { structuredClone(data.buffer, { transfer: [data.buffer] }); return 2; }, cols: 2 };
    named(() => bp.bilevelL1Inf(y, 1), 'TypeError', 'y.data');
  });

  test('makeClassification with detached weights: a TypeError naming opts.weights', () => {
    named(() => datasets.makeClassification({ weights: detach(Float64Array.from([0.5, 0.5])) }), 'TypeError', 'opts.weights');
  });

  test('a Float64Array subclass whose length lies: a TypeError/RangeError naming y.data (or v)', () => {
    class Liar extends Float64Array {
      override get length() {
        return 4;
      }
    }
    for (const f of PROJECTIONS) named(() => f.sync({ data: new Liar(6), rows: 2, cols: 2 }, 1), 'RangeError', 'y.data');
    let e: Error | undefined;
    try {
      bp.projectL1Ball(new Liar(6), 1);
    } catch (err) {
      e = err as Error;
    }
    // Either it works on the real memory or it names v.
    if (e) expect(mentions(e.message, 'v') || mentions(e.message, 'opts.out')).toBe(true);
  });
});
