// The flags the sae commands share: how to read a table, and how to train.
// Each maps to one option of the library; asUsageError uses the same map to
// retell the library's "opts.eta" as "--eta".
import { loadLabelledCsv, type CsvOptions, type LabelledData } from '../io/csv';
import { SAE_PROJECTIONS, type SaeOptions } from '../sae';
import { resolveSaeOptions } from '../sae/options';
import { asUsageError, num, oneOf, UsageError } from './common';

export const DATA_FLAGS = {
  data: { type: 'string' },
  layout: { type: 'string' },
  'label-column': { type: 'string' },
  'id-column': { type: 'string' },
  'ignore-columns': { type: 'string' },
  separator: { type: 'string' },
  encoding: { type: 'string' },
  missing: { type: 'string' },
} as const;

export const TRAIN_FLAGS = {
  projection: { type: 'string' },
  eta: { type: 'string' },
  keep: { type: 'string' },
  seed: { type: 'string' },
  epochs1: { type: 'string' },
  epochs2: { type: 'string' },
  batch: { type: 'string' },
  hidden: { type: 'string' },
  lr: { type: 'string' },
  lambda: { type: 'string' },
  dtype: { type: 'string' },
  'epoch-selection': { type: 'string' },
  'validation-fraction': { type: 'string' },
  log: { type: 'boolean' },
  'no-center': { type: 'boolean' },
  'no-scale': { type: 'boolean' },
  'no-project-bias': { type: 'boolean' },
  'no-project-w2': { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Library option -> flag, for messages. */
export const OPTION_FLAGS: Record<string, string> = {
  projection: 'projection', eta: 'eta', keep: 'keep', seed: 'seed', phase1Epochs: 'epochs1', phase2Epochs: 'epochs2',
  batchSize: 'batch', hidden: 'hidden', learningRate: 'lr', lossLambda: 'lambda', dtype: 'dtype',
  epochSelection: 'epoch-selection', validationFraction: 'validation-fraction', folds: 'folds', foldsToRun: 'folds-to-run',
  concurrency: 'concurrency', layout: 'layout', labelColumn: 'label-column', idColumn: 'id-column',
  ignoreColumns: 'ignore-columns', separator: 'separator', encoding: 'encoding', missing: 'missing',
};

export const DATA_USAGE = `  --data FILE             CSV: one row per sample with a header, or the authors' layout
                          (';', a Name row, a Label row, one row per feature; decimal comma ok);
                          RFC 4180 quoting (newlines inside quotes), BOM and CRLF are fine
  --layout L              auto | features-in-rows | samples-in-rows (default auto)
  --label-column NAME     the label column (default "label")
  --id-column NAME        a column of sample names (kept out of the features, carried to outputs)
  --ignore-columns A,B    more columns that are not features (notes, dates, ...)
  --separator S           field separator (default: detected from the first line)
  --encoding E            utf8 | latin1 (default utf8; the authors' files are latin1)
  --missing M             error | drop-rows | mean: empty, NA and nan cells (default error)`;

export const TRAIN_USAGE = `  --projection P          ${SAE_PROJECTIONS.join(' | ')} (default bilevel-l1inf)
  --keep K                keep K features: the radius that keeps K W1 columns (exclusive with --eta)
  --eta R                 radius (default 1 when --keep is not given). Each projection measures
                          its radius in its own norm (l1,inf / l1,1 / l1,2 of W1): the same
                          value keeps different numbers of features; --keep does not depend on it
  --seed S                random_state of splits and training (default 5)
  --epochs1 N --epochs2 N epochs before / after the projection (default 30 / 30)
  --batch N --hidden N --lr X --lambda X --dtype float32|float64
  --log                   x <- log(|x + 1|) before centring (count data)
  --no-center --no-scale  skip centring / unit-variance scaling
  --no-project-bias --no-project-w2   project W1 only
  --no-progress           no progress bar on stderr`;

type Values = Record<string, string | boolean | undefined>;
const str = (a: Values, k: string) => a[k] as string | undefined;

/** The CSV reader's options from the data flags. */
export function csvOptions(a: Values, requireLabels = true): CsvOptions {
  const o: CsvOptions = {
    layout: oneOf(str(a, 'layout'), 'layout', ['auto', 'features-in-rows', 'samples-in-rows'] as const),
    labelColumn: str(a, 'label-column'),
    idColumn: str(a, 'id-column'),
    ignoreColumns: str(a, 'ignore-columns')?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    separator: str(a, 'separator') === '\\t' ? '\t' : str(a, 'separator'),
    encoding: oneOf(str(a, 'encoding'), 'encoding', ['utf8', 'latin1'] as const),
    missing: oneOf(str(a, 'missing'), 'missing', ['error', 'drop-rows', 'mean'] as const),
  };
  if (!requireLabels) o.requireLabels = false;
  for (const k of Object.keys(o) as (keyof CsvOptions)[]) if (o[k] === undefined) delete o[k];
  for (const k of ['label-column', 'id-column', 'separator'] as const) {
    if (a[k] === '') throw new UsageError(`--${k} must not be empty`);
  }
  return o;
}

/** Loads --data, saying on stderr what was left out or filled. */
export async function loadData(a: Values, requireLabels = true, prefix = 'bilevel-projection sae'): Promise<LabelledData> {
  const file = str(a, 'data');
  if (file === undefined) throw new UsageError('--data FILE is required');
  const d = await loadLabelledCsv(file, csvOptions(a, requireLabels));
  if (d.missingCells > 0) {
    const what = d.droppedSamples.length > 0 ? `dropped ${d.droppedSamples.length} sample(s)` : 'filled them with the column mean';
    process.stderr.write(`${prefix}: ${file}: ${d.missingCells} missing value(s); ${what} (--missing)\n`);
  }
  return d;
}

/** The labels of d as values the library keeps: integers when every class is one, else the text. */
export function labelValues(d: LabelledData): number[] | string[] {
  const ints = d.classes.every((c) => typeof c === 'number' && Number.isSafeInteger(c));
  return ints ? Array.from(d.y, (i) => d.classes[i] as number) : Array.from(d.y, (i) => d.classNames[i]);
}

/** SaeOptions from the training flags, checked now (before any data is read), errors in flag terms. */
export function trainingOptions(a: Values, extra: Partial<SaeOptions> = {}): SaeOptions {
  const o: SaeOptions = {
    projection: str(a, 'projection') as SaeOptions['projection'],
    eta: num(str(a, 'eta'), 'eta'),
    keep: num(str(a, 'keep'), 'keep'),
    seed: num(str(a, 'seed'), 'seed'),
    phase1Epochs: num(str(a, 'epochs1'), 'epochs1'),
    phase2Epochs: num(str(a, 'epochs2'), 'epochs2'),
    batchSize: num(str(a, 'batch'), 'batch'),
    hidden: num(str(a, 'hidden'), 'hidden'),
    learningRate: num(str(a, 'lr'), 'lr'),
    lossLambda: num(str(a, 'lambda'), 'lambda'),
    dtype: str(a, 'dtype') as SaeOptions['dtype'],
    epochSelection: str(a, 'epoch-selection') as SaeOptions['epochSelection'],
    validationFraction: num(str(a, 'validation-fraction'), 'validation-fraction'),
    log: a.log === true ? true : undefined,
    center: a['no-center'] === true ? false : undefined,
    scale: a['no-scale'] === true ? false : undefined,
    projectBias: a['no-project-bias'] === true ? false : undefined,
    projectW2: a['no-project-w2'] === true ? false : undefined,
    ...extra,
  };
  for (const k of Object.keys(o) as (keyof SaeOptions)[]) if (o[k] === undefined) delete o[k];
  try {
    resolveSaeOptions(o, 1);
  } catch (e) {
    throw asUsageError(e, OPTION_FLAGS);
  }
  return o;
}
