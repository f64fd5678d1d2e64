// `bilevel-projection paper sae`: the paper's Tables II/III and Figures 7
// and 9, written to a folder; progress on stderr.
import * as path from 'path';
import { parseArgs } from 'util';
import { PAPER_TABLES, figure7Svg, figure9Svg, firstFoldWeights, formatPaperTables, runFigure7, runPaperTables, type PaperDataset } from '../paper';
import type { SaeProgress, SelectFeaturesResult } from '../sae';
import { progressBar } from '../io/progress-bar';
import { UsageError, fail, num, saeProgressText, writeOut } from './common';

export const PAPER_SAE_USAGE = `Usage: bilevel-projection paper sae [options]

Tables II and III of the paper (baseline, exact l1,inf and bilevel l1,inf at
the paper's best radii, on data-64 and data-16), ours beside the paper's and
beside the authors' code; Figure 7 (accuracy against the radius) and
Figure 9 (W1 as an image) as SVG.

  --random-state N     make_classification's random_state (default 0)
  --seed S             KFold random_state and training seed (default 5)
  --folds K            default 4
  --datasets LIST      data-64,data-16 (default both)
  --out DIR            where to write tables.json, fig7.svg, fig9-<dataset>.svg (default sae-paper)
  --no-figures         tables only
  --radii LIST         Figure 7 radii (default 0.25,0.5,1,2,4,8)
  --fig7-folds N       folds of KFold(K) trained per Figure 7 point (default 2)
  --concurrency N      folds trained at once
  --no-progress        no progress bar on stderr
`;

/** `bilevel-projection paper sae ...`; resolves to the exit code. */
export async function runPaperSaeCommand(argv: string[]): Promise<number> {
  const options = {
    'random-state': { type: 'string' }, seed: { type: 'string' }, folds: { type: 'string' }, datasets: { type: 'string' },
    out: { type: 'string' }, 'no-figures': { type: 'boolean' }, radii: { type: 'string' }, 'fig7-folds': { type: 'string' },
    concurrency: { type: 'string' }, 'no-progress': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  } as const;
  let a: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>['values'];
  try {
    a = parseArgs({ args: argv, options, strict: true }).values;
  } catch (e) {
    process.stderr.write(`bilevel-projection paper sae: ${(e as Error).message}\n\n${PAPER_SAE_USAGE}`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(PAPER_SAE_USAGE);
    return 0;
  }
  try {
    const datasets = (a.datasets ?? 'data-64,data-16').split(',').map((s) => s.trim()) as PaperDataset[];
    for (const d of datasets) if (!(d in PAPER_TABLES)) throw new UsageError(`--datasets must list data-64 and/or data-16 (got ${JSON.stringify(d)})`);
    const radii = a.radii?.split(',').map((s) => num(s, 'radii') as number);
    const common = {
      randomState: num(a['random-state'], 'random-state') ?? 0,
      seed: num(a.seed, 'seed') ?? 5,
      folds: num(a.folds, 'folds') ?? 4,
      datasets,
      concurrency: num(a.concurrency, 'concurrency'),
    };
    const outDir = a.out ?? 'sae-paper';
    const show = !a['no-progress'];
    let bar = progressBar('', process.stderr, show, saeProgressText);
    let current = '';
    const onProgress = (label: string, p: SaeProgress) => {
      if (label !== current) {
        bar.done();
        bar = progressBar(label, process.stderr, show, saeProgressText);
        current = label;
      }
      bar.update(p);
    };
    const onResult = (label: string, r: SelectFeaturesResult) => {
      bar.done();
      if (show) {
        process.stderr.write(
          `${label}: best* ${(100 * r.accuracy.mean).toFixed(1)} %, last ${(100 * r.accuracy.lastEpochMean).toFixed(1)} %, ` +
            `sparsity ${(100 * r.sparsity).toFixed(1)} %, ${r.elapsedSeconds.toFixed(1)} s\n`,
        );
      }
    };
    const tables = await runPaperTables({ ...common, onProgress, onResult });
    process.stdout.write(formatPaperTables(tables));
    const files: Record<string, string> = {
      'tables.json': JSON.stringify(
        tables.map((t) => ({
          ...t,
          rows: t.rows.map((r) => ({
            method: r.method, eta: r.eta, paper: r.paper, authorsCode: r.authorsCode,
            ours: { accuracy: r.ours.accuracy, sparsity: r.ours.sparsity, recall: r.ours.recall ?? null, folds: r.ours.folds.map(({ epochs: _e, ...f }) => f), elapsedSeconds: r.ours.elapsedSeconds },
          })),
          note: 'accuracy.mean: best epoch chosen on the test fold (the authors\' protocol); lastEpochMean: no choice made',
        })),
        null,
        2,
      ) + '\n',
    };
    if (!a['no-figures']) {
      for (const t of tables) {
        files[`fig9-${t.dataset}.svg`] = figure9Svg(firstFoldWeights(t), 100, 1000, `${t.dataset} (random_state ${t.randomState})`);
      }
      const fig7Folds = num(a['fig7-folds'], 'fig7-folds') ?? 2;
      const points = await runFigure7({ ...common, radii, foldsToRun: Math.min(fig7Folds, common.folds), onProgress, onResult });
      files['fig7.svg'] = figure7Svg(points, `${Math.min(fig7Folds, common.folds)} of ${common.folds} folds per point`);
      files['fig7.json'] = JSON.stringify(points, null, 2) + '\n';
    }
    writeOut(outDir, files);
    process.stderr.write(`wrote ${Object.keys(files).map((f) => path.join(outDir, f)).join(', ')}\n`);
    return 0;
  } catch (e) {
    return fail(e);
  }
}
