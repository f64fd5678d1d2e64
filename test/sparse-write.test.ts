// The sparse write (native/core/apply.hpp, docs/bilevel-write.md): at small
// radii the groups that come out zero are stored as zeros without being
// read. A NaN or an infinity in such a group must still be refused
// (ERR_BP_NON_FINITE, nothing written), for every projection, both element
// types, both group orientations and the split path; and a large streamed
// output (the size where the sparse write is taken) must hold the clip of
// every entry at its group's radius, signed zeros included.
import * as bp from '../lib';
import type { Groups } from '../lib';
import { rng, sameBytes, type Ctor } from './helpers/split';

const TYPES: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];
const GROUPS: Groups[] = ['columns', 'rows'];
const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

type Run = (y: bp.Matrix, eta: number, opts: { out: bp.FloatArray; groups: Groups }) => unknown;
const METHODS: [string, Run][] = [
  ['bilevelL1Inf', (y, eta, o) => bp.bilevelL1Inf(y, eta, o as never)],
  ['bilevelL11', (y, eta, o) => bp.bilevelL11(y, eta, o as never)],
  ['bilevelL12', (y, eta, o) => bp.bilevelL12(y, eta, o as never)],
  ['projectL1Inf', (y, eta, o) => bp.projectL1Inf(y, eta, o as never)],
  ['projectL1Inf sort', (y, eta, o) => bp.projectL1Inf(y, eta, { ...o, method: 'sort' } as never)],
  ['proxLInf1', (y, eta, o) => bp.proxLInf1(y, eta, o as never)],
];

/** rows x cols with one large group (0) and the rest tiny, so that eta = 1 leaves only group 0 alive. */
function oneLiveGroup(F: Ctor, rows: number, cols: number, g: Groups, rand: () => number): bp.FloatArray {
  const a = new F(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const group = g === 'columns' ? j : i;
      a[i * cols + j] = (rand() - 0.5) * (group === 0 ? 100 : 1e-3);
    }
  }
  return a;
}

describe('a non-finite entry in a group that comes out zero is still refused', () => {
  for (const [tname, F] of TYPES) {
    for (const g of GROUPS) {
      for (const [mname, run] of METHODS) {
        test(`${mname} ${tname} groups=${g}`, () => {
          const rand = rng(7);
          for (const shape of [
            [3, 70],
            [70, 3],
            [9, 200],
          ]) {
            const [rows, cols] = shape;
            const data = oneLiveGroup(F, rows, cols, g, rand);
            const y = { data, rows, cols };
            // The clean matrix: every group but group 0 comes out zero.
            const clean = new F(rows * cols);
            run(y, 1, { out: clean, groups: g });
            const ng = g === 'columns' ? cols : rows;
            for (const v of BAD) {
              const at = g === 'columns' ? (rows - 1) * cols + (cols - 1) : (rows - 1) * cols + 1;
              const bad = F.from(data);
              bad[at] = v;
              const out = new F(rows * cols).fill(7);
              expect(() => run({ data: bad, rows, cols }, 1, { out, groups: g })).toThrow(expect.objectContaining({ code: 'ERR_BP_NON_FINITE' }));
              expect(out.every((x) => x === 7)).toBe(true);
              // In place: y left as it was.
              const inPlace = F.from(bad);
              expect(() => run({ data: inPlace, rows, cols }, 1, { out: inPlace, groups: g })).toThrow(expect.objectContaining({ code: 'ERR_BP_NON_FINITE' }));
              expect(sameBytes(inPlace, bad)).toBe(true);
            }
            expect(ng).toBeGreaterThan(2);
          }
        });
      }
      test(`applyRadii l1inf ${tname} groups=${g}: refused, out all NaN`, () => {
        const rows = 9;
        const cols = 200;
        const data = oneLiveGroup(F, rows, cols, g, rng(3));
        const ng = g === 'columns' ? cols : rows;
        const radii = new Float64Array(ng);
        radii[0] = 1;
        for (const v of BAD) {
          const bad = F.from(data);
          bad[(rows - 1) * cols + (cols - 1)] = v;
          const out = new F(rows * cols).fill(7);
          expect(() => bp.applyRadii({ data: bad, rows, cols }, radii, 'l1inf', { out, groups: g })).toThrow(expect.objectContaining({ code: 'ERR_BP_NON_FINITE' }));
          expect(out.every(Number.isNaN)).toBe(true);
        }
      });
    }
  }
});

/** The clip of v at radius c as the write computes it (max, then min; a zero radius gives +0). */
function clip(v: number, c: number): number {
  // biome-ignore lint/complexity/useMathMinMax: Math.max and Math.min order signed zeros otherwise
  const t = v > -c ? v : -c;
  // biome-ignore lint/complexity/useMathMinMax: as above
  return t < c ? t : c;
}

/** A double radius as the float write uses it: rounded toward zero. */
function towardZero32(r: number): number {
  const f = Math.fround(r);
  if (f <= r) return f;
  const b = new Float32Array([f]);
  new Uint32Array(b.buffer)[0] -= 1;
  return b[0];
}

describe('a streamed output with most groups zero holds the clip of every entry', () => {
  for (const [tname, F] of TYPES) {
    test(`bilevelL1Inf and projectL1Inf ${tname}, 64 x 65536 (16 MB or more)`, () => {
      const rows = 64;
      const cols = F === Float32Array ? 65536 : 32768;
      const rand = rng(11);
      // Signed zeros among the entries, and a few large columns; each row a
      // shifted window of one random vector (filling 2-4 million entries
      // one by one is slow here).
      const base = new F(cols + 7 * rows);
      for (let k = 0; k < base.length; k++) {
        const u = rand();
        base[k] = u < 0.1 ? -0 : u < 0.2 ? 0 : rand() - 0.5;
      }
      const data = new F(rows * cols);
      for (let i = 0; i < rows; i++) data.set(base.subarray(7 * i, 7 * i + cols), i * cols);
      for (let i = 0; i < rows; i++) for (let j = 5; j < cols; j += 997) data[i * cols + j] *= 1000;
      const y = { data, rows, cols };
      for (const eta of [1, 0.01 * bp.norm(y, 'l1inf')]) {
        for (const r of [bp.bilevelL1Inf(y, eta), bp.projectL1Inf(y, eta)]) {
          const c = Array.from(r.radii, (x) => (F === Float32Array ? towardZero32(x) : x));
          let zero = 0;
          for (const x of c) zero += x === 0 ? 1 : 0;
          expect(zero).toBeGreaterThan(cols / 2);
          const want = new F(rows * cols);
          for (let k = 0; k < want.length; k++) want[k] = clip(data[k], c[k % cols]);
          expect(sameBytes(r.data, want)).toBe(true);
        }
      }
    });
  }
});
