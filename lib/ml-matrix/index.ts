// bilevel-projection/ml-matrix: adapters between ml-matrix's Matrix and this
// library's { data, rows, cols }. An ml-matrix Matrix keeps one Float64Array
// per row, not one block, so no kernel can read it in place: each adapter is
// one copy (rows x cols entries), and says so.
import type { Matrix as MlMatrix } from 'ml-matrix';
import { invalidType, missingPeer } from '../errors';
import type { FloatArray, Matrix } from '../types';
import * as check from '../validate';

/** What fromMlMatrix reads of an ml-matrix matrix (any AbstractMatrix, views included). */
export interface MlMatrixLike {
  readonly rows: number;
  readonly columns: number;
  get(row: number, column: number): number;
}

function rowArrays(m: object, rows: number, cols: number): ArrayLike<number>[] | undefined {
  // ml-matrix's Matrix stores `data`, an array of rows; views do not.
  const data = (m as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length !== rows) return undefined;
  return data.every((r) => r instanceof Float64Array && r.length === cols) ? (data as Float64Array[]) : undefined;
}

/**
 * An ml-matrix matrix as a row-major Float64 matrix for this library's
 * projections: one copy. Rows of the ml-matrix stay rows (groups: 'columns'
 * zeroes its columns, as it would in numpy).
 */
export function fromMlMatrix(m: MlMatrixLike): Matrix<Float64Array> {
  if (typeof m !== 'object' || m === null || typeof (m as MlMatrixLike).get !== 'function') {
    throw invalidType('m', 'an ml-matrix Matrix', m);
  }
  const rows = check.dimension(m.rows, 'm.rows');
  const cols = check.dimension(m.columns, 'm.columns');
  const data = new Float64Array(rows * cols);
  const byRow = rowArrays(m, rows, cols);
  if (byRow) {
    for (let i = 0; i < rows; i++) data.set(byRow[i], i * cols);
  } else {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = m.get(i, j);
  }
  return { data, rows, cols };
}

let MatrixClass: (new (rows: number, cols: number) => MlMatrix) | undefined;

function loadMlMatrix(): new (rows: number, cols: number) => MlMatrix {
  if (MatrixClass) return MatrixClass;
  try {
    MatrixClass = (require('ml-matrix') as { Matrix: new (rows: number, cols: number) => MlMatrix }).Matrix;
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.startsWith("Cannot find module 'ml-matrix'")) {
      throw missingPeer('toMlMatrix needs ml-matrix, which is not installed: run `npm install ml-matrix` (6.x)');
    }
    throw err;
  }
  return MatrixClass;
}

/**
 * A new ml-matrix Matrix holding the entries of `p` (a matrix { data, rows,
 * cols }, Float32 or Float64, e.g. `{ ...y, data: projection.data }`): one
 * copy. Needs the optional peer ml-matrix.
 */
export function toMlMatrix(p: Matrix<FloatArray>): MlMatrix {
  const { data, rows, cols } = check.matrix(p, 'p');
  const M = loadMlMatrix();
  const out = new M(rows, cols);
  const byRow = rowArrays(out, rows, cols);
  for (let i = 0; i < rows; i++) {
    const row = data.subarray(i * cols, (i + 1) * cols);
    if (byRow) (byRow[i] as Float64Array).set(row);
    else for (let j = 0; j < cols; j++) out.set(i, j, row[j]);
  }
  return out;
}
