// The command-line side of the SAE: `bilevel-projection sae ...` (one
// configuration on a CSV file or on make_classification data) and
// `bilevel-projection paper sae` (Tables II/III, Figures 7 and 9). Results go
// to stdout and to files; progress and errors to stderr.
import * as path from 'path';
import { parseArgs } from 'util';
import { makeClassification } from '../datasets';
import { progressBar } from '../io/progress-bar';
import { PAPER_TABLES, type PaperDataset } from '../paper';
import {
  SAE_PROJECTIONS,
  featuresCsv,
  foldsCsv,
  formatReport,
  loadLabelledCsv,
  resultToJson,
  selectFeatures,
  type CsvLayout,
  type SaeOptions,
  type SaeProjection,
} from '../sae';
import { resolveSaeOptions } from '../sae/options';
import { UsageError, fail, num, saeProgressText, writeOut } from './common';

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
    const bar = progressBar('sae', process.stderr, !a['no-progress'], saeProgressText);
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
      if (!(name in PAPER_TABLES)) throw new UsageError(`--dataset must be data-64 or data-16 (got ${JSON.stringify(a.dataset)})`);
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

