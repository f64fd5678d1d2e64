// The zero-copy contract: the kernel reads the caller's memory where it is
// and writes `out` in place; nothing outside a view is touched; the element
// type is kept.
import * as bp from '../lib';

const SENTINEL = -777.25;

type Run = (y: bp.Matrix, o?: { out?: bp.FloatArray; groups?: bp.Groups }) => bp.Projection | { data: bp.FloatArray };

const RUNS: [string, Run][] = [
  ['bilevelL1Inf', (y, o) => bp.bilevelL1Inf(y, 3, o)],
  ['bilevelL11', (y, o) => bp.bilevelL11(y, 30, o)],
  ['bilevelL12', (y, o) => bp.bilevelL12(y, 8, o)],
  ['projectL1Inf newton', (y, o) => bp.projectL1Inf(y, 3, { ...o, method: 'newton' })],
  ['projectL1Inf sort', (y, o) => bp.projectL1Inf(y, 3, { ...o, method: 'sort' })],
  ['proxLInf1', (y, o) => bp.proxLInf1(y, 3, o)],
  ['projectL1Ball', (y, o) => ({ data: bp.projectL1Ball(y.data, 30, { out: o?.out }) })],
];

function sample(n: number): number[] {
  // Deterministic, signed, with ties.
  return Array.from({ length: n }, (_, i) => ((((i * 7919) % 23) - 11) / 3) * (i % 5 === 0 ? 2 : 1));
}

describe.each(RUNS)('%s', (_name, run) => {
  const rows = 6, cols = 9, n = rows * cols;

  test.each([Float64Array, Float32Array])('reads a subarray view and writes into one, touching nothing around them (%p)', (Ctor) => {
    const reference = run({ data: Ctor.from(sample(n)), rows, cols });

    const inBuf = new Ctor(n + 10).fill(SENTINEL);
    inBuf.set(sample(n), 3);
    const input = inBuf.subarray(3, 3 + n);
    expect(input.byteOffset).toBe(3 * Ctor.BYTES_PER_ELEMENT);
    const outBuf = new Ctor(n + 10).fill(SENTINEL);
    const out = outBuf.subarray(5, 5 + n);
    const inBefore = inBuf.slice();

    const r = run({ data: input, rows, cols }, { out });
    expect(r.data).toBe(out); // the caller's array itself, not a copy
    expect(Array.from(out)).toEqual(Array.from(reference.data));
    expect(Array.from(inBuf)).toEqual(Array.from(inBefore)); // input only read
    for (const i of [0, 1, 2, 3, 4, n + 5, n + 6, n + 7, n + 8, n + 9]) expect(outBuf[i]).toBe(SENTINEL);
    // The writes went to the caller's memory: another view of the same buffer sees them.
    const alias = new Ctor(outBuf.buffer, 5 * Ctor.BYTES_PER_ELEMENT, n);
    expect(Array.from(alias)).toEqual(Array.from(reference.data));
  });

  test.each([Float64Array, Float32Array])('projects in place with out: y.data (%p)', (Ctor) => {
    const reference = run({ data: Ctor.from(sample(n)), rows, cols });
    const buf = new Ctor(n + 2).fill(SENTINEL);
    buf.set(sample(n), 1);
    const data = buf.subarray(1, 1 + n);
    const r = run({ data, rows, cols }, { out: data });
    expect(r.data).toBe(data);
    expect(Array.from(data)).toEqual(Array.from(reference.data));
    expect(buf[0]).toBe(SENTINEL);
    expect(buf[n + 1]).toBe(SENTINEL);
  });

  test('Float32 in gives Float32 out, Float64 in gives Float64 out', () => {
    expect(run({ data: Float32Array.from(sample(n)), rows, cols }).data).toBeInstanceOf(Float32Array);
    expect(run({ data: Float64Array.from(sample(n)), rows, cols }).data).toBeInstanceOf(Float64Array);
  });

  test('reads a SharedArrayBuffer-backed view in place', () => {
    const sab = new SharedArrayBuffer((n + 4) * 8);
    const data = new Float64Array(sab, 16, n);
    data.set(sample(n));
    const reference = run({ data: Float64Array.from(sample(n)), rows, cols });
    const out = new Float64Array(new SharedArrayBuffer(n * 8));
    expect(Array.from(run({ data, rows, cols }, { out }).data)).toEqual(Array.from(reference.data));
  });
});

test('groups: rows on y equals groups: columns on y transposed', () => {
  const rows = 5, cols = 7;
  const y = Float64Array.from(sample(rows * cols));
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = y[i * cols + j];
  for (const f of [bp.bilevelL1Inf, bp.bilevelL11, bp.bilevelL12, bp.projectL1Inf]) {
    const a = f({ data: y, rows, cols }, 2, { groups: 'rows' });
    const b = f({ data: t, rows: cols, cols: rows }, 2, { groups: 'columns' });
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(a.data[i * cols + j]).toBeCloseTo(b.data[j * rows + i], 14);
    expect(Array.from(a.radii)).toEqual(Array.from(b.radii));
  }
});
