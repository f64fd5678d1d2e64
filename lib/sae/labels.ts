// Labels as the user gives them (integers or strings) <-> class indices
// 0..k-1, and the seeded stratified hold-out used to choose an epoch on data
// the network does not train on.
import * as check from '../validate';
import { argumentError, describe, invalidType } from '../errors';
import { RandomState } from '../random/mt19937';
import type { Label } from './model';

/**
 * Labels -> class indices 0..k-1: numbers in increasing order, strings in
 * code-unit order; k >= 2. Numbers must be integers; a mix of numbers and
 * strings is refused (it would make '1' and 1 two classes).
 */
export function encodeLabels(y: unknown, n: number, name = 'y'): { codes: Int32Array; classes: Label[] } {
  check.string(name, 'name', true);
  check.integer(n, 'n');
  const isInt32 = Object.prototype.toString.call(y) === '[object Int32Array]';
  if (!isInt32 && !Array.isArray(y)) throw invalidType(name, 'an Int32Array, an array of integers or an array of strings', y);
  const arr = y as ArrayLike<unknown>;
  if (arr.length !== n) {
    throw argumentError(`Expected ${name} to have one label per row of X (${n}) but it has length ${arr.length}`);
  }
  const kind = arr.length > 0 && typeof arr[0] === 'string' ? 'string' : 'number';
  const distinct = new Set<Label>();
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    const ok = kind === 'string' ? typeof v === 'string' : typeof v === 'number' && Number.isSafeInteger(v);
    if (!ok) {
      const expected = kind === 'string' ? `string labels in ${name} (${name}[0] is a string)` : `integer labels in ${name}`;
      throw argumentError(`Expected ${expected} but ${name}[${i}] is ${describe(v)}`, 'type');
    }
    distinct.add(v as Label);
  }
  const classes = [...distinct].sort((a, b) => (kind === 'number' ? (a as number) - (b as number) : a < b ? -1 : a > b ? 1 : 0));
  if (classes.length < 2) {
    throw argumentError(`Expected at least two classes in ${name} but found ${classes.length === 0 ? 'none' : `only ${JSON.stringify(classes[0])}`}`);
  }
  const index = new Map<Label, number>(classes.map((c, i) => [c, i]));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = index.get(arr[i] as Label) as number;
  return { codes, classes };
}

/**
 * Splits `indices` into (train, holdout): in each class, a seeded shuffle
 * puts round(fraction * count) samples in the hold-out, at least one when
 * the class has two or more, and never the class's last sample. Both lists
 * come out ascending.
 */
export function stratifiedHoldout(indices: Int32Array, codes: Int32Array, classes: number, fraction: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const i of indices) byClass[codes[i]].push(i);
  const rs = new RandomState(seed);
  const hold: number[] = [], keep: number[] = [];
  for (const members of byClass) {
    const order = rs.permutation(members.length);
    let h = Math.round(fraction * members.length);
    if (members.length >= 2) h = Math.min(Math.max(h, 1), members.length - 1);
    else h = 0;
    for (let t = 0; t < members.length; t++) (t < h ? hold : keep).push(members[order[t]]);
  }
  const asc = (v: number[]) => Int32Array.from(v.sort((a, b) => a - b));
  return { train: asc(keep), holdout: asc(hold) };
}
