// fast-check generators of matrices the way users produce them: several
// distributions (uniform, Gaussian-like, integer ties, heavy tails, sparse
// with whole zero columns), shapes from empty to a few dozen, both groupings
// and both float types.
import fc from 'fast-check';

export interface Case {
  rows: number;
  cols: number;
  data: Float64Array;
  groups: 'columns' | 'rows';
  /** Radius as a fraction of the projection's own norm (0 and >1 included). */
  fraction: number;
}

const entry = (kind: number): fc.Arbitrary<number> => {
  switch (kind) {
    case 0:
      return fc.double({ min: 0, max: 1, noNaN: true });
    case 1:
      return fc.double({ min: -10, max: 10, noNaN: true });
    case 2:
      return fc.integer({ min: -3, max: 3 });
    case 3:
      return fc.double({ min: -Math.PI / 2 + 1e-3, max: Math.PI / 2 - 1e-3, noNaN: true }).map(Math.tan);
    default:
      return fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.double({ min: -5, max: 5, noNaN: true }) });
  }
};

export const matrixCase = (maxSide = 24): fc.Arbitrary<Case> =>
  fc
    .record({
      rows: fc.integer({ min: 0, max: maxSide }),
      cols: fc.integer({ min: 0, max: maxSide }),
      kind: fc.integer({ min: 0, max: 4 }),
      groups: fc.constantFrom('columns' as const, 'rows' as const),
      fraction: fc.oneof(
        { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
        { weight: 1, arbitrary: fc.constantFrom(0, 1, 1.5) },
        { weight: 1, arbitrary: fc.double({ min: 1e-9, max: 1e-3, noNaN: true }) },
      ),
    })
    .chain(({ rows, cols, kind, groups, fraction }) =>
      fc
        .array(entry(kind), { minLength: rows * cols, maxLength: rows * cols })
        .map((vals) => ({ rows, cols, groups, fraction, data: Float64Array.from(vals, (v) => v + 0) })),
    );
