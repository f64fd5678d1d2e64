// The command-line side of the SAE: `bilevel-projection sae ...` (one
// configuration on a CSV file or on make_classification data) and
// `bilevel-projection paper sae` (Tables II/III, Figures 7 and 9). Results go
// to stdout and to files; progress and errors to stderr.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { makeClassification } from '../datasets/make-classification';
import { CsvError, loadLabelledCsv, type CsvLayout } from './csv';
import { figure7Svg, figure9Svg } from './figures';
import { SAE_PROJECTIONS, resolveSaeOptions, type SaeOptions, type SaeProgress, type SaeProjection } from './options';
import { PAPER_TABLES, firstFoldWeights, formatPaperTables, runFigure7, runPaperTables, type PaperDataset } from './paper';
import { progressBar } from './progress-bar';
import { featuresCsv, foldsCsv, formatReport, resultToJson } from './report';
import { selectFeatures } from './select-features';
import type { SelectFeaturesResult } from './summary';

export const SAE_USAGE = `Usage: bilevel-projection sae [options]

Feature selection with the sparse supervised autoencoder of the paper
(section V.C): train, project W1 by feature columns once, retrain with the
zero pattern frozen; report accuracy over folds and the selected features.

Data (default: make_classification data-64, random_state 0):
  --data FILE             CSV: the authors' layout (';', a Name row, a Label row,
                          one row per feature; decimal comma ok) or one row per sample
  --layout L              auto | features-in-rows | samples-in-rows (default auto)
  --label-column NAME     samples-in-rows: the label column (default "label")
  --id-column NAME        samples-in-rows: a sample-name column to leave out
  --separator S           field separator (default: detected)
  --dataset NAME          data-64 | data-16 (make_classification, when no --data)
  --random-state N        make_classification's random_state (default 0)
Model and training (defaults: the paper's recipe):
  --projection P          ${SAE_PROJECTIONS.join(' | ')} (default bilevel-l1inf)
  --eta R                 radius (default 1)
  --folds K               KFold splits (default 4); --folds-to-run N trains only the first N
  --seed S                KFold random_state and training seed (default 5)
  --epochs1 N --epochs2 N epochs before / after the projection (default 30 / 30)
  --batch N --hidden N --lr X --lambda X --dtype float32|float64
  --log                   x <- log(|x + 1|) before centring (count data)
  --no-center --no-scale  skip centring / unit-variance scaling
  --no-project-bias --no-project-w2   project W1 only
  --concurrency N         folds trained at once (default: CPU count)
Output:
  --out DIR               write result.json, folds.csv, features.csv there
  --json                  print the JSON result instead of the text report
  --top N                 features listed in the text report (default 20)
  --no-progress           no progress bar on stderr
`;

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

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new RangeError(`Expected a number for --${name} but received "${v}"`);
  return x;
}

function writeOut(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

function fail(e: unknown): number {
  const msg = e instanceof CsvError || e instanceof RangeError || e instanceof TypeError ? e.message : e instanceof Error ? e.stack ?? e.message : String(e);
  process.stderr.write(`bilevel-projection: ${msg}\n`);
  return e instanceof CsvError || e instanceof RangeError || e instanceof TypeError ? 2 : 1;
}

/** `bilevel-projection sae ...`; resolves to the exit code. */
export async function runSaeCommand(argv: string[]): Promise<number> {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' }, layout: { type: 'string' }, 'label-column': { type: 'string' }, 'id-column': { type: 'string' },
        separator: { type: 'string' }, dataset: { type: 'string' }, 'random-state': { type: 'string' },
        projection: { type: 'string' }, eta: { type: 'string' }, folds: { type: 'string' }, 'folds-to-run': { type: 'string' },
        seed: { type: 'string' }, epochs1: { type: 'string' }, epochs2: { type: 'string' }, batch: { type: 'string' },
        hidden: { type: 'string' }, lr: { type: 'string' }, lambda: { type: 'string' }, dtype: { type: 'string' },
        log: { type: 'boolean' }, 'no-center': { type: 'boolean' }, 'no-scale': { type: 'boolean' },
        'no-project-bias': { type: 'boolean' }, 'no-project-w2': { type: 'boolean' }, concurrency: { type: 'string' },
        out: { type: 'string' }, json: { type: 'boolean' }, top: { type: 'string' }, 'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`bilevel-projection sae: ${(e as Error).message}\n\n${SAE_USAGE}`);
    return 2;
  }
  if (a.help) {
    process.stdout.write(SAE_USAGE);
    return 0;
  }
  try {
    const projection = (a.projection ?? 'bilevel-l1inf') as SaeProjection;
    const eta = num(a.eta, 'eta') ?? 1;
    const bar = progressBar('sae', process.stderr, !a['no-progress']);
    const opts: SaeOptions = {
      projection,
      eta,
      folds: num(a.folds, 'folds'),
      foldsToRun: num(a['folds-to-run'], 'folds-to-run'),
      seed: num(a.seed, 'seed'),
      phase1Epochs: num(a.epochs1, 'epochs1'),
      phase2Epochs: num(a.epochs2, 'epochs2'),
      batchSize: num(a.batch, 'batch'),
      hidden: num(a.hidden, 'hidden'),
      learningRate: num(a.lr, 'lr'),
      lossLambda: num(a.lambda, 'lambda'),
      dtype: a.dtype as SaeOptions['dtype'],
      log: a.log ?? false,
      center: !a['no-center'],
      scale: !a['no-scale'],
      projectBias: !a['no-project-bias'],
      projectW2: !a['no-project-w2'],
      concurrency: num(a.concurrency, 'concurrency'),
      onProgress: (p) => bar.update(p),
    };
    for (const k of Object.keys(opts) as (keyof SaeOptions)[]) if (opts[k] === undefined) delete opts[k];
    resolveSaeOptions(opts, 1); // fail on a bad value before loading any data
    const topCount = num(a.top, 'top');
    const randomState = num(a['random-state'], 'random-state') ?? 0;
    let X, y, featureNames: string[] | undefined, informative: Uint8Array | undefined, dataset: string;
    if (a.data !== undefined) {
      const d = loadLabelledCsv(a.data, {
        layout: (a.layout ?? 'auto') as CsvLayout,
        labelColumn: a['label-column'],
        idColumn: a['id-column'],
        separator: a.separator,
      });
      ({ X, y, featureNames } = d);
      dataset = `${a.data} (${d.X.rows} samples x ${d.X.cols} features, classes ${d.classNames.join(', ')})`;
    } else {
      const name = (a.dataset ?? 'data-64') as PaperDataset;
      if (!(name in PAPER_TABLES)) throw new RangeError(`Expected data-64 or data-16 for --dataset but received "${a.dataset}"`);
      const rs = randomState;
      const d = makeClassification({ nSamples: 1000, nFeatures: 1000, nInformative: PAPER_TABLES[name].nInformative, randomState: rs });
      ({ X, y, informative } = d);
      dataset = `make_classification ${name} (random_state ${rs})`;
    }
    if (informative) opts.informative = informative;
    const r = await selectFeatures(X, y, opts);
    bar.done();
    const ctx = { dataset, projection, eta, featureNames, top: topCount };
    process.stdout.write(a.json ? resultToJson(r, ctx) : formatReport(r, ctx));
    if (a.out !== undefined) {
      writeOut(a.out, { 'result.json': resultToJson(r, ctx), 'folds.csv': foldsCsv(r), 'features.csv': featuresCsv(r, featureNames, informative) });
      process.stderr.write(`wrote ${path.join(a.out, 'result.json')}, folds.csv, features.csv\n`);
    }
    return 0;
  } catch (e) {
    return fail(e);
  }
}

/** `bilevel-projection paper sae ...`; resolves to the exit code. */
export async function runPaperSaeCommand(argv: string[]): Promise<number> {
  let a;
  try {
    a = parseArgs({
      args: argv,
      options: {
        'random-state': { type: 'string' }, seed: { type: 'string' }, folds: { type: 'string' }, datasets: { type: 'string' },
        out: { type: 'string' }, 'no-figures': { type: 'boolean' }, radii: { type: 'string' }, 'fig7-folds': { type: 'string' },
        concurrency: { type: 'string' }, 'no-progress': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
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
    for (const d of datasets) if (!(d in PAPER_TABLES)) throw new RangeError(`Expected data-64 and/or data-16 in --datasets but received "${d}"`);
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
    let bar = progressBar('', process.stderr, show);
    let current = '';
    const onProgress = (label: string, p: SaeProgress) => {
      if (label !== current) {
        bar.done();
        bar = progressBar(label, process.stderr, show);
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
