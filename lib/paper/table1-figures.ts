// The figures of Table I's sweep (Figures 3-6 of the paper) as SVG, and the
// files `paper table1 --out DIR` writes.
import { writeFilesAtomically } from '../io/atomic-write';
import { lineChart, stackPanels, type Series } from '../plot/svg';
import * as check from '../validate';
import type { Table1Dataset, Table1Method, Table1Result, Table1Sweep } from './table1';
import { object, objectArray } from './validate-options';

function get(result: Table1Result, ds: Table1Dataset, m: Table1Method): Table1Sweep {
  return result.sweeps[ds].find((s) => s.method === m) as Table1Sweep;
}

/** Fig 3: ||A - P(A)|| + ||P(A)|| against eta in each projection's own norm: the line y = ||A||. */
function fig3(result: Table1Result): string {
  const ds: Table1Dataset = 'data-64';
  const panel = (title: string, methods: Table1Method[], normName: string) => {
    const series: Series[] = [];
    for (const m of methods) {
      const s = get(result, ds, m);
      series.push({ name: `${s.label}: ||Y - P(Y)|| + ||P(Y)||`, x: s.eta, y: s.eta.map((_, i) => s.normResidual[i] + s.normP[i]), mode: 'line+markers' });
    }
    for (const m of methods) {
      const s = get(result, ds, m);
      series.push({ name: `${s.label}: ||Y - P(Y)||`, x: s.eta, y: s.normResidual, mode: 'markers' });
    }
    // ||P(Y)|| = eta for every method (the projection lands on the sphere), so one series shows it.
    const ref = get(result, ds, methods[0]);
    series.push({ name: methods.length > 1 ? '||P(Y)|| (both)' : '||P(Y)||', x: ref.eta, y: ref.normP, mode: 'markers' });
    series.push({ name: '||Y||', x: [ref.eta[0], ref.eta[ref.eta.length - 1]], y: [ref.normY, ref.normY], dashed: true, color: '#777777' });
    // Head room above ||Y|| for the legend: its rows (18 px each, plus padding) over a 286 px plot.
    const legendShare = (20 + 18 * series.length + 24) / 286;
    return lineChart({ title, series, x: { label: `eta (${normName} norm)` }, y: { label: `${normName} norm`, min: 0, max: ref.normY / (1 - legendShare) }, height: 380 });
  };
  return stackPanels([
    panel('Bilevel l1,inf and exact l1,inf (l1,inf norm)', ['bilevel-l1inf', 'l1inf'], 'l1,inf'),
    panel('Bilevel l1,1 (l1,1 norm)', ['bilevel-l11'], 'l1,1'),
    panel('Bilevel l1,2 (l1,2 norm)', ['bilevel-l12'], 'l1,2'),
  ], { title: `Fig. 3: identity ||Y - P(Y)|| + ||P(Y)|| = ||Y|| (${ds}, random_state=${result.randomState})` });
}

/** Fig 4: the same sums in the Frobenius norm for the two l1,inf projections: not a constant. */
function fig4(result: Table1Result): string {
  const ds: Table1Dataset = 'data-64';
  const series: Series[] = [];
  for (const m of ['bilevel-l1inf', 'l1inf'] as Table1Method[]) {
    const s = get(result, ds, m);
    series.push({ name: `${s.label}: ||Y - P(Y)||_F + ||P(Y)||_F`, x: s.eta, y: s.eta.map((_, i) => s.frobenius.normResidual[i] + s.frobenius.normP[i]), mode: 'line+markers' });
  }
  const s = get(result, ds, 'l1inf');
  series.push({ name: '||Y||_F', x: [s.eta[0], s.eta[s.eta.length - 1]], y: [s.frobenius.normY, s.frobenius.normY], dashed: true, color: '#777777' });
  return lineChart({
    title: `Fig. 4: the identity in the l2,2 (Frobenius) norm does not hold (${ds}, random_state=${result.randomState})`,
    series, x: { label: 'eta (l1,inf norm)' }, y: { label: 'l2,2 norm' },
  });
}

/** Figs 5/6: sparsity (% zero columns) against the normalised radius ||P(Y)|| / ||Y||. */
function figSparsity(result: Table1Result, ds: Table1Dataset, figure: string): string {
  const panel = (title: string, methods: Table1Method[]) => lineChart({
    title,
    series: methods.map((m) => {
      const s = get(result, ds, m);
      return { name: `${s.label} (cum. ${s.cumSparsity.toFixed(3)})`, x: s.normP.map((p) => p / s.normY), y: s.sparsity.map((v) => 100 * v), mode: 'line+markers' as const };
    }),
    x: { label: '||P(Y)|| / ||Y|| (own norm)', min: 0 },
    y: { label: 'sparsity (% zero columns)', min: 0, max: 100 },
    height: 340,
  });
  return stackPanels([
    panel('Bilevel l1,inf (and exact l1,inf)', ['bilevel-l1inf', 'l1inf']),
    panel('Bilevel l1,1', ['bilevel-l11']),
    panel('Bilevel l1,2', ['bilevel-l12']),
  ], { title: `${figure}: sparsity against the normalised radius (${ds}, random_state=${result.randomState})` });
}

/** The four figures of Table I's sweep as SVG text, by file name. */
export function table1Figures(result: Table1Result): Record<string, string> {
  object(result, 'result');
  for (const ds of ['data-64', 'data-16']) objectArray(object(result.sweeps, 'result.sweeps')[ds as never], `result.sweeps['${ds}']`);
  return {
    'fig3-identity.svg': fig3(result),
    'fig4-l22.svg': fig4(result),
    'fig5-sparsity-data64.svg': figSparsity(result, 'data-64', 'Fig. 5'),
    'fig6-sparsity-data16.svg': figSparsity(result, 'data-16', 'Fig. 6'),
  };
}

/**
 * Writes the figures and table1.json into outDir (each file whole: a
 * temporary name, then a rename); returns their absolute paths.
 */
export function writeTable1Files(result: Table1Result, outDir: string): string[] {
  object(result, 'result');
  for (const ds of ['data-64', 'data-16']) objectArray(object(result.sweeps, 'result.sweeps')[ds as never], `result.sweeps['${ds}']`);
  check.string(outDir, 'outDir', true);
  const files: [string, string][] = [
    ...Object.entries(table1Figures(result)),
    ['table1.json', JSON.stringify({ randomState: result.randomState, ratios: result.ratios, table: result.table, paper: result.paper, identityMaxError: result.identityMaxError, sweeps: result.sweeps }, null, 1) + '\n'],
  ];
  return writeFilesAtomically(outDir, files);
}
