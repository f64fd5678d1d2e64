// The command-line side of the SAE: `bilevel-projection sae cv | fit |
// predict | transform` (`sae` alone is `sae cv`). Results go to stdout and to
// files, progress and errors to stderr. Every flag is checked, and every
// output path is probed, before any data is read or any training starts;
// outputs are written whole (temporary name, then rename).
import * as path from 'path';
import { makeClassification } from '../datasets';
import { removePendingTemporaryFiles, writeFileAtomically } from '../io/atomic-write';
import { checkOutputDirectory, checkOutputFile } from '../io/output-check';
import { progressBar } from '../io/progress-bar';
import { PAPER_TABLES, type PaperDataset } from '../paper';
import type { Matrix } from '../types';
import { featuresCsv, fitSae, foldsCsv, formatReport, resultToJson, selectFeatures, type SaeModel, type SaeOptions, type SaeProgress } from '../sae';
import { fail, num, parseFlags, UsageError, saeProgressText, writeOut } from './common';
import { runApplyCommand } from './sae-apply';
import { DATA_FLAGS, DATA_USAGE, TRAIN_FLAGS, TRAIN_USAGE, labelValues, loadData, trainingOptions } from './sae-flags';

export const SAE_USAGE = `Usage: bilevel-projection sae <cv | fit | predict | transform> [options]

  sae cv         cross-validated feature selection, the paper's experiment (also: sae alone)
  sae fit        train once on all samples and save the model
  sae predict    labels and class probabilities of new samples, from a saved model
  sae transform  the selected feature columns of new samples, from a saved model

Each subcommand has its own --help. Exit status: 0 done, 1 failure (a file
missing, unreadable or malformed), 2 usage error (a bad flag), 130 interrupted.
`;

export const CV_USAGE = `Usage: bilevel-projection sae cv [options]      (\`sae\` alone is the same)

Feature selection with the sparse supervised autoencoder of the paper
(section V.C), cross-validated: in each fold, train, project W1 by feature
columns once, retrain with the zero pattern frozen; report accuracy over
folds and the selected features.

Data (default: make_classification data-64, random_state 0):
${DATA_USAGE}
  --dataset NAME          data-64 | data-16 (make_classification, when no --data)
  --random-state N        make_classification's random_state (default 0)
Model and training (defaults: the paper's recipe):
${TRAIN_USAGE}
  --epoch-selection S     test-fold (default: the authors' protocol, optimistic) | validation | last
  --validation-fraction F hold-out fraction for --epoch-selection validation (default 0.2)
  --folds K               KFold splits (default 4); --folds-to-run N trains only the first N
  --concurrency N         folds trained at once (default: CPU count)
Output:
  --out DIR               write result.json, folds.csv, features.csv there (checked before training)
  --json                  print the JSON result instead of the text report
  --top N                 features listed in the text report (default 20)
`;

export const FIT_USAGE = `Usage: bilevel-projection sae fit --data FILE (--keep K | --eta E) --save MODEL.json [options]

Trains the sparse supervised autoencoder once on every sample of FILE and
saves the model (features kept, preprocessing, weights, class labels as
spelled in the file) for \`sae predict\` and \`sae transform\`.

Data:
${DATA_USAGE}
Model and training (defaults: the paper's recipe):
${TRAIN_USAGE}
  --epoch-selection S     last (default) | validation (best epoch on a seeded stratified hold-out)
  --validation-fraction F hold-out fraction for --epoch-selection validation (default 0.2)
Output:
  --save FILE             the model, as JSON (checked before training; replaced whole)
  --top N                 features listed on stdout (default 20)
`;

/**
 * Runs `fn` with SIGINT turned into an abort of the training (`abortable`)
 * or an immediate exit: outputs are left whole, temporary files removed.
 */
async function interruptible(fn: (signal: AbortSignal) => Promise<number>, abortable = true): Promise<number> {
  const ac = new AbortController();
  const onInt = () => {
    removePendingTemporaryFiles();
    if (!abortable || ac.signal.aborted) {
      // Nothing to abort (or a second Ctrl-C): leave now; files are written whole or not at all.
      process.stderr.write('bilevel-projection sae: interrupted; no output was written\n');
      process.exit(130);
    }
    ac.abort();
  };
  process.on('SIGINT', onInt);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onInt);
  }
}

/** `bilevel-projection sae ...`; resolves to the exit code. */
export async function runSaeCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'cv':
      return interruptible((signal) => runCv(rest, signal));
    case 'fit':
      return interruptible((signal) => runFit(rest, signal));
    case 'predict':
    case 'transform':
      return interruptible(() => runApplyCommand(sub, rest), false);
    case 'help':
      process.stdout.write(SAE_USAGE);
      return 0;
    case '--help':
    case '-h':
      if (rest.length === 0) {
        process.stdout.write(`${SAE_USAGE}\n${CV_USAGE}`);
        return 0;
      }
      return interruptible((signal) => runCv(argv, signal));
    default:
      if (sub !== undefined && !sub.startsWith('-')) {
        process.stderr.write(`bilevel-projection sae: unknown subcommand '${sub}' (cv, fit, predict, transform)\n`);
        return 2;
      }
      return interruptible((signal) => runCv(argv, signal));
  }
}

const CV_FLAGS = {
  ...DATA_FLAGS,
  ...TRAIN_FLAGS,
  dataset: { type: 'string' },
  'random-state': { type: 'string' },
  folds: { type: 'string' },
  'folds-to-run': { type: 'string' },
  concurrency: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  top: { type: 'string' },
} as const;

async function runCv(argv: string[], signal: AbortSignal): Promise<number> {
  const prefix = 'bilevel-projection sae cv';
  let opts: SaeOptions, a: Record<string, string | boolean | undefined>, topCount: number | undefined, randomState: number;
  try {
    a = parseFlags(argv, CV_FLAGS);
    if (a.help) {
      process.stdout.write(CV_USAGE);
      return 0;
    }
    opts = trainingOptions(a, {
      folds: num(a.folds as string | undefined, 'folds'),
      foldsToRun: num(a['folds-to-run'] as string | undefined, 'folds-to-run'),
      concurrency: num(a.concurrency as string | undefined, 'concurrency'),
    });
    topCount = num(a.top as string | undefined, 'top');
    randomState = num(a['random-state'] as string | undefined, 'random-state') ?? 0;
    if (a.data === undefined && a.dataset !== undefined && !((a.dataset as string) in PAPER_TABLES)) {
      throw new UsageError(`--dataset must be data-64 or data-16 (got ${JSON.stringify(a.dataset)})`);
    }
    if (a.out !== undefined) checkOutputDirectory(a.out as string);
  } catch (e) {
    return fail(e, prefix);
  }
  try {
    const bar = progressBar('sae', process.stderr, !a['no-progress'], saeProgressText);
    let X: Matrix<Float64Array>, y: Int32Array | number[] | string[], featureNames: string[] | undefined, informative: Uint8Array | undefined, dataset: string;
    if (a.data !== undefined) {
      const d = await loadData(a, true, prefix);
      X = d.X;
      y = labelValues(d);
      featureNames = d.featureNames;
      dataset = `${a.data} (${d.X.rows} samples x ${d.X.cols} features, classes ${d.classNames.join(', ')})`;
    } else {
      const name = (a.dataset ?? 'data-64') as PaperDataset;
      const d = makeClassification({ nSamples: 1000, nFeatures: 1000, nInformative: PAPER_TABLES[name].nInformative, randomState });
      ({ X, y, informative } = d);
      dataset = `make_classification ${name} (random_state ${randomState})`;
    }
    if (informative) opts.informative = informative;
    const r = await selectFeatures(X, y, { ...opts, signal, onProgress: (p) => bar.update(p) });
    bar.done();
    for (const w of r.warnings) process.stderr.write(`${prefix}: warning: ${w.replace(/opts\.(eta|keep)/g, '--$1')}\n`);
    const projection = opts.projection ?? 'bilevel-l1inf';
    const eta = opts.keep !== undefined ? r.folds[0]?.eta ?? NaN : opts.eta ?? 1;
    const ctx = { dataset, projection, eta, featureNames, top: topCount };
    process.stdout.write(a.json ? resultToJson(r, ctx) : formatReport(r, ctx));
    if (a.out !== undefined) {
      writeOut(a.out as string, { 'result.json': resultToJson(r, ctx), 'folds.csv': foldsCsv(r), 'features.csv': featuresCsv(r, featureNames, informative) });
      process.stderr.write(`wrote ${path.join(a.out as string, 'result.json')}, folds.csv, features.csv\n`);
    }
    return 0;
  } catch (e) {
    return fail(e, prefix, true);
  }
}

const FIT_FLAGS = { ...DATA_FLAGS, ...TRAIN_FLAGS, save: { type: 'string' }, top: { type: 'string' } } as const;

function modelSummary(model: SaeModel, file: string, samples: number, top: number): string {
  const lines = [
    `SAE model: ${model.selected.length} of ${model.features} features kept; classes ${model.classes.map((c) => JSON.stringify(c)).join(', ')}; trained on ${samples} samples (${file})`,
  ];
  const shown = model.ranking.slice(0, top);
  if (shown.length > 0) {
    lines.push(`  rank  feature${' '.repeat(18)}score (||W1[:,j]||)`);
    for (const [i, f] of shown.entries()) lines.push(`  ${String(i + 1).padStart(4)}  ${(f.name ?? `feature ${f.index}`).padEnd(25).slice(0, 25)}${f.score.toFixed(4).padStart(12)}`);
  }
  return lines.join('\n') + '\n';
}

async function runFit(argv: string[], signal: AbortSignal): Promise<number> {
  const prefix = 'bilevel-projection sae fit';
  let opts: SaeOptions, a: Record<string, string | boolean | undefined>, top: number;
  try {
    a = parseFlags(argv, FIT_FLAGS);
    if (a.help) {
      process.stdout.write(FIT_USAGE);
      return 0;
    }
    if (a['epoch-selection'] === 'test-fold') throw new UsageError('--epoch-selection must be last or validation for fit (there is no test fold)');
    opts = trainingOptions(a);
    if (a.eta === undefined && a.keep === undefined && a.projection !== 'none') {
      throw new UsageError('give --keep K (the number of features to keep) or --eta E (the radius, in the projection\'s own norm)');
    }
    top = num(a.top as string | undefined, 'top') ?? 20;
    if (a.data === undefined) throw new UsageError('--data FILE is required');
    if (a.save === undefined) throw new UsageError('--save FILE is required (where the model goes)');
    checkOutputFile(a.save as string);
  } catch (e) {
    return fail(e, prefix);
  }
  try {
    const d = await loadData(a, true, prefix);
    const bar = progressBar('sae fit', process.stderr, !a['no-progress'], (p: SaeProgress) => `phase ${p.phase} epoch ${p.epoch} train acc ${(100 * p.trainAccuracy).toFixed(1)}%`);
    const fitOpts = { ...opts, featureNames: d.featureNames, signal, onProgress: (p: Parameters<typeof saeProgressText>[0]) => bar.update(p) };
    delete (fitOpts as { folds?: number }).folds;
    const model = await fitSae(d.X, labelValues(d), fitOpts as Parameters<typeof fitSae>[2]);
    bar.done();
    for (const w of model.warnings) process.stderr.write(`${prefix}: warning: ${w.replace(/opts\.(eta|keep)/g, '--$1')}\n`);
    writeFileAtomically(a.save as string, JSON.stringify(model) + '\n');
    process.stdout.write(modelSummary(model, a.data as string, d.X.rows, top));
    process.stderr.write(`wrote ${a.save}\n`);
    return 0;
  } catch (e) {
    return fail(e, prefix, true);
  }
}
