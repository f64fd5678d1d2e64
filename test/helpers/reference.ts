// Reads the independent reference vectors of ../shared/reference (never
// copied into this repository) and checks a result against a case's PASS rule.
import * as fs from 'fs';
import * as path from 'path';

export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');
/**
 * ../shared/reference by default; BP_REFERENCE_DIR points the same suite at
 * another set of vectors in the same format (e.g. an independent one).
 */
export const REFERENCE_DIR = process.env.BP_REFERENCE_DIR ? path.resolve(process.env.BP_REFERENCE_DIR) : path.join(SHARED, 'reference');

export interface RefCase {
  id: string;
  algorithm: 'projectL1Inf' | 'bilevelL1Inf' | 'bilevelL11' | 'bilevelL12' | 'proxLInf1' | 'projectL1Ball';
  groups: 'columns' | 'rows' | 'vector';
  n: number;
  m: number;
  eta: number;
  eta_hex: string;
  input: { file: string; dtype: 'float32' | 'float64' };
  expected: { file: string };
  expected_radii?: { file: string };
  norms_in: Record<string, number>;
  norms_out: Record<string, number>;
  zero_groups_range?: [number, number];
  tolerance: { atol: number; atol_tight: number; radii_atol: number | null; norm_rtol: number };
  tags: string[];
}

export function loadManifest(dir = REFERENCE_DIR): RefCase[] {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { cases: RefCase[] };
  return m.cases;
}

function readBytes(file: string): Buffer {
  return fs.readFileSync(file);
}

export function readF64(file: string): Float64Array {
  const b = readBytes(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function readF32(file: string): Float32Array {
  const b = readBytes(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function readInput(c: RefCase, dir = REFERENCE_DIR): Float32Array | Float64Array {
  const f = path.join(dir, c.input.file);
  return c.input.dtype === 'float32' ? readF32(f) : readF64(f);
}

/** Python's float.hex() of x, to check that JSON gave the radius bit for bit. */
export function hexOf(x: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const sign = bits >> 63n ? '-' : '';
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = (bits & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
  if (exp === 0 && mant === '0000000000000') return `${sign}0x0.0p+0`;
  const e = exp === 0 ? -1022 : exp - 1023;
  return `${sign}0x${exp === 0 ? 0 : 1}.${mant}p${e >= 0 ? '+' : ''}${e}`;
}

/** The norms the manifest uses, of a row-major n x m array with the case's groups. */
export function caseNorms(x: ArrayLike<number>, n: number, m: number, groups: string): Record<string, number> {
  if (groups === 'vector') {
    let l1 = 0, l2 = 0, linf = 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]);
      l1 += a; l2 += a * a; linf = Math.max(linf, a);
    }
    return { l1, l2: Math.sqrt(l2), linf };
  }
  const rows = groups === 'rows';
  const ng = rows ? n : m, len = rows ? m : n;
  let l1inf = 0, l11 = 0, l12 = 0, linf1 = 0, fro = 0;
  for (let g = 0; g < ng; g++) {
    let mx = 0, s = 0, q = 0;
    for (let k = 0; k < len; k++) {
      const a = Math.abs(rows ? x[g * m + k] : x[k * m + g]);
      mx = Math.max(mx, a); s += a; q += a * a;
    }
    l1inf += mx; l11 += s; l12 += Math.sqrt(q); linf1 = Math.max(linf1, s); fro += q;
  }
  return { l1inf, l11, l12, linf1, fro: Math.sqrt(fro) };
}

export interface Verdict {
  ok: boolean;
  problems: string[];
}

/** The manifest's PASS rule; `tight` also demands atol_tight for the entries. */
export function judge(
  c: RefCase,
  result: { data: ArrayLike<number>; radii?: ArrayLike<number>; zeroGroups?: number },
  tight: boolean,
  dir = REFERENCE_DIR,
): Verdict {
  const problems: string[] = [];
  const want = readF64(path.join(dir, c.expected.file));
  const atol = tight ? c.tolerance.atol_tight : c.tolerance.atol;
  let err = 0;
  if (result.data.length !== want.length) problems.push(`length ${result.data.length} != ${want.length}`);
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(result.data[i] - want[i]));
  if (!(err <= atol)) problems.push(`max |X - E| = ${err} > ${atol}`);
  if (c.expected_radii && result.radii) {
    const wr = readF64(path.join(dir, c.expected_radii.file));
    let re = 0;
    for (let i = 0; i < wr.length; i++) re = Math.max(re, Math.abs(result.radii[i] - wr[i]));
    const rtol = c.tolerance.radii_atol ?? 0;
    if (result.radii.length !== wr.length) problems.push(`radii length ${result.radii.length} != ${wr.length}`);
    if (!(re <= rtol)) problems.push(`max |radii - R| = ${re} > ${rtol}`);
  }
  const got = caseNorms(result.data, c.n, c.m, c.groups);
  for (const k of Object.keys(c.norms_out)) {
    const tol = c.tolerance.norm_rtol * Math.max(c.norms_in[k], Number.MIN_VALUE);
    if (!(Math.abs(got[k] - c.norms_out[k]) <= tol)) problems.push(`norm ${k} = ${got[k]}, expected ${c.norms_out[k]} +- ${tol}`);
  }
  if (c.zero_groups_range && result.zeroGroups !== undefined) {
    const [lo, hi] = c.zero_groups_range;
    if (!(result.zeroGroups >= lo && result.zeroGroups <= hi)) problems.push(`zeroGroups ${result.zeroGroups} not in [${lo}, ${hi}]`);
  }
  return { ok: problems.length === 0, problems };
}
