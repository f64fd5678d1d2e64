// Reading real tables: RFC 4180 quoting (newlines inside quotes), BOM, CRLF,
// ISO-8859-1, id and ignored columns, missing values, duplicate names,
// numeric labels, the streaming file reader (same answer as the string one),
// files that cannot be read, and its peak memory on a large file.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadLabelledCsv, parseLabelledCsv } from '../lib/io/csv';
import { scanCsvFile } from '../lib/io/csv-scan';

const ROOT = path.resolve(__dirname, '..');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-csv-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('did not throw');
}

describe('RFC 4180 and file encodings', () => {
  const quoted = 'id,"note",f1,f2,label\r\n"a","two\r\nlines",1,2,yes\r\n"b","say ""hi""",3,4,no\r\n"c","x",5,oops,yes\r\n';

  test('a quoted field may hold a newline; CRLF; "" is a quote; lines are counted across such records', () => {
    const e = errorOf(() => parseLabelledCsv(quoted, { idColumn: 'id', ignoreColumns: ['note'] }));
    // "c" starts on line 5: the record of "a" spans lines 2 and 3.
    expect(e).toMatchObject({ name: 'CsvError', code: 'ERR_BP_PARSE', line: 5, column: 4 });
    expect(e.message).toContain('csv:5: column 4 ("f2"): expected a number but found "oops"');
    const d = parseLabelledCsv(quoted.replace('oops', '6'), { idColumn: 'id', ignoreColumns: ['note'] });
    expect(Array.from(d.X.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.featureNames).toEqual(['f1', 'f2']);
    expect(d.sampleNames).toEqual(['a', 'b', 'c']);
    expect(d.classes).toEqual(['no', 'yes']);
    expect(d.labels).toEqual(['yes', 'no', 'yes']);
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
    expect(d.idColumn).toBe('id');
    expect(d.labelColumn).toBe('label');
  });

  test('a BOM is dropped from the first header; latin1 files are read as ISO-8859-1', async () => {
    const d = parseLabelledCsv('\uFEFFf1,label\n1,0\n2,1\n');
    expect(d.featureNames).toEqual(['f1']);
    const text = 'gène;f2;label\n0,5;1;rouge\n1,5;2;vert\n';
    const f = write('latin1.csv', Buffer.from(text, 'latin1'));
    const l = await loadLabelledCsv(f, { encoding: 'latin1' });
    expect(l.featureNames).toEqual(['gène', 'f2']);
    expect(Array.from(l.X.data)).toEqual([0.5, 1, 1.5, 2]);
    const u = await loadLabelledCsv(f); // read as UTF-8, the byte of è is not a character
    expect(u.featureNames[0]).not.toBe('gène');
  });

  test('an unterminated quote names its line', () => {
    const e = errorOf(() => parseLabelledCsv('x,label\n1,0\n"2,1\n3,0\n'));
    expect(e).toMatchObject({ name: 'CsvError', line: 3 });
    expect(e.message).toMatch(/unterminated quoted field/);
  });
});

describe('columns, labels and missing values', () => {
  test('duplicate feature names are refused, naming both columns; ignored columns may repeat nothing', () => {
    const e = errorOf(() => parseLabelledCsv('a,b,a,label\n1,2,3,0\n'));
    expect(e.message).toContain('the feature name "a" is used twice (columns 1 and 3)');
    const r = errorOf(() => parseLabelledCsv('Name;s1;s2\nLabel;0;1\ng;1;2\nh;1;2\ng;3;4\n'));
    expect(r.message).toContain('"g" is used twice (lines 3 and 5)');
    expect(parseLabelledCsv('a,b,a,label\n1,2,3,0\n', { ignoreColumns: ['a'] }).featureNames).toEqual(['b']);
  });

  test('an ignored or id column that is not in the header is named', () => {
    expect(errorOf(() => parseLabelledCsv('a,label\n1,0\n', { ignoreColumns: ['zz'] })).message).toContain('no column named "zz"');
    expect(errorOf(() => parseLabelledCsv('a,label\n1,0\n', { idColumn: 'sample' })).message).toContain('no column named "sample"');
  });

  test('numeric labels "1" and "1.0" are one class, spelled as first seen; classes are numbers', () => {
    const d = parseLabelledCsv('f,label\n1,1\n2,1.0\n3,2\n4,10\n');
    expect(d.classes).toEqual([1, 2, 10]);
    expect(d.classNames).toEqual(['1', '2', '10']);
    expect(Array.from(d.y)).toEqual([0, 0, 1, 2]);
  });

  test("missing: 'error' names line and column; NA, nan and empty cells are missing", () => {
    for (const cell of ['', 'NA', 'nan', 'NaN']) {
      const e = errorOf(() => parseLabelledCsv(`f1,f2,label\n1,2,0\n3,${cell},1\n`));
      expect(e).toMatchObject({ line: 3, column: 2 });
      expect(e.message).toContain('csv:3: column 2 ("f2"): missing value');
    }
  });

  test("missing: 'drop-rows' leaves those samples out; 'mean' fills the column mean of the others", () => {
    const text = 'id,f1,f2,label\na,1,2,0\nb,NA,4,1\nc,5,,0\nd,7,8,1\n';
    const dropped = parseLabelledCsv(text, { idColumn: 'id', missing: 'drop-rows' });
    expect(Array.from(dropped.X.data)).toEqual([1, 2, 7, 8]);
    expect(dropped.sampleNames).toEqual(['a', 'd']);
    expect(dropped.droppedSamples).toEqual(['b', 'c']);
    expect(Array.from(dropped.y)).toEqual([0, 1]);
    expect(dropped.missingCells).toBe(2);
    const filled = parseLabelledCsv(text, { idColumn: 'id', missing: 'mean' });
    expect(Array.from(filled.X.data)).toEqual([1, 2, (1 + 5 + 7) / 3, 4, 5, (2 + 4 + 8) / 3, 7, 8]);
    const authors = parseLabelledCsv('Name;s1;s2;s3\nLabel;a;b;a\ng1;1;NA;3\ng2;4;5;6\n', { missing: 'mean' });
    expect(Array.from(authors.X.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(errorOf(() => parseLabelledCsv('f1,f2,label\nNA,1,0\n,2,1\n', { missing: 'mean' })).message).toContain('"f1" has no value at all');
  });

  test('a file without labels can be read when labels are not required (predict, transform)', () => {
    const d = parseLabelledCsv('id,f1,f2\na,1,2\nb,3,4\n', { idColumn: 'id', requireLabels: false });
    expect(Array.from(d.X.data)).toEqual([1, 2, 3, 4]);
    expect(d.y.length).toBe(0);
    expect(d.labelColumn).toBeUndefined();
    expect(errorOf(() => parseLabelledCsv('id,f1,f2\na,1,2\n', { idColumn: 'id' })).message).toContain('no column named "label"');
  });

  test('options are checked: unknown keys and bad values name themselves', () => {
    expect(errorOf(() => parseLabelledCsv('a,label\n1,0\n', { missng: 'mean' } as never))).toMatchObject({ name: 'RangeError', code: 'ERR_BP_INVALID_ARGUMENT' });
    expect(errorOf(() => parseLabelledCsv('a,label\n1,0\n', { missng: 'mean' } as never)).message).toMatch(/'missng'.*'missing'/);
    expect(errorOf(() => parseLabelledCsv('a,label\n1,0\n', { missing: 'zero' } as never)).message).toMatch(/opts\.missing/);
    expect(errorOf(() => parseLabelledCsv('a,label\n1,0\n', { encoding: 'utf16' } as never)).message).toMatch(/opts\.encoding/);
  });
});

describe('the streaming file reader', () => {
  test('gives the same data as the string reader, in both layouts', async () => {
    const texts = [
      'Name;s1;s2;s3\r\nLabel;x;y;x\r\n\r\ng1;0,5;1;2\r\n"g""2";3;"4";5\r\n',
      '\uFEFF,f1,"f\n2",label\n0,1.5,2,b\n1,3,-4,a\n\n  \n2,0,1e2,b',
    ];
    for (const [i, text] of texts.entries()) {
      const f = write(`same${i}.csv`, text);
      const a = parseLabelledCsv(text, { fileName: f });
      const b = await loadLabelledCsv(f);
      expect(b).toEqual(a);
      expect(scanCsvFile(f).records).toBe(a.layout === 'features-in-rows' ? 4 : 4);
    }
  });

  test('a file that is missing, a directory or unreadable is one line naming it (code ERR_BP_FILE)', async () => {
    const missing = path.join(dir, 'nope.csv');
    await expect(loadLabelledCsv(missing)).rejects.toMatchObject({ code: 'ERR_BP_FILE', message: `cannot read ${missing}: no such file` });
    await expect(loadLabelledCsv(dir)).rejects.toMatchObject({ code: 'ERR_BP_FILE', message: `cannot read ${dir}: it is a directory` });
    await expect(loadLabelledCsv(write('empty.csv', ' \n\n'))).rejects.toMatchObject({ name: 'CsvError', message: expect.stringContaining('the file is empty') });
    await expect(loadLabelledCsv(write('bad-quote.csv', 'a,label\n1,0\n"2,1\n'))).rejects.toMatchObject({ name: 'CsvError', line: 3 });
  });

  test('a 1,000 x 20,000 file: peak RSS at most the float64 matrix + 100 MB, in a child process', () => {
    const built = path.join(ROOT, 'dist', 'io', 'csv.js');
    expect(fs.existsSync(built)).toBe(true); // `npm test` builds dist/ first
    const n = 1000, m = 20000;
    const file = path.join(dir, 'big.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, Array.from({ length: m }, (_, j) => `f${j}`).join(',') + ',label\n');
    // Ten distinct rows, repeated: the reader must not care, and writing stays fast.
    const pool = Array.from({ length: 10 }, (_, r) => Array.from({ length: m }, (_, j) => ((j * 7 + r * 13) % 97) / 16).join(',') + `,c${r % 3}\n`);
    for (let i = 0; i < n; i++) fs.writeSync(fd, pool[i % 10]);
    fs.closeSync(fd);
    const size = fs.statSync(file).size;
    const script = `
      const { loadLabelledCsv } = require(${JSON.stringify(built)});
      const status = (k) => Number(new RegExp(k + ':\\\\s+(\\\\d+) kB').exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
      const start = status('VmRSS');
      loadLabelledCsv(${JSON.stringify(file)}).then((d) => {
        const hwm = status('VmHWM');
        let s = 0; for (let i = 0; i < d.X.data.length; i += 997) s += d.X.data[i];
        process.stdout.write(JSON.stringify({ hwm, start, rows: d.X.rows, cols: d.X.cols, bytes: d.X.data.byteLength, s, last: d.X.data[d.X.data.length - 1], classes: d.classes }));
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    expect(out).toMatchObject({ rows: n, cols: m, bytes: 8 * n * m, classes: ['c0', 'c1', 'c2'] });
    expect(out.last).toBe(((m - 1) * 7 + ((n - 1) % 10) * 13) % 97 / 16);
    const matrix = 8 * n * m;
    // For the record: the file is larger than the allowance, so holding its text would fail this.
    expect(size).toBeGreaterThan(100 * 2 ** 20);
    const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;
    process.stderr.write(`csv memory: file ${mb(size)}, matrix ${mb(matrix)}, RSS before loading ${mb(out.start)}, peak RSS ${mb(out.hwm)}\n`);
    // What loading adds to the process: Node's own start-up footprint (about
    // 40 MB, before any data) is not the reader's. V8's young generation (up
    // to about 50 MB while rows of strings stream through) is.
    expect(out.hwm - out.start).toBeLessThanOrEqual(matrix + 100 * 2 ** 20);
  });
});
