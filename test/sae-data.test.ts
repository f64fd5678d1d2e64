// The data side of the SAE: KFold with numpy-compatible shuffling,
// preprocessing, and both CSV layouts (with errors that name line and column).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CsvError, loadLabelledCsv, parseLabelledCsv } from '../lib/io/csv';
import { kFold } from '../lib/sae/kfold';
import { preprocess } from '../lib/sae/preprocess';

describe('kFold', () => {
  test('matches scikit-learn KFold(4, shuffle=True, random_state=5) on 10 samples', () => {
    // numpy.random.RandomState(5).permutation(10) = [9 5 2 4 7 1 0 8 6 3]; fold sizes 3, 3, 2, 2.
    const folds = kFold(10, 4, 5);
    expect(folds.map((f) => Array.from(f.test))).toEqual([[2, 5, 9], [1, 4, 7], [0, 8], [3, 6]]);
    expect(Array.from(folds[0].train)).toEqual([0, 1, 3, 4, 6, 7, 8]);
  });

  test('matches KFold(5, shuffle=True, random_state=0) on 10 samples', () => {
    // numpy.random.RandomState(0).permutation(10) = [2 8 4 9 1 6 7 3 0 5].
    expect(kFold(10, 5, 0).map((f) => Array.from(f.test))).toEqual([[2, 8], [4, 9], [1, 6], [3, 7], [0, 5]]);
  });

  test('partitions the samples; 1000 samples in 4 folds give 750 / 250', () => {
    const folds = kFold(1000, 4, 5);
    const seen = new Uint8Array(1000);
    for (const f of folds) {
      expect(f.train.length).toBe(750);
      expect(f.test.length).toBe(250);
      for (const i of f.test) seen[i]++;
    }
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  test('rejects more folds than samples', () => {
    expect(() => kFold(3, 4, 0)).toThrow(expect.objectContaining({ name: 'RangeError', message: expect.stringMatching(/nSplits/) }));
  });
});

describe('preprocess', () => {
  const X = { data: Float64Array.from([1, 10, 3, 10, 5, 10, 7, 10]), rows: 4, cols: 2 };

  test('centres and scales to unit population std; a constant feature is only centred', () => {
    const p = preprocess(X);
    const col0 = [0, 1, 2, 3].map((i) => p.data[i * 2]);
    expect(col0.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(Math.sqrt(col0.reduce((a, b) => a + b * b, 0) / 4)).toBeCloseTo(1, 12);
    expect([0, 1, 2, 3].map((i) => p.data[i * 2 + 1])).toEqual([0, 0, 0, 0]);
    expect(Array.from(p.mean)).toEqual([4, 10]);
  });

  test('log(|x + 1|) first when asked; float32 output; the input is untouched', () => {
    const before = Array.from(X.data);
    const p = preprocess(X, { log: true, center: false, scale: false, dtype: 'float32' });
    expect(Object.prototype.toString.call(p.data)).toBe('[object Float32Array]');
    expect(p.data[0]).toBeCloseTo(Math.log(2), 6);
    expect(Array.from(X.data)).toEqual(before);
  });
});

describe('CSV loading', () => {
  const authors = ['Name;s1;s2;s3', 'Label;1;2;1', 'geneA;0,5;1,25;-3', 'geneB;2;1e-3;4,0', ''].join('\n');

  test("the authors' layout: Name row, Label row, one row per feature, decimal comma", () => {
    const d = parseLabelledCsv(authors);
    expect(d.layout).toBe('features-in-rows');
    expect(d.X.rows).toBe(3);
    expect(d.X.cols).toBe(2);
    expect(Array.from(d.X.data)).toEqual([0.5, 2, 1.25, 0.001, -3, 4]);
    expect(Array.from(d.y)).toEqual([0, 1, 0]);
    expect(d.classNames).toEqual(['1', '2']);
    expect(d.featureNames).toEqual(['geneA', 'geneB']);
    expect(d.sampleNames).toEqual(['s1', 's2', 's3']);
  });

  test('the common layout: a header, one row per sample, the label column by name', () => {
    const text = 'id,f1,f2,diagnosis\na,1.5,2,tumour\nb,3,-4,normal\nc,0,1e2,tumour\n';
    const d = parseLabelledCsv(text, { labelColumn: 'Diagnosis', idColumn: 'id' });
    expect(d.layout).toBe('samples-in-rows');
    expect(Array.from(d.X.data)).toEqual([1.5, 2, 3, -4, 0, 100]);
    expect(d.classNames).toEqual(['normal', 'tumour']);
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
    expect(d.featureNames).toEqual(['f1', 'f2']);
    expect(d.sampleNames).toEqual(['a', 'b', 'c']);
  });

  test('an unnamed first column (a pandas index) is left out; quoted fields; tabs detected', () => {
    const d = parseLabelledCsv('\t"f,1"\tlabel\n0\t1\t0\n1\t2\t1\n');
    expect(d.featureNames).toEqual(['f,1']);
    expect(Array.from(d.X.data)).toEqual([1, 2]);
  });

  const bad: [string, string, string, number, number][] = [
    ['a non-number', 'x,label\n1,0\nabc,1\n', 'csv:3: column 1 ("x"): expected a number but found "abc"', 3, 1],
    ['a missing value', 'x,y,label\n1,,0\n', 'csv:2: column 2 ("y"): missing value', 2, 2],
    ['a short row', 'x,y,label\n1,2,0\n1,2\n', 'csv:3: 2 fields but line 1 has 3', 3, 3],
    ['no label column', 'x,y\n1,2\n', 'no column named "label"', 1, 1],
    ["a bad number in the authors' layout", 'Name;a;b\nLabel;0;1\ng1;1;2\ng2;1;x\n', 'csv:4: column 3 ("b"): expected a number', 4, 3],
    ["a missing Label row", 'Name;a;b\ng1;1;2\n', "expected 'Label'", 2, 1],
    ['a number beyond a double', 'a,b,label\n1,2,0\n4,1e400,1\n', 'csv:3: column 2 ("b"): "1e400" is beyond the range of a double', 3, 2],
    ["a huge number in the authors' layout", 'Name;a;b\nLabel;0;1\ng1;-1e999;2\n', 'csv:3: column 2 ("a"): "-1e999" is beyond', 3, 2],
    ['an empty file', '\n\n', 'the file is empty', 1, 1],
    ['an unterminated quote', 'x,label\n"1,0\n', 'unterminated quoted field', 2, 1],
  ];
  test.each(bad)('%s: CsvError naming the line and column', (_what, text, message, line, column) => {
    let err: unknown;
    try {
      parseLabelledCsv(text); // the layout is detected, a missing Label row included
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ name: 'CsvError', line, column });
    expect((err as Error).message).toContain(message);
    expect(err).toBeInstanceOf(CsvError);
  });

  test('loadLabelledCsv names the file in errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-csv-'));
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'Name;a\nLabel;1\ng;1,2,3\n');
    await expect(loadLabelledCsv(file)).rejects.toThrow(expect.objectContaining({ name: 'CsvError', code: 'ERR_BP_PARSE', message: expect.stringContaining(`${file}:3: column 2 ("a")`) }));
    fs.rmSync(dir, { recursive: true });
  });
});
