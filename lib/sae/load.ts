// loadSaeModel: a saved model back, checked field by field. A file of
// another format or version, truncated, of the wrong type or with shapes
// that disagree is refused with an error naming the field, before any model
// exists.
import { promises as fs } from 'fs';
import { ensureCode, fileError, invalidType } from '../errors';
import type { Label, RankedFeature, SaeModel, SaeModelJson } from './model';
import { FittedSaeModel, MODEL_FORMAT, MODEL_VERSION } from './sae-model';

/** A saved model that cannot be used: the message names the field. Code ERR_BP_PARSE. */
export class ModelError extends Error {
  readonly code = 'ERR_BP_PARSE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

function fail(where: string, field: string, what: string): never {
  throw new ModelError(`${where}: ${field} ${what}`);
}

type Obj = Record<string, unknown>;

function object(v: unknown, where: string, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(where, field, 'must be an object');
  return v as Obj;
}

function count(v: unknown, where: string, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(where, field, `must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  return v;
}

function numbers(v: unknown, where: string, field: string, length: number, test: (x: number) => boolean = Number.isFinite, what = 'finite numbers'): number[] {
  if (!Array.isArray(v)) fail(where, field, `must be an array of ${length} ${what}`);
  if (v.length !== length) fail(where, field, `must have ${length} entries but has ${v.length} (truncated or tampered?)`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !test(v[i])) fail(where, `${field}[${i}]`, `must be one of ${what} (got ${JSON.stringify(v[i])})`);
  }
  return v as number[];
}

/** Checks a parsed model object; `where` names its source in messages. */
export function modelFromJson(v: unknown, where = 'model'): SaeModel {
  const o = object(v, where, 'the model');
  if (o.format !== MODEL_FORMAT) fail(where, 'format', `must be '${MODEL_FORMAT}' (got ${JSON.stringify(o.format)}): not an SAE model file`);
  if (o.version !== MODEL_VERSION) {
    fail(where, 'version', `is ${JSON.stringify(o.version)}, but this version of bilevel-projection reads format version ${MODEL_VERSION} only`);
  }
  if (o.dtype !== 'float32' && o.dtype !== 'float64') fail(where, 'dtype', `must be 'float32' or 'float64' (got ${JSON.stringify(o.dtype)})`);
  const dtype = o.dtype;
  const m = count(o.features, where, 'features', 1);
  const h = count(o.hidden, where, 'hidden', 1);
  if (!Array.isArray(o.classes) || o.classes.length < 2) fail(where, 'classes', 'must be an array of at least two labels');
  const classes = o.classes as unknown[];
  const kind = typeof classes[0];
  classes.forEach((c, i) => {
    if ((kind !== 'number' && kind !== 'string') || typeof c !== kind || (kind === 'number' && !Number.isFinite(c))) {
      fail(where, `classes[${i}]`, 'must be a label of the same kind as classes[0] (all numbers or all strings)');
    }
  });
  if (new Set(classes).size !== classes.length) fail(where, 'classes', 'holds the same label twice');
  const k = classes.length;
  let featureNames: string[] | undefined;
  if (o.featureNames !== undefined) {
    if (!Array.isArray(o.featureNames) || o.featureNames.length !== m || o.featureNames.some((s) => typeof s !== 'string')) {
      fail(where, 'featureNames', `must be an array of ${m} strings (one per feature)`);
    }
    featureNames = [...(o.featureNames as string[])];
  }
  const pre = object(o.preprocess, where, 'preprocess');
  if (typeof pre.log !== 'boolean') fail(where, 'preprocess.log', 'must be true or false');
  const mean = numbers(pre.mean, where, 'preprocess.mean', m);
  const std = numbers(pre.std, where, 'preprocess.std', m, (x) => Number.isFinite(x) && x > 0, 'finite numbers > 0');
  const w = object(o.weights, where, 'weights');
  const exact = dtype === 'float32' ? (x: number) => Number.isFinite(x) && Math.fround(x) === x : Number.isFinite;
  const what = dtype === 'float32' ? 'finite float32 values' : 'finite numbers';
  const w1 = numbers(w.w1, where, 'weights.w1', h * m, exact, what);
  const b1 = numbers(w.b1, where, 'weights.b1', h, exact, what);
  const w2 = numbers(w.w2, where, 'weights.w2', k * h, exact, what);
  const b2 = numbers(w.b2, where, 'weights.b2', k, exact, what);
  const encoder = dtype === 'float32' ? new Float32Array(h * m + h + k * h + k) : new Float64Array(h * m + h + k * h + k);
  encoder.set(w1, 0);
  encoder.set(b1, h * m);
  encoder.set(w2, h * m + h);
  encoder.set(b2, h * m + h + k * h);
  if (!Array.isArray(o.selected)) fail(where, 'selected', 'must be an array of feature indices');
  const selected = o.selected as unknown[];
  selected.forEach((j, i) => {
    if (typeof j !== 'number' || !Number.isSafeInteger(j) || j < 0 || j >= m || (i > 0 && j <= (selected[i - 1] as number))) {
      fail(where, `selected[${i}]`, `must be a feature index in [0, ${m}), ascending`);
    }
  });
  if (!Array.isArray(o.ranking) || o.ranking.length !== selected.length) fail(where, 'ranking', `must be an array of ${selected.length} entries (one per selected feature)`);
  const sel = new Set(selected as number[]);
  const ranking: RankedFeature[] = (o.ranking as unknown[]).map((r, i) => {
    const e = object(r, where, `ranking[${i}]`);
    if (typeof e.index !== 'number' || !sel.has(e.index)) fail(where, `ranking[${i}].index`, 'must be one of the selected features');
    if (typeof e.score !== 'number' || !Number.isFinite(e.score)) fail(where, `ranking[${i}].score`, 'must be a finite number');
    if (e.name !== undefined && typeof e.name !== 'string') fail(where, `ranking[${i}].name`, 'must be a string');
    return { index: e.index as number, score: e.score as number, ...(e.name !== undefined ? { name: e.name as string } : {}) };
  });
  const t = object(o.training, where, 'training');
  if (!Array.isArray(o.warnings) || o.warnings.some((s) => typeof s !== 'string')) fail(where, 'warnings', 'must be an array of strings');
  return new FittedSaeModel({
    dtype,
    features: m,
    hidden: h,
    classes: classes as Label[],
    featureNames,
    selected: Int32Array.from(selected as number[]),
    ranking,
    preprocess: { log: pre.log, mean: Float64Array.from(mean), std: Float64Array.from(std) },
    encoder,
    training: { ...(t as SaeModelJson['training']) },
    warnings: [...(o.warnings as string[])],
  });
}

/**
 * Restores a model saved with `JSON.stringify(model)` (or model.toJSON()):
 * from the parsed object, or from the path of a JSON file. A restored model
 * predicts bit for bit what the saved one did.
 */
export async function loadSaeModel(jsonOrPath: object | string): Promise<SaeModel> {
  if (typeof jsonOrPath === 'string') {
    let text: string;
    try {
      text = await fs.readFile(jsonOrPath, 'utf8');
    } catch (e) {
      throw fileError(`Cannot read the model file ${jsonOrPath}: ${(e as Error).message}`, e);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw ensureCode(new ModelError(`${jsonOrPath}: not valid JSON (${(e as Error).message}); the file may be truncated`), 'ERR_BP_PARSE');
    }
    return modelFromJson(parsed, jsonOrPath);
  }
  if (typeof jsonOrPath !== 'object' || jsonOrPath === null || Array.isArray(jsonOrPath)) {
    throw invalidType('jsonOrPath', 'a parsed model object or the path of a model file', jsonOrPath);
  }
  return modelFromJson(jsonOrPath, 'model');
}
