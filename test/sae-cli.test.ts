// The `sae` command on a CSV file in the authors' layout: the text report (with
// its caveat about the best epoch), the JSON and CSV files, and an exit code
// of 1 with the line and column for a malformed file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeClassification } from '../lib/datasets/make-classification';
import { runPaperSaeCommand } from '../lib/cli/paper-sae';
import { runSaeCommand } from '../lib/cli/sae';
import { capture } from './helpers/capture';


/** X (samples x features) as the authors store it: features in rows, decimal commas. */
function authorsCsv(X: Float64Array, n: number, m: number, y: Int32Array): string {
  const lines = [['Name', ...Array.from({ length: n }, (_, i) => `s${i}`)].join(';'), ['Label', ...Array.from(y, (c) => String(c + 1))].join(';')];
  for (let j = 0; j < m; j++) {
    const row = [`gene${j}`];
    for (let i = 0; i < n; i++) row.push(X[i * m + j].toFixed(6).replace('.', ','));
    lines.push(row.join(';'));
  }
  return lines.join('\n') + '\n';
}

describe('bilevel-projection sae', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("runs on a CSV file in the authors' layout and writes JSON and CSV", async () => {
    const d = makeClassification({ nSamples: 80, nFeatures: 20, nInformative: 3, randomState: 4 });
    const file = path.join(dir, 'data.csv');
    fs.writeFileSync(file, authorsCsv(d.X.data, 80, 20, d.y));
    const out = path.join(dir, 'out');
    const io = capture();
    let code: number;
    try {
      code = await runSaeCommand(['--data', file, '--folds', '2', '--epochs1', '3', '--epochs2', '2', '--hidden', '8', '--eta', '0.5', '--out', out, '--no-progress']);
    } finally {
      io.restore();
    }
    expect(code).toBe(0);
    const text = io.out.join('');
    expect(text).toMatch(/accuracy, best epoch\*/);
    expect(text).toMatch(/chosen on the test fold/);
    expect(text).toMatch(/gene\d+/);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8'));
    expect(json.classes).toEqual([1, 2]); // the labels as written in the file, not class indices
    expect(json.folds).toHaveLength(2);
    expect(json.note).toMatch(/test fold/);
    expect(json.selected[0].name).toMatch(/^gene/);
    expect(fs.readFileSync(path.join(out, 'folds.csv'), 'utf8').split('\n')[0]).toMatch(/^fold,reported_phase,best_epoch/);
    expect(fs.readFileSync(path.join(out, 'features.csv'), 'utf8').split('\n')[0]).toMatch(/^rank,index,name,mean_norm/);
  });

  test('a malformed file: exit code 1 (a failure, not a usage error) and a message with line and column', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'Name;a;b\nLabel;1;2\ng1;0,5;oops\n');
    const io = capture();
    let code: number;
    try {
      code = await runSaeCommand(['--data', file, '--no-progress']);
    } finally {
      io.restore();
    }
    expect(code).toBe(1);
    expect(io.err.join('')).toContain(`${file}:3: column 3 ("b"): expected a number but found "oops"`);
  });

  test('unknown flags and bad values are usage errors', async () => {
    const io = capture();
    let codes: number[];
    try {
      codes = [await runSaeCommand(['--etaa', '2']), await runSaeCommand(['--eta', 'two', '--no-progress']), await runPaperSaeCommand(['--datasets', 'data-8'])];
    } finally {
      io.restore();
    }
    expect(codes).toEqual([2, 2, 2]);
    expect(io.err.join('')).toMatch(/--eta/);
  });
});
