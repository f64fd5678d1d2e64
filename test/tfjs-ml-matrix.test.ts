// bilevel-projection/ml-matrix: one copy each way between ml-matrix's array of
// row Float64Arrays and this library's row-major block, entries unchanged.
import { Matrix, MatrixTransposeView } from 'ml-matrix';
import * as bp from '../lib';
import { fromMlMatrix, toMlMatrix } from '../lib/ml-matrix';

describe('ml-matrix adapters', () => {
  const rows = [
    [1, -2, 0.5, 3],
    [0.25, 4, -1, 0],
    [-3, 0.125, 2, -0.75],
  ];

  test('fromMlMatrix copies a Matrix into a row-major Float64Array: (i, j) at i * cols + j', () => {
    const m = new Matrix(rows);
    const y = fromMlMatrix(m);
    expect(y.rows).toBe(3);
    expect(y.cols).toBe(4);
    expect(y.data).toBeInstanceOf(Float64Array);
    expect(Array.from(y.data)).toEqual(rows.flat());
    y.data[0] = 99; // a copy: the ml-matrix is not changed
    expect(m.get(0, 0)).toBe(1);
  });

  test('fromMlMatrix reads views (no row arrays) through get(i, j)', () => {
    const t = new MatrixTransposeView(new Matrix(rows));
    const y = fromMlMatrix(t);
    expect([y.rows, y.cols]).toEqual([4, 3]);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) expect(y.data[i * 3 + j]).toBe(rows[j][i]);
  });

  test('toMlMatrix(fromMlMatrix(m)) equals m; Float32 data is widened exactly', () => {
    const m = new Matrix(rows);
    expect(toMlMatrix(fromMlMatrix(m)).to2DArray()).toEqual(rows);
    const f = toMlMatrix({ data: Float32Array.from([0.1, 2, 3, 4]), rows: 2, cols: 2 });
    expect(f.get(0, 0)).toBe(Math.fround(0.1));
    expect(Matrix.isMatrix(f)).toBe(true);
  });

  test('a projection round trip: columns zeroed in the ml-matrix are the ones the projection zeroed', () => {
    const y = fromMlMatrix(new Matrix(rows));
    const p = bp.bilevelL1Inf(y, 2);
    const back = toMlMatrix({ ...y, data: p.data });
    for (let j = 0; j < 4; j++) {
      const zero = back.getColumn(j).every((v) => v === 0);
      expect(zero).toBe(p.radii[j] === 0);
    }
    expect(p.zeroGroups).toBeGreaterThan(0);
  });

  test('bad arguments name m or p', () => {
    expect(() => fromMlMatrix([[1, 2]] as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringContaining('m') }));
    expect(() => fromMlMatrix({ rows: -1, columns: 2, get: () => 0 })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('m.rows') }));
    expect(() => toMlMatrix({ data: new Float64Array(3), rows: 2, cols: 2 })).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringContaining('p.data') }));
    expect(() => toMlMatrix(new Matrix(rows) as never)).toThrow(expect.objectContaining({ name: 'TypeError', message: expect.stringContaining('p.data') }));
  });
});
