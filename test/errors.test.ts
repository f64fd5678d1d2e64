// Every bad input the README's Conventions list gets a TypeError or RangeError whose message
// names the argument, and `out` is left byte for byte as it was. Errors are
// asserted by { name, message }: under jest, classes from another realm would
// fail instanceof.
import * as bp from '../lib';

type ErrName = 'TypeError' | 'RangeError';

const good = () => ({ data: Float64Array.from([1, -2, 3, 0.5, 4, -1]), rows: 2, cols: 3 });

function detached(n: number): Float64Array {
  const a = new Float64Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

interface Bad {
  what: string;
  y?: unknown;
  eta?: unknown;
  opts?: unknown;
  error: ErrName;
  names: string;
}

// y, eta and opts are replaced one at a time in an otherwise good call.
const BAD: Bad[] = [
  { what: 'y missing', y: undefined, error: 'TypeError', names: 'y' },
  { what: 'y null', y: null, error: 'TypeError', names: 'y' },
  { what: 'y a number', y: 3, error: 'TypeError', names: 'y' },
  { what: 'y a typed array', y: new Float64Array(4), error: 'TypeError', names: 'y' },
  { what: 'y.data an Array', y: { data: [1, 2], rows: 1, cols: 2 }, error: 'TypeError', names: 'y.data' },
  { what: 'y.data an Int32Array', y: { data: new Int32Array(2), rows: 1, cols: 2 }, error: 'TypeError', names: 'y.data' },
  { what: 'y.data a BigInt64Array', y: { data: new BigInt64Array(2), rows: 1, cols: 2 }, error: 'TypeError', names: 'y.data' },
  { what: 'y.data a DataView', y: { data: new DataView(new ArrayBuffer(16)), rows: 1, cols: 2 }, error: 'TypeError', names: 'y.data' },
  { what: 'y.data detached', y: { data: detached(6), rows: 2, cols: 3 }, error: 'TypeError', names: 'y.data' },
  { what: 'y.rows a string', y: { data: new Float64Array(6), rows: '2', cols: 3 }, error: 'TypeError', names: 'y.rows' },
  { what: 'y.cols missing', y: { data: new Float64Array(6), rows: 2 }, error: 'TypeError', names: 'y.cols' },
  { what: 'y.rows negative', y: { data: new Float64Array(6), rows: -2, cols: -3 }, error: 'RangeError', names: 'y.rows' },
  { what: 'y.rows fractional', y: { data: new Float64Array(6), rows: 1.5, cols: 4 }, error: 'RangeError', names: 'y.rows' },
  { what: 'y.cols NaN', y: { data: new Float64Array(6), rows: 2, cols: NaN }, error: 'RangeError', names: 'y.cols' },
  { what: 'y.cols Infinity', y: { data: new Float64Array(6), rows: 2, cols: Infinity }, error: 'RangeError', names: 'y.cols' },
  { what: 'y.rows beyond 2^53', y: { data: new Float64Array(6), rows: 2 ** 60, cols: 3 }, error: 'RangeError', names: 'y.rows' },
  { what: 'rows * cols beyond 2^53', y: { data: new Float64Array(6), rows: 2 ** 30, cols: 2 ** 30 }, error: 'RangeError', names: 'y.data' },
  { what: 'length != rows * cols', y: { data: new Float64Array(6), rows: 2, cols: 2 }, error: 'RangeError', names: 'y.data' },
  { what: 'a NaN entry', y: { data: Float64Array.from([1, 2, NaN, 4, 5, 6]), rows: 2, cols: 3 }, error: 'RangeError', names: 'y.data' },
  { what: 'an Infinity entry', y: { data: Float64Array.from([1, 2, 3, 4, 5, Infinity]), rows: 2, cols: 3 }, error: 'RangeError', names: 'y.data' },
  { what: 'a -Infinity float32 entry', y: { data: Float32Array.from([-Infinity, 2, 3, 4, 5, 6]), rows: 2, cols: 3 }, error: 'RangeError', names: 'y.data' },
  { what: 'eta missing', eta: undefined, error: 'TypeError', names: 'eta' },
  { what: 'eta a string', eta: '1', error: 'TypeError', names: 'eta' },
  { what: 'eta a bigint', eta: 1n, error: 'TypeError', names: 'eta' },
  { what: 'eta negative', eta: -1, error: 'RangeError', names: 'eta' },
  { what: 'eta NaN', eta: NaN, error: 'RangeError', names: 'eta' },
  { what: 'eta Infinity', eta: Infinity, error: 'RangeError', names: 'eta' },
  { what: 'opts a number', opts: 5, error: 'TypeError', names: 'opts' },
  { what: 'opts null', opts: null, error: 'TypeError', names: 'opts' },
  { what: 'opts.groups unknown', opts: { groups: 'cols' }, error: 'RangeError', names: 'opts.groups' },
  { what: 'opts.groups a number', opts: { groups: 1 }, error: 'TypeError', names: 'opts.groups' },
  { what: 'opts.out of the other type', opts: { out: new Float32Array(6) }, error: 'TypeError', names: 'opts.out' },
  { what: 'opts.out an Array', opts: { out: [0, 0, 0, 0, 0, 0] }, error: 'TypeError', names: 'opts.out' },
  { what: 'opts.out too short', opts: { out: new Float64Array(5) }, error: 'RangeError', names: 'opts.out' },
  { what: 'opts.out detached', opts: { out: detached(6) }, error: 'TypeError', names: 'opts.out' },
  // A misspelt key must not be ignored: { group: 'rows' } would project columns.
  { what: 'an unknown option key', opts: { group: 'rows' }, error: 'RangeError', names: 'opts.group' },
  { what: 'an option of another function', opts: { signal: undefined, keep: 3 }, error: 'RangeError', names: 'opts.keep' },
];

type Call = (y: unknown, eta: unknown, opts: unknown) => unknown;

const FUNCS: [string, Call, string][] = [
  ['bilevelL1Inf', (y, e, o) => bp.bilevelL1Inf(y as bp.Matrix, e as number, o as object), 'eta'],
  ['bilevelL11', (y, e, o) => bp.bilevelL11(y as bp.Matrix, e as number, o as object), 'eta'],
  ['bilevelL12', (y, e, o) => bp.bilevelL12(y as bp.Matrix, e as number, o as object), 'eta'],
  ['projectL1Inf', (y, e, o) => bp.projectL1Inf(y as bp.Matrix, e as number, o as object), 'eta'],
  ['proxLInf1', (y, e, o) => bp.proxLInf1(y as bp.Matrix, e as number, o as object), 'alpha'],
];

function expectRejected(fn: () => unknown, error: ErrName, name: string) {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  // Every error of the package carries a stable code: a bad entry is data,
  // not an argument of the wrong kind or range.
  const msg0 = (thrown as Error | undefined)?.message ?? '';
  const code = /Expected finite entries/.test(msg0) ? 'ERR_BP_NON_FINITE' : 'ERR_BP_INVALID_ARGUMENT';
  expect(thrown).toMatchObject({ name: error, code });
  const msg = (thrown as Error).message;
  // The argument's name appears as a word (y.data, not just "data").
  expect(msg).toMatch(new RegExp(`(^|[^\\w.])${name.replace('.', '\\.')}($|[^\\w])`));
}

describe.each(FUNCS)('%s rejects bad input, naming the argument, without writing', (_name, call, etaName) => {
  test.each(BAD)('$what', (b) => {
    const y = 'y' in b ? b.y : good();
    const eta = 'eta' in b ? b.eta : 1;
    // Unless the case is about opts, pass a sentinel-filled out of the right type.
    const isF32 = (y as { data?: unknown } | null)?.data instanceof Float32Array;
    const opts = 'opts' in b ? b.opts : { out: (isF32 ? new Float32Array(6) : new Float64Array(6)).fill(-42.5) };
    const out = (opts as { out?: unknown } | null)?.out;
    const bytes = () => (ArrayBuffer.isView(out) && out.byteLength > 0 ? Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('hex') : '');
    const before = bytes();
    const name = b.names === 'eta' ? etaName : b.names;
    expectRejected(() => call(y, eta, opts), b.error, name);
    expect(bytes()).toBe(before);
  });

  test('opts.out overlapping y.data without being it', () => {
    const buf = new Float64Array(10).fill(1);
    const data = buf.subarray(0, 6);
    const out = buf.subarray(2, 8);
    const before = buf.slice();
    expectRejected(() => call({ data, rows: 2, cols: 3 }, 1, { out }), 'RangeError', 'opts.out');
    expect(Array.from(buf)).toEqual(Array.from(before));
  });

  test('empty matrices are valid: 0 x 0, 0 x k, k x 0, with either grouping', () => {
    for (const [rows, cols] of [[0, 0], [0, 4], [3, 0]]) {
      for (const groups of ['columns', 'rows'] as const) {
        const r = call({ data: new Float64Array(0), rows, cols }, 1, { groups }) as bp.Projection;
        expect(r.data.length).toBe(0);
        const ng = groups === 'columns' ? cols : rows;
        expect(r.radii.length).toBe(ng);
        expect(r.radii.every((v) => v === 0)).toBe(true);
        expect([0, ng]).toContain(r.zeroGroups);
      }
    }
  });
});

describe('method', () => {
  test.each([
    ['fast', 'RangeError'],
    [3, 'TypeError'],
    [null, 'TypeError'],
  ] as const)('opts.method = %p is refused', (method, error) => {
    const out = new Float64Array(6).fill(7);
    expectRejected(() => bp.projectL1Inf(good(), 1, { method: method as never, out }), error, 'opts.method');
    expectRejected(() => bp.proxLInf1(good(), 1, { method: method as never, out }), error, 'opts.method');
    expect(out.every((v) => v === 7)).toBe(true);
  });

  test("'newton' and 'sort' are both listed and the default is one of them", () => {
    expect([...bp.EXACT_METHODS]).toEqual(expect.arrayContaining(['newton', 'sort']));
    expect(bp.EXACT_METHODS).toContain(bp.DEFAULT_EXACT_METHOD);
  });
});

describe('projectL1Ball', () => {
  test.each([
    ['v an Array', [1, 2], 1, undefined, 'TypeError', 'v'],
    ['v an Int8Array', new Int8Array(2), 1, undefined, 'TypeError', 'v'],
    ['v detached', detached(3), 1, undefined, 'TypeError', 'v'],
    ['a NaN entry', Float64Array.from([1, NaN]), 1, undefined, 'RangeError', 'v'],
    ['eta negative', new Float64Array(2), -0.5, undefined, 'RangeError', 'eta'],
    ['eta a string', new Float64Array(2), 'x', undefined, 'TypeError', 'eta'],
    ['opts.out the wrong type', new Float64Array(2), 1, { out: new Float32Array(2) }, 'TypeError', 'opts.out'],
    ['opts.out the wrong length', new Float64Array(2), 1, { out: new Float64Array(3) }, 'RangeError', 'opts.out'],
  ] as const)('%s', (_w, v, eta, opts, error, name) => {
    expectRejected(() => bp.projectL1Ball(v as never, eta as never, opts as never), error, name);
  });

  test('writes nothing when an entry is not finite', () => {
    const out = new Float64Array(3).fill(5);
    expectRejected(() => bp.projectL1Ball(Float64Array.from([1, 2, Infinity]), 1, { out }), 'RangeError', 'v');
    expect(Array.from(out)).toEqual([5, 5, 5]);
  });

  test('the empty vector is valid', () => {
    expect(bp.projectL1Ball(new Float32Array(0), 1)).toEqual(new Float32Array(0));
  });
});

describe('norm', () => {
  test.each([
    ['kind unknown', good(), 'l2', undefined, 'RangeError', 'kind'],
    ['kind missing', good(), undefined, undefined, 'TypeError', 'kind'],
    ['y.data not floats', { data: [1], rows: 1, cols: 1 }, 'l11', undefined, 'TypeError', 'y.data'],
    ['a NaN entry', { data: Float64Array.from([NaN]), rows: 1, cols: 1 }, 'l11', undefined, 'RangeError', 'y.data'],
    ['opts.groups unknown', good(), 'l11', { groups: 'diagonal' }, 'RangeError', 'opts.groups'],
  ] as const)('%s', (_w, y, kind, opts, error, name) => {
    expectRejected(() => bp.norm(y as never, kind as never, opts as never), error, name);
  });

  test('empty matrices have norm 0', () => {
    for (const kind of ['l1inf', 'l11', 'l12', 'linf1'] as const) {
      expect(bp.norm({ data: new Float64Array(0), rows: 0, cols: 3 }, kind)).toBe(0);
    }
  });
});
