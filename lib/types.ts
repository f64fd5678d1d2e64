/** A dense array of floats: the element type is kept end to end (Float32 in, Float32 out). */
export type FloatArray = Float32Array | Float64Array;

/**
 * A row-major (C order) matrix: entry (i, j) is `data[i * cols + j]`, as numpy,
 * tfjs and ml-matrix store it. `data` may be any view, including a `subarray`
 * with a byteOffset; nothing outside the view is read or written.
 */
export interface Matrix<T extends FloatArray = FloatArray> {
  data: T;
  rows: number;
  cols: number;
}

/**
 * Which slices of the matrix are the groups of the mixed norm. `'columns'` (the
 * default, as in the paper): the `cols` columns are the groups, so whole columns
 * (features) are zeroed. A column-major matrix is a row-major one transposed:
 * pass it with rows and cols swapped and flip `groups`.
 */
export type Groups = 'columns' | 'rows';

export interface ProjectOptions<T extends FloatArray = FloatArray> {
  groups?: Groups;
  /**
   * Destination: same type and length as `y.data`. `out: y.data` projects in
   * place. Without it a new array of the input's type is allocated.
   */
  out?: T;
}

/** The exact l1,inf methods. All always exist; the default is the fastest. */
export type ExactMethod = 'newton' | 'sort' | 'stream';

export interface ExactOptions<T extends FloatArray = FloatArray> extends ProjectOptions<T> {
  method?: ExactMethod;
}

export interface Projection<T extends FloatArray = FloatArray> {
  /** The projected matrix (`opts.out` when given). */
  data: T;
  /**
   * One radius per group: u_j of the bilevel methods (the radius group j was
   * projected onto), or the clipping threshold mu_j of the exact l1,inf
   * projection (and of the projection a prox subtracts).
   */
  radii: Float64Array;
  /** How many groups of `data` are entirely zero; the kept-feature count is groups - zeroGroups. */
  zeroGroups: number;
}

export type NormKind = 'l1inf' | 'l11' | 'l12' | 'linf1';

export interface NormOptions {
  groups?: Groups;
}
