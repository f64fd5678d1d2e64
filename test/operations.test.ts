// The operation table the addon exports (native/core/operations.hpp): the one
// place operation numbers are defined. These tests tie each name to the kernel
// it runs, so a row of the table that named the wrong kernel would fail here.
import * as bp from '../lib';
import { native } from '../lib/native';
import type { NativeOperationName } from '../binding';

const NAMES = ['bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'exactNewton', 'exactSort', 'proxNewton', 'proxSort', 'exactStream', 'proxStream'] as const satisfies readonly NativeOperationName[];

function matrix(rows: number, cols: number, seed: number): bp.Matrix<Float64Array> {
  const data = new Float64Array(rows * cols);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 4294967296 - 0.5;
  }
  return { data, rows, cols };
}

test('the table holds every operation once, frozen, with distinct integer numbers', () => {
  expect(Object.keys(native.operations).sort()).toEqual([...NAMES].sort());
  const numbers = Object.values(native.operations) as number[];
  expect(numbers.every(Number.isInteger)).toBe(true);
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(Object.isFrozen(native.operations)).toBe(true);
});

test.each([
  ['bilevelL1Inf', (y: bp.Matrix<Float64Array>) => bp.bilevelL1Inf(y, 0.7)],
  ['bilevelL11', (y: bp.Matrix<Float64Array>) => bp.bilevelL11(y, 0.7)],
  ['bilevelL12', (y: bp.Matrix<Float64Array>) => bp.bilevelL12(y, 0.7)],
  ['exactNewton', (y: bp.Matrix<Float64Array>) => bp.projectL1Inf(y, 0.7, { method: 'newton' })],
  ['exactSort', (y: bp.Matrix<Float64Array>) => bp.projectL1Inf(y, 0.7, { method: 'sort' })],
  ['proxNewton', (y: bp.Matrix<Float64Array>) => bp.proxLInf1(y, 0.7, { method: 'newton' })],
  ['proxSort', (y: bp.Matrix<Float64Array>) => bp.proxLInf1(y, 0.7, { method: 'sort' })],
  ['exactStream', (y: bp.Matrix<Float64Array>) => bp.projectL1Inf(y, 0.7, { method: 'stream' })],
  ['proxStream', (y: bp.Matrix<Float64Array>) => bp.proxLInf1(y, 0.7, { method: 'stream' })],
] as const)('%s runs the kernel of its name', (name, facade) => {
  const y = matrix(9, 13, 11);
  const out = new Float64Array(y.data.length);
  const radii = new Float64Array(y.cols);
  const z = native.project(native.operations[name], y.data, y.rows, y.cols, 0, 0.7, out, radii);
  const want = facade(y);
  expect(z).toBe(want.zeroGroups);
  expect(Array.from(out)).toEqual(Array.from(want.data));
  expect(Array.from(radii)).toEqual(Array.from(want.radii));
});

test('the operations differ from one another on the same matrix', () => {
  // Guards the test above: were two rows of the table the same kernel, the
  // facade would agree with both and only this would notice. (Newton and sort
  // solve the same problem, so one of each pair is enough.)
  const y = matrix(9, 13, 5);
  const distinct = ['bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'exactNewton', 'proxNewton'] as const;
  const results = distinct.map((name) => {
    const out = new Float64Array(y.data.length);
    native.project(native.operations[name], y.data, y.rows, y.cols, 0, 0.7, out, new Float64Array(y.cols));
    return Array.from(out).join(',');
  });
  expect(new Set(results).size).toBe(distinct.length);
});

test('a number outside the table is refused by the binding', () => {
  const y = matrix(2, 2, 1);
  const call = (op: number) => () =>
    native.project(op as never, y.data, 2, 2, 0, 1, new Float64Array(4), new Float64Array(2));
  const beyond = Math.max(...(Object.values(native.operations) as number[])) + 1;
  for (const op of [-1, beyond, 1.5, NaN, 2 ** 32]) expect(call(op)).toThrow(/unknown operation/);
});

test('the addon users load carries no bench hooks (they build only with -DBP_BENCH_HOOKS=ON)', () => {
  expect(native.bench).toBeUndefined();
});
