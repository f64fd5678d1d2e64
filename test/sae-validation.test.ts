// kFold and preprocess refuse wrong types, bad values and unknown keys,
// naming the argument, with a code.
import { kFold, preprocess } from '../lib/sae';

const bad = (name: string, re: RegExp | string) => expect.objectContaining({ name, code: 'ERR_BP_INVALID_ARGUMENT', message: expect.stringMatching(re) });

describe('kFold', () => {
  test('argument errors name the argument', () => {
    expect(() => kFold('10' as never, 2)).toThrow(bad('TypeError', /nSamples/));
    expect(() => kFold('10' as never, 2)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('received 10') }));
    expect(() => kFold(10, 1)).toThrow(bad('RangeError', /nSplits/));
    expect(() => kFold(10, 2.5)).toThrow(bad('RangeError', /nSplits/));
    expect(() => kFold(10, 2, -1)).toThrow(bad('RangeError', /seed/));
    expect(() => kFold(3, 4, 0)).toThrow(bad('RangeError', /nSplits/));
    expect(kFold(10, 2, 0)).toHaveLength(2);
  });
});

describe('preprocess', () => {
  test('refuses a matrix whose shape disagrees with its data, unknown keys and bad values', () => {
    expect(() => preprocess({ data: new Float64Array(4), rows: 3, cols: 2 })).toThrow(bad('RangeError', /x\.data has length 4/));
    expect(() => preprocess({ data: [1, 2] as never, rows: 1, cols: 2 })).toThrow(bad('TypeError', /x\.data/));
    expect(() => preprocess({ data: new Float64Array(4), rows: 2, cols: 2 }, { scaling: true } as never)).toThrow(bad('RangeError', /'scaling'/));
    expect(() => preprocess({ data: new Float64Array(4), rows: 2, cols: 2 }, { log: 1 } as never)).toThrow(bad('TypeError', /opts\.log/));
    expect(() => preprocess({ data: new Float64Array(4), rows: 2, cols: 2 }, { dtype: 'int8' } as never)).toThrow(bad('RangeError', /opts\.dtype/));
  });

  test('centres and scales (population std); a constant column is only centred', () => {
    const p = preprocess({ data: Float64Array.of(1, 5, 3, 5), rows: 2, cols: 2 });
    expect(Array.from(p.data)).toEqual([-1, 0, 1, 0]);
    expect(Array.from(p.mean)).toEqual([2, 5]);
    expect(Array.from(p.std)).toEqual([1, 1]);
  });
});
