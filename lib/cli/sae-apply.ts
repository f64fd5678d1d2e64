// `sae predict` and `sae transform`: a saved model applied to a new table.
// The model's features are found by name in the new file's header (any
// order, extra columns fine); the id and label columns are carried through
// to the output, never read as features.
import { writeFileAtomically } from '../io/atomic-write';
import { csvText } from '../io/csv-write';
import type { LabelledData } from '../io/csv';
import { checkOutputFile } from '../io/output-check';
import { loadSaeModel, type SaeModel } from '../sae';
import type { Matrix } from '../types';
import { fail, parseFlags, UsageError } from './common';
import { DATA_FLAGS, DATA_USAGE, loadData } from './sae-flags';

const APPLY_FLAGS = { ...DATA_FLAGS, model: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export const PREDICT_USAGE = `Usage: bilevel-projection sae predict --model MODEL.json --data FILE [--out predictions.csv] [options]

One row per sample: the id column (when the data has one), \`predicted\` (the
label as spelled in the training file), then p_<class> for each class, then
the label column when the file has one. The model's features are found by
name in FILE's header: other columns and another order are fine.

  --model FILE            a model saved by \`sae fit --save\`
  --out FILE              where to write (default: stdout); replaced whole
${DATA_USAGE}
`;

export const TRANSFORM_USAGE = `Usage: bilevel-projection sae transform --model MODEL.json --data FILE [--out selected.csv] [options]

The features the model kept, with their names, in the model's order, as read
from FILE after the model's preprocessing (log, centring, scaling as fitted);
the id and label columns are carried through.

  --model FILE            a model saved by \`sae fit --save\`
  --out FILE              where to write (default: stdout); replaced whole
${DATA_USAGE}
`;

function missingFeatureError(file: string, missing: string[], total: number): Error {
  const shown = missing.slice(0, 5).map((s) => `"${s}"`).join(', ') + (missing.length > 5 ? `, ... (${missing.length} in all)` : '');
  const err = new Error(`${file}: no column ${shown} in the header: the model needs all ${total} of its features (${missing.length === 1 ? 'this one is' : 'these are'} missing)`);
  return Object.assign(err, { code: 'ERR_BP_FILE' });
}

/** The data's columns in the model's feature order (found by name when the model has names). */
function alignColumns(model: SaeModel, d: LabelledData, file: string): Matrix<Float64Array> {
  const names = model.featureNames;
  if (!names) {
    if (d.X.cols !== model.features) {
      throw Object.assign(new Error(`${file}: ${d.X.cols} feature columns but the model was fitted on ${model.features} (it has no feature names to match by)`), { code: 'ERR_BP_FILE' });
    }
    return d.X;
  }
  const at = new Map(d.featureNames.map((n, j) => [n, j]));
  const missing = names.filter((n) => !at.has(n));
  if (missing.length > 0) throw missingFeatureError(file, missing, names.length);
  const cols = names.map((n) => at.get(n) as number);
  if (cols.length === d.X.cols && cols.every((c, j) => c === j)) return d.X;
  const { rows } = d.X, m = d.X.cols, k = cols.length;
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) for (let j = 0; j < k; j++) out[i * k + j] = d.X.data[i * m + cols[j]];
  return { data: out, rows, cols: k };
}

/** The id and label columns to carry: their headers and each row's values. */
function carried(d: LabelledData): { idName?: string; labelName?: string } {
  return {
    idName: d.hasIds ? d.idColumn ?? (d.layout === 'features-in-rows' ? 'Name' : '') : undefined,
    labelName: d.labels.length > 0 ? d.labelColumn ?? 'Label' : undefined,
  };
}

export async function runApplyCommand(which: 'predict' | 'transform', argv: string[]): Promise<number> {
  const prefix = `bilevel-projection sae ${which}`;
  let a: Record<string, string | boolean | undefined>;
  try {
    a = parseFlags(argv, APPLY_FLAGS);
    if (a.help) {
      process.stdout.write(which === 'predict' ? PREDICT_USAGE : TRANSFORM_USAGE);
      return 0;
    }
    if (a.model === undefined) throw new UsageError('--model FILE is required (a model saved by sae fit --save)');
    if (a.data === undefined) throw new UsageError('--data FILE is required');
    if (a.out !== undefined) checkOutputFile(a.out as string);
  } catch (e) {
    return fail(e, prefix);
  }
  try {
    const model = await loadSaeModel(a.model as string);
    const d = await loadData(a, false, prefix);
    const X = alignColumns(model, d, a.data as string);
    const { idName, labelName } = carried(d);
    const rows: (string | number)[][] = [];
    let header: string[];
    if (which === 'predict') {
      const predicted = model.predict(X);
      const proba = model.predictProba(X);
      const k = model.classes.length;
      header = [...(idName !== undefined ? [idName] : []), 'predicted', ...model.classes.map((c) => `p_${c}`), ...(labelName !== undefined ? [labelName] : [])];
      for (let i = 0; i < X.rows; i++) {
        const r: (string | number)[] = idName !== undefined ? [d.sampleNames[i]] : [];
        r.push(String(predicted[i]));
        for (let c = 0; c < k; c++) r.push(proba[i * k + c]);
        if (labelName !== undefined) r.push(d.labels[i]);
        rows.push(r);
      }
    } else {
      const T = model.transform(X);
      const names = Array.from(model.selected, (j) => model.featureNames?.[j] ?? `feature_${j}`);
      header = [...(idName !== undefined ? [idName] : []), ...names, ...(labelName !== undefined ? [labelName] : [])];
      for (let i = 0; i < T.rows; i++) {
        const r: (string | number)[] = idName !== undefined ? [d.sampleNames[i]] : [];
        for (let j = 0; j < T.cols; j++) r.push(T.data[i * T.cols + j]);
        if (labelName !== undefined) r.push(d.labels[i]);
        rows.push(r);
      }
    }
    const text = csvText(header, rows);
    if (a.out !== undefined) {
      writeFileAtomically(a.out as string, text);
      process.stderr.write(`wrote ${a.out} (${rows.length} rows)\n`);
    } else process.stdout.write(text);
    return 0;
  } catch (e) {
    return fail(e, prefix, true);
  }
}
