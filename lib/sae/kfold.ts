// scikit-learn's KFold(n_splits, shuffle=True, random_state=seed), index for
// index: the sample order is numpy's RandomState(seed).permutation(n), the
// first n % n_splits folds get one extra sample, and both index lists of a
// fold come out sorted (sklearn builds them from boolean masks).
import { argumentError } from '../errors';
import { RandomState } from '../random/mt19937';
import * as check from '../validate';

export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export function kFold(nSamples: number, nSplits: number, seed: number | null = null): Fold[] {
  check.integer(nSamples, 'nSamples', 0, 2 ** 31 - 1);
  check.integer(nSplits, 'nSplits', 2, 2 ** 31 - 1);
  if (seed !== null) check.integer(seed, 'seed', 0, 0xffffffff);
  if (nSplits > nSamples) {
    throw argumentError(`Cannot have nSplits = ${nSplits} greater than the number of samples (nSamples = ${nSamples})`);
  }
  let order: Int32Array;
  if (seed === null) {
    order = new Int32Array(nSamples);
    for (let i = 0; i < nSamples; i++) order[i] = i;
  } else {
    order = new RandomState(seed).permutation(nSamples);
  }
  const folds: Fold[] = [];
  const base = Math.floor(nSamples / nSplits);
  const extra = nSamples % nSplits;
  let start = 0;
  for (let f = 0; f < nSplits; f++) {
    const size = base + (f < extra ? 1 : 0);
    const inTest = new Uint8Array(nSamples);
    for (let i = start; i < start + size; i++) inTest[order[i]] = 1;
    const test = new Int32Array(size);
    const train = new Int32Array(nSamples - size);
    let a = 0, b = 0;
    for (let i = 0; i < nSamples; i++) {
      if (inTest[i]) test[a++] = i;
      else train[b++] = i;
    }
    folds.push({ train, test });
    start += size;
  }
  return folds;
}
