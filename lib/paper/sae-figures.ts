// Figures 7 and 9 of the paper as SVG (through lib/plot/svg.ts): accuracy
// against the radius, and the first-layer weight matrix as an image in which
// the columns (features) the projection removed show as blank stripes.
import { heatmap, lineChart, stackPanels, type Series } from '../plot/svg';
import type { FloatArray } from '../index';
import * as check from '../validate';
import { objectArray } from './validate-options';
import { METHOD_LABEL, type Figure7Point, type PaperDataset, type PaperMethod } from './sae-tables';

export function figure7Svg(points: Figure7Point[], note = ''): string {
  objectArray(points, 'points');
  check.string(note, 'note');
  const datasets = [...new Set(points.map((p) => p.dataset))] as PaperDataset[];
  const panels = datasets.map((ds) => {
    const series: Series[] = [];
    for (const method of ['bilevel-l1inf', 'l1inf'] as const) {
      const pts = points.filter((p) => p.dataset === ds && p.method === method).sort((a, b) => a.eta - b.eta);
      if (pts.length === 0) continue;
      series.push({ name: `${METHOD_LABEL[method]}, best epoch*`, x: pts.map((p) => p.eta), y: pts.map((p) => 100 * p.accuracy), mode: 'line+markers' });
      series.push({ name: `${METHOD_LABEL[method]}, last epoch`, x: pts.map((p) => p.eta), y: pts.map((p) => 100 * p.lastEpochAccuracy), mode: 'line+markers', dashed: true });
    }
    return lineChart({
      title: `Fig. 7 (${ds}): accuracy against the radius${note ? ` (${note})` : ''}`,
      series,
      x: { label: 'radius eta', log: true },
      y: { label: 'test accuracy, % (* best epoch chosen on the test fold)' },
      legend: 'auto',
    });
  });
  return stackPanels(panels, { title: 'Figure 7: SAE accuracy as a function of the radius' });
}

export interface WeightPanel {
  method: PaperMethod;
  eta: number | null;
  w1: FloatArray;
  sparsity: number;
}

/** Figure 9: |W1| (hidden x features) of each method, zeroed columns blank. */
export function figure9Svg(panels: WeightPanel[], hidden: number, features: number, dataset: string): string {
  objectArray(panels, 'panels');
  check.integer(hidden, 'hidden', 1);
  check.integer(features, 'features', 1);
  check.string(dataset, 'dataset');
  const svgs = panels.map((p) =>
    heatmap({
      title: `${METHOD_LABEL[p.method]}${p.eta === null ? '' : `, eta = ${p.eta}`}: W1 (${hidden} x ${features}), ${(100 * p.sparsity).toFixed(1)} % of columns zero`,
      data: p.w1,
      rows: hidden,
      cols: features,
      scale: 'magnitude',
      logColor: true,
      xLabel: 'input feature (column)',
      yLabel: 'hidden unit',
      valueLabel: '|w|',
      width: 900,
      height: 260,
    }),
  );
  return stackPanels(svgs, { title: `Figure 9: first-layer weights, ${dataset}, fold 1` });
}
