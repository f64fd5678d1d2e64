// The paper's Table I (cumulative sparsity) and Figures 3-6, computed as the
// authors' identity script does (docs/table1.md): on the raw
// make_classification matrix A (1000 samples x 1000 features; 64 or 16
// informative), every projection is run at eta = r ||A|| (its own norm) for
// r in linspace(0.01, 0.4, 10); per radius the fraction of all-zero columns
// is recorded, and Table I is its sum over the 10 radii (at most 10).
import * as path from 'path';
import { makeClassification } from '../datasets';
import { bilevelL11, bilevelL12, bilevelL1Inf, norm, projectL1Inf, type Matrix, type NormKind, type Projection } from '../index';
import * as check from '../validate';
import { writeTable1Files } from './table1-figures';
import { object } from './validate-options';

export type Table1Method = 'bilevel-l1inf' | 'bilevel-l11' | 'bilevel-l12' | 'l1inf';
export type Table1Dataset = 'data-64' | 'data-16';

interface MethodDef {
  key: Table1Method;
  label: string;
  /** The projection's own norm: eta is a fraction of it, and the identity holds in it. */
  norm: NormKind;
  project: (y: Matrix<Float64Array>, eta: number, out: Float64Array) => Projection<Float64Array>;
}

/** Table I's columns, in the paper's order. */
export const TABLE1_METHODS: readonly MethodDef[] = [
  { key: 'bilevel-l1inf', label: 'bilevel l1,inf', norm: 'l1inf', project: (y, e, out) => bilevelL1Inf(y, e, { out }) },
  { key: 'bilevel-l11', label: 'bilevel l1,1', norm: 'l11', project: (y, e, out) => bilevelL11(y, e, { out }) },
  { key: 'bilevel-l12', label: 'bilevel l1,2', norm: 'l12', project: (y, e, out) => bilevelL12(y, e, { out }) },
  { key: 'l1inf', label: 'exact l1,inf', norm: 'l1inf', project: (y, e, out) => projectL1Inf(y, e, { out }) },
];

/** Table I rows: the informative-feature count of each data set. */
export const TABLE1_DATASETS: readonly { name: Table1Dataset; nInformative: number }[] = [
  { name: 'data-64', nInformative: 64 },
  { name: 'data-16', nInformative: 16 },
];

/** Table I as printed in the paper. */
export const PAPER_TABLE1: Readonly<Record<Table1Dataset, Readonly<Record<Table1Method, number>>>> = {
  'data-64': { 'bilevel-l1inf': 5.36, 'bilevel-l11': 4.714, 'bilevel-l12': 4.705, l1inf: 1.872 },
  'data-16': { 'bilevel-l1inf': 1.99, 'bilevel-l11': 1.09, 'bilevel-l12': 1.07, l1inf: 0.419 },
};

/** numpy's linspace(start, stop, num): start + i * step, the last point exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  check.finite(start, 'start');
  check.finite(stop, 'stop');
  check.integer(num, 'num', 2, 1 << 24);
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/** The radius fractions r of eta = r ||A||. */
export const TABLE1_RATIOS: readonly number[] = linspace(0.01, 0.4, 10);

/** One projection swept over the radii on one data set. */
export interface Table1Sweep {
  method: Table1Method;
  label: string;
  norm: NormKind;
  /** ||A|| in the projection's own norm. */
  normY: number;
  eta: number[];
  /** Fraction of all-zero columns of P(A), per radius. */
  sparsity: number[];
  /** Table I's entry: the sum of `sparsity`. */
  cumSparsity: number;
  /** ||P(A)|| and ||A - P(A)|| in the own norm, per radius (Fig 3). */
  normP: number[];
  normResidual: number[];
  /** |(||A - P(A)|| + ||P(A)||) - ||A||| / ||A|| per radius: the identity's error, ~1e-16. */
  identityError: number[];
  /** The same sums in the Frobenius (l2,2) norm, where the identity does not hold (Fig 4). */
  frobenius: { normY: number; normP: number[]; normResidual: number[] };
}

export interface Table1Result {
  randomState: number;
  ratios: number[];
  /** Our Table I. */
  table: Record<Table1Dataset, Record<Table1Method, number>>;
  /** The paper's Table I. */
  paper: Record<Table1Dataset, Record<Table1Method, number>>;
  /** Largest identity error over the 10 radii, per data set and projection. */
  identityMaxError: Record<Table1Dataset, Record<Table1Method, number>>;
  sweeps: Record<Table1Dataset, Table1Sweep[]>;
  /** Files written (absolute paths: the four SVG figures and table1.json), empty without outDir. */
  files: string[];
  seconds: number;
}

export interface Table1Options {
  /** make_classification's random_state (default 0). */
  randomState?: number;
  /** Where to write fig3-identity.svg, fig4-l22.svg, fig5-sparsity-data64.svg, fig6-sparsity-data16.svg and table1.json. */
  outDir?: string;
  onProgress?: (msg: string) => void;
}

function frobenius(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

function sweep(A: Matrix<Float64Array>, m: MethodDef, ratios: readonly number[], buffers: { p: Float64Array; r: Float64Array }): Table1Sweep {
  const normY = norm(A, m.norm);
  const froY = frobenius(A.data);
  const s: Table1Sweep = {
    method: m.key, label: m.label, norm: m.norm, normY, eta: [], sparsity: [], cumSparsity: 0,
    normP: [], normResidual: [], identityError: [], frobenius: { normY: froY, normP: [], normResidual: [] },
  };
  let zeroColumns = 0;
  for (const r of ratios) {
    const eta = r * normY;
    const proj = m.project(A, eta, buffers.p);
    for (let i = 0; i < A.data.length; i++) buffers.r[i] = A.data[i] - buffers.p[i];
    const P = { data: buffers.p, rows: A.rows, cols: A.cols };
    const R = { data: buffers.r, rows: A.rows, cols: A.cols };
    const nP = norm(P, m.norm), nR = norm(R, m.norm);
    s.eta.push(eta);
    s.sparsity.push(proj.zeroGroups / A.cols);
    zeroColumns += proj.zeroGroups;
    s.normP.push(nP);
    s.normResidual.push(nR);
    s.identityError.push(Math.abs(nR + nP - normY) / normY);
    s.frobenius.normP.push(frobenius(buffers.p));
    s.frobenius.normResidual.push(frobenius(buffers.r));
  }
  // One division of an integer count, not a sum of ten rounded fractions, so
  // that two methods that zero the same number of columns compare equal.
  s.cumSparsity = zeroColumns / A.cols;
  return s;
}

/**
 * Computes Table I and the data of Figures 3-6 for one random state, and
 * writes the figures to `outDir` when given. About 2 s on a 2-core machine.
 */
export function runTable1(opts: Table1Options = {}): Table1Result {
  const t0 = process.hrtime.bigint();
  const o = check.options(opts, ['randomState', 'outDir', 'onProgress']);
  const randomState = o.randomState === undefined ? 0 : check.integer(o.randomState, 'opts.randomState', 0, 0xffffffff);
  const outDir = o.outDir === undefined ? undefined : check.string(o.outDir, 'opts.outDir', true);
  const say = o.onProgress === undefined ? () => undefined : check.func<(msg: string) => void>(o.onProgress, 'opts.onProgress');
  const ratios = [...TABLE1_RATIOS];
  const table = {} as Table1Result['table'];
  const identityMaxError = {} as Table1Result['identityMaxError'];
  const sweeps = {} as Table1Result['sweeps'];
  for (const ds of TABLE1_DATASETS) {
    say(`${ds.name}: make_classification(n_samples=1000, n_features=1000, n_informative=${ds.nInformative}, random_state=${randomState})`);
    const { X } = makeClassification({ nSamples: 1000, nFeatures: 1000, nInformative: ds.nInformative, randomState });
    const buffers = { p: new Float64Array(X.data.length), r: new Float64Array(X.data.length) };
    table[ds.name] = {} as Record<Table1Method, number>;
    identityMaxError[ds.name] = {} as Record<Table1Method, number>;
    sweeps[ds.name] = [];
    for (const m of TABLE1_METHODS) {
      const s = sweep(X, m, ratios, buffers);
      sweeps[ds.name].push(s);
      table[ds.name][m.key] = s.cumSparsity;
      identityMaxError[ds.name][m.key] = Math.max(...s.identityError);
      say(`${ds.name}: ${m.label}: cum-sparsity ${s.cumSparsity.toFixed(3)} over ${ratios.length} radii`);
    }
  }
  const paper = JSON.parse(JSON.stringify(PAPER_TABLE1)) as Table1Result['paper'];
  const result: Table1Result = { randomState, ratios, table, paper, identityMaxError, sweeps, files: [], seconds: 0 };
  if (outDir !== undefined) {
    result.files = writeTable1Files(result, outDir);
    say(`wrote ${result.files.length} files to ${path.resolve(outDir)}`);
  }
  result.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return result;
}

// --- output ------------------------------------------------------------------

const fmt = (v: number) => (Number.isInteger(v * 1000) ? String(v) : v.toFixed(3));

/**
 * Our Table I beside the paper's: a markdown table ('markdown', default) or
 * aligned plain text ('text').
 */
export function formatTable1(result: Pick<Table1Result, 'table' | 'paper' | 'randomState'>, style: 'markdown' | 'text' = 'markdown'): string {
  object(result, 'result');
  for (const ds of TABLE1_DATASETS) {
    object(object(result.table, 'result.table')[ds.name as never], `result.table['${ds.name}']`);
    object(object(result.paper, 'result.paper')[ds.name as never], `result.paper['${ds.name}']`);
  }
  check.oneOf(style, ['markdown', 'text'], 'style');
  const head = ['Cum-sparsity (sum over 10 radii)', ...TABLE1_METHODS.map((m) => m.label)];
  const rows: string[][] = [];
  for (const ds of TABLE1_DATASETS) {
    rows.push([`${ds.name}, ours (random_state=${result.randomState})`, ...TABLE1_METHODS.map((m) => result.table[ds.name][m.key].toFixed(3))]);
    rows.push([`${ds.name}, paper`, ...TABLE1_METHODS.map((m) => fmt(result.paper[ds.name][m.key]))]);
  }
  if (style === 'markdown') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n') + '\n';
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
