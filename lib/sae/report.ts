// Writing a selectFeatures result for people and programs: a text summary
// (which always says how the kept epoch was chosen, and repeats the
// warnings), JSON, and two CSV tables (per fold; per feature).
import { types } from 'util';
import { invalidType } from '../errors';
import * as check from '../validate';
import type { SelectFeaturesResult } from './summary';

const pct = (x: number, d = 1) => (Number.isFinite(x) ? (100 * x).toFixed(d) : 'n/a');

export interface ReportContext {
  /** e.g. 'make_classification data-64 (random_state 0)' or a file name. */
  dataset: string;
  projection: string;
  eta: number;
  featureNames?: string[];
  /** How many ranked features to print. Default 20. */
  top?: number;
}

// The report helpers take what selectFeatures returned; a value that is not
// such a result is refused up front (a TypeError naming the argument), not
// met halfway through as "cannot read properties of undefined".
function checkResult(r: unknown, name = 'r'): SelectFeaturesResult {
  if (typeof r !== 'object' || r === null) throw invalidType(name, 'a result of selectFeatures', r);
  const o = r as Record<string, unknown>;
  const field = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(o[key])) throw invalidType(`${name}.${key}`, what, o[key]);
  };
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  field('selected', (v) => types.isInt32Array(v), 'an Int32Array');
  field('scores', (v) => types.isFloat64Array(v), 'a Float64Array');
  field('keptInFolds', (v) => types.isInt32Array(v), 'an Int32Array');
  field('accuracy', isObject, 'an object');
  field('folds', (v) => Array.isArray(v) && v.every(isObject), 'an array of fold summaries');
  field('foldScores', (v) => Array.isArray(v) && v.every((x) => types.isFloat64Array(x)), 'an array of Float64Array');
  field('metrics', isObject, 'an object');
  field('warnings', (v) => Array.isArray(v), 'an array');
  field('classes', (v) => Array.isArray(v), 'an array');
  field('sparsity', (v) => typeof v === 'number', 'a number');
  field('elapsedSeconds', (v) => typeof v === 'number', 'a number');
  return r as SelectFeaturesResult;
}

function checkContext(c: unknown, name = 'c'): ReportContext {
  const o = check.options(c, ['dataset', 'projection', 'eta', 'featureNames', 'top'], name) as Record<string, unknown>;
  if (c === undefined) throw invalidType(name, 'a report context { dataset, projection, eta }', c);
  check.string(o.dataset, `${name}.dataset`);
  check.string(o.projection, `${name}.projection`);
  check.finite(o.eta, `${name}.eta`);
  if (o.featureNames !== undefined) checkNames(o.featureNames, `${name}.featureNames`);
  if (o.top !== undefined) check.integer(o.top, `${name}.top`, 0);
  return c as ReportContext;
}

function checkNames(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalidType(name, 'an array of strings', v);
  return v;
}

export function formatReport(r: SelectFeaturesResult, c: ReportContext): string {
  checkResult(r);
  checkContext(c);
  const a = r.accuracy;
  const lines: string[] = [];
  const proj = c.projection === 'none' ? 'no projection (baseline)' : `${c.projection}, eta = ${c.eta}`;
  lines.push(`SAE feature selection: ${c.dataset}; ${proj}; ${r.folds.length} folds; ${r.elapsedSeconds.toFixed(1)} s`);
  const kept = r.epochSelection === 'test-fold' ? 'best epoch*  ' : r.epochSelection === 'validation' ? 'kept epoch** ' : 'kept (last)  ';
  lines.push(`  accuracy, ${kept}  ${pct(a.mean)} % ± ${pct(a.std)}   (folds: ${a.perFold.map((x) => pct(x)).join(', ')})`);
  lines.push(`  accuracy, last epoch    ${pct(a.lastEpochMean)} % ± ${pct(a.lastEpochStd)}   (folds: ${a.lastEpochPerFold.map((x) => pct(x)).join(', ')})`);
  const mt = r.metrics;
  lines.push(`  pooled test folds       balanced accuracy ${pct(mt.balancedAccuracy)} %, macro F1 ${pct(mt.macroF1)} %, ROC AUC ${Number.isFinite(mt.rocAuc) ? mt.rocAuc.toFixed(3) : 'n/a'}`);
  lines.push(`  W1 column sparsity      ${pct(r.sparsity)} %   (folds: ${r.folds.map((f) => pct(f.sparsity)).join(', ')})`);
  lines.push(`  selected features       ${r.selected.length} of ${r.scores.length} (kept by at least one fold)`);
  if (r.recall) {
    lines.push(
      `  informative features    ${r.recall.informative}: recall ${pct(r.recall.recall)} %, precision ${pct(r.recall.precision)} %, ` +
        `recall in the top ${r.recall.informative} ${pct(r.recall.recallAtK)} %`,
    );
  }
  if (r.epochSelection === 'test-fold') {
    lines.push('  * the best epoch is chosen on the test fold itself, as in the authors\' code: an optimistic figure;');
    lines.push('    the last-epoch accuracy involves no such choice. ± is the population std over folds.');
  } else if (r.epochSelection === 'validation') {
    lines.push('  ** the epoch is chosen on a hold-out of each fold\'s training samples; the test fold is not looked at.');
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  const top = Math.min(c.top ?? 20, r.selected.length);
  if (top > 0) {
    lines.push('');
    lines.push(`  rank  feature${' '.repeat(18)}score (mean ||W1[:,j]||)  folds kept`);
    for (let i = 0; i < top; i++) {
      const j = r.selected[i];
      const name = c.featureNames?.[j] ?? `feature ${j}`;
      lines.push(`  ${String(i + 1).padStart(4)}  ${name.padEnd(25).slice(0, 25)}${r.scores[j].toFixed(4).padStart(12)}${' '.repeat(14)}${r.keptInFolds[j]}/${r.folds.length}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Everything but the weight matrices (which go to SVG, not JSON), with typed arrays as plain arrays. */
export function resultToJson(r: SelectFeaturesResult, c: ReportContext): string {
  checkResult(r);
  checkContext(c);
  const out = {
    dataset: c.dataset,
    projection: c.projection,
    eta: c.eta,
    note: r.note,
    epochSelection: r.epochSelection,
    warnings: r.warnings,
    accuracy: r.accuracy,
    metrics: r.metrics,
    sparsity: r.sparsity,
    recall: r.recall ?? null,
    classes: r.classes,
    elapsedSeconds: r.elapsedSeconds,
    folds: r.folds,
    selected: Array.from(r.selected, (j) => ({
      index: j,
      name: c.featureNames?.[j] ?? null,
      score: r.scores[j],
      keptInFolds: r.keptInFolds[j],
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

function csvField(s: string): string {
  return /[",;\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per fold: the kept epoch (by epochSelection), accuracies, sparsity, the kept epoch's test metrics, the radius used. */
export function foldsCsv(r: SelectFeaturesResult): string {
  checkResult(r);
  const rows = [
    'fold,reported_phase,best_epoch,best_epoch_accuracy,last_epoch_accuracy,w1_sparsity,zero_columns_after_projection,train_size,test_size,' +
      'balanced_accuracy,macro_f1,roc_auc,eta',
  ];
  r.folds.forEach((f, i) => {
    const m = f.metrics;
    rows.push(
      [i, f.reportedPhase, f.bestEpoch, f.bestAccuracy, f.lastAccuracy, f.sparsity, f.zeroColumnsAfterProjection, f.trainSize, f.testSize, m.balancedAccuracy, m.macroF1, m.rocAuc, f.eta].join(','),
    );
  });
  return rows.join('\n') + '\n';
}

/** One row per selected feature, best first: mean and per-fold column norms, folds kept (topFeatures_NormL2 of the authors). */
export function featuresCsv(r: SelectFeaturesResult, featureNames?: string[], informative?: ArrayLike<number>): string {
  checkResult(r);
  if (featureNames !== undefined) checkNames(featureNames, 'featureNames');
  if (informative !== undefined && !(Array.isArray(informative) || types.isTypedArray(informative))) {
    throw invalidType('informative', 'an array of 0/1 flags', informative);
  }
  const folds = r.foldScores.length;
  const head = ['rank', 'index', 'name', 'mean_norm', 'std_norm', ...Array.from({ length: folds }, (_, f) => `fold${f}_norm`), 'kept_in_folds'];
  if (informative) head.push('informative');
  const rows = [head.join(',')];
  r.selected.forEach((j, rank) => {
    const v = r.foldScores.map((s) => s[j]);
    const mean = v.reduce((a, b) => a + b, 0) / folds;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / folds);
    const cells = [String(rank + 1), String(j), csvField(featureNames?.[j] ?? ''), String(mean), String(std), ...v.map(String), String(r.keptInFolds[j])];
    if (informative) cells.push(informative[j] ? '1' : '0');
    rows.push(cells.join(','));
  });
  return rows.join('\n') + '\n';
}
