// Argument checks of the paper's entry points, with lib/validate.ts's
// toolkit: the same contract as the projections (TypeError / RangeError with
// a code, naming the argument; unknown option keys refused).
import { invalidType, invalidValue } from '../errors';
import { signalOf } from '../signal';
import * as check from '../validate';
import type { PaperDataset, PaperRunOptions } from './sae-tables';

const DATASETS: readonly PaperDataset[] = ['data-64', 'data-16'];
const MAX_SEED = 0xffffffff;

export interface ResolvedPaperOptions {
  randomState: number;
  seed: number;
  folds: number;
  foldsToRun: number | undefined;
  datasets: PaperDataset[];
  concurrency: number | undefined;
  onProgress: PaperRunOptions['onProgress'];
  onResult: PaperRunOptions['onResult'];
  signal: AbortSignal | undefined;
  radii: number[];
}

const RUN_KEYS = ['randomState', 'seed', 'folds', 'foldsToRun', 'datasets', 'concurrency', 'onProgress', 'onResult', 'signal'] as const;

/** Checks runPaperTables' (and, with radii, runFigure7's) options. */
export function paperRunOptions(opts: unknown, withRadii: boolean): ResolvedPaperOptions {
  const o = check.options(opts, withRadii ? [...RUN_KEYS, 'radii'] : [...RUN_KEYS]) as Record<string, unknown>;
  const optional = <T>(v: unknown, f: (v: unknown) => T): T | undefined => (v === undefined ? undefined : f(v));
  const list = <T>(v: unknown, name: string, item: (x: unknown, name: string) => T): T[] => {
    if (!Array.isArray(v)) throw invalidType(name, 'an array', v);
    if (v.length === 0) throw invalidValue(name, 'a non-empty array', v);
    return v.map((x, i) => item(x, `${name}[${i}]`));
  };
  return {
    randomState: optional(o.randomState, (v) => check.integer(v, 'opts.randomState', 0, MAX_SEED)) ?? 0,
    seed: optional(o.seed, (v) => check.integer(v, 'opts.seed', 0, MAX_SEED)) ?? 5,
    folds: optional(o.folds, (v) => check.integer(v, 'opts.folds', 2)) ?? 4,
    foldsToRun: optional(o.foldsToRun, (v) => check.integer(v, 'opts.foldsToRun', 1)),
    datasets: optional(o.datasets, (v) => list(v, 'opts.datasets', (x, n) => check.oneOf(x, DATASETS, n))) ?? [...DATASETS],
    concurrency: optional(o.concurrency, (v) => check.integer(v, 'opts.concurrency', 1, 1024)),
    onProgress: optional(o.onProgress, (v) => check.func(v, 'opts.onProgress')),
    onResult: optional(o.onResult, (v) => check.func(v, 'opts.onResult')),
    signal: signalOf(o.signal),
    radii: withRadii
      ? optional(o.radii, (v) => list(v, 'opts.radii', (x, n) => check.finite(x, n, 0, Infinity, { min: true }))) ?? [0.25, 0.5, 1, 2, 4, 8]
      : [],
  };
}

/** An array whose items are objects (results handed back to a formatter). */
export function objectArray(v: unknown, name: string): object[] {
  if (!Array.isArray(v)) throw invalidType(name, 'an array', v);
  v.forEach((x, i) => {
    if (typeof x !== 'object' || x === null) throw invalidType(`${name}[${i}]`, 'an object', x);
  });
  return v;
}

/** An object (a result handed back to a formatter). */
export function object(v: unknown, name: string): object {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidType(name, 'an object', v);
  return v;
}
