// `sae fit` -> `sae predict` -> `sae transform` on a table as users have
// them (quoted newlines, text labels, an id column, columns that are not
// features), checked against the library's own model; and the one-line
// errors, with their exit statuses, for every bad input the issue lists.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSaeCommand } from '../lib/cli/sae';
import { makeClassification } from '../lib/datasets/make-classification';
import { csvField } from '../lib/io/csv-write';
import { parseLabelledCsv } from '../lib/io/csv';
import { loadSaeModel } from '../lib/sae';
import { capture } from './helpers/capture';


async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  try {
    const code = await runSaeCommand(args);
    return { code, out: io.out.join(''), err: io.err.join('') };
  } finally {
    io.restore();
  }
}

const CLASSES = ['benign', 'malignant, "grade 2"', 'normal'];
const QUICK = ['--epochs1', '6', '--epochs2', '4', '--hidden', '8', '--no-progress'];
const COLS = ['--id-column', 'patient', '--label-column', 'diagnosis', '--ignore-columns', 'note,site'];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sae-cli-model-'));
const train = path.join(dir, 'train.csv'), fresh = path.join(dir, 'new.csv'), labelled = path.join(dir, 'labelled.csv'), model = path.join(dir, 'model.json');
const m = 10;
beforeAll(() => {
  const d = makeClassification({ nSamples: 150, nFeatures: m, nInformative: 3, nClasses: 3, randomState: 11 });
  const names = Array.from({ length: m }, (_, j) => `gene ${j}`);
  const row = (i: number, order: number[]) => order.map((j) => d.X.data[i * m + j].toFixed(6));
  const ident = names.map((_, j) => j);
  // Training file: id first, a multi-line note, features, the label, a site column.
  const lines = [['patient', 'note', ...names, 'diagnosis', 'site'].map(csvField).join(',')];
  for (let i = 0; i < 120; i++) lines.push([`p${i}`, `seen twice\nthen discharged`, ...row(i, ident), CLASSES[d.y[i]], `site ${i % 3}`].map(csvField).join(','));
  fs.writeFileSync(train, lines.join('\r\n') + '\r\n');
  // New samples: features in another order, an extra column, the id last, no label.
  const rev = [...ident].reverse();
  const news = [['site', ...rev.map((j) => names[j]), 'patient'].map(csvField).join(',')];
  for (let i = 120; i < 150; i++) news.push([`x`, ...row(i, rev), `p${i}`].map(csvField).join(','));
  fs.writeFileSync(fresh, news.join('\n') + '\n');
  // The same new samples with their labels, which must be carried, not read as a feature.
  const lab = [['patient', ...names, 'diagnosis', 'site'].map(csvField).join(',')];
  for (let i = 120; i < 150; i++) lab.push([`p${i}`, ...row(i, ident), CLASSES[d.y[i]], 'y'].map(csvField).join(','));
  fs.writeFileSync(labelled, lab.join('\n') + '\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sae fit -> predict -> transform', () => {
  test('fit --keep 3 saves a model with the text labels and at most 3 features', async () => {
    const r = await run(['fit', '--data', train, ...COLS, '--keep', '3', '--save', model, ...QUICK]);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(model, 'utf8'));
    expect(json.classes).toEqual(CLASSES);
    expect(json.selected.length).toBeGreaterThan(0);
    expect(json.selected.length).toBeLessThanOrEqual(3);
    expect(json.featureNames).toEqual(Array.from({ length: m }, (_, j) => `gene ${j}`));
    expect(r.out).toMatch(/of 10 features kept/);
  });

  test('predict: id, predicted (original spelling), p_<class>; the same as the library on the aligned columns', async () => {
    const out = path.join(dir, 'pred.csv');
    const r = await run(['predict', '--model', model, '--data', fresh, '--id-column', 'patient', '--ignore-columns', 'site', '--out', out]);
    expect(r.code).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(['patient', 'predicted', ...CLASSES.map((c) => `p_${c}`)].map(csvField).join(','));
    expect(lines).toHaveLength(31);
    // Expected: the library's model on the training file's column order.
    const lab = parseLabelledCsv(fs.readFileSync(labelled, 'utf8'), { idColumn: 'patient', labelColumn: 'diagnosis', ignoreColumns: ['site'] });
    const sm = await loadSaeModel(model);
    const want = sm.predict(lab.X), proba = sm.predictProba(lab.X);
    const got = parseLabelledCsv(text, { idColumn: 'patient', labelColumn: 'predicted', missing: 'error' });
    expect(got.sampleNames).toEqual(Array.from({ length: 30 }, (_, i) => `p${120 + i}`));
    expect(got.labels).toEqual(want);
    expect(Array.from(got.X.data)).toEqual(Array.from(proba)); // printed in full precision
    for (let i = 0; i < 30; i++) expect(proba[i * 3] + proba[i * 3 + 1] + proba[i * 3 + 2]).toBeCloseTo(1, 12);
  });

  test('predict carries a label column through (last), and never reads it as a feature', async () => {
    const r = await run(['predict', '--model', model, '--data', labelled, ...COLS.slice(0, 4), '--ignore-columns', 'site']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe(['patient', 'predicted', ...CLASSES.map((c) => `p_${c}`), 'diagnosis'].map(csvField).join(','));
    const got = parseLabelledCsv(r.out, { idColumn: 'patient', labelColumn: 'diagnosis', ignoreColumns: ['predicted'] });
    const lab = parseLabelledCsv(fs.readFileSync(labelled, 'utf8'), { idColumn: 'patient', labelColumn: 'diagnosis', ignoreColumns: ['site'] });
    expect(got.labels).toEqual(lab.labels);
    expect(got.featureNames).toEqual(CLASSES.map((c) => `p_${c}`));
  });

  test('transform: the selected columns by name, after the fitted preprocessing, the id carried', async () => {
    const out = path.join(dir, 'sel.csv');
    const r = await run(['transform', '--model', model, '--data', fresh, '--id-column', 'patient', '--ignore-columns', 'site', '--out', out]);
    expect(r.code).toBe(0);
    const sm = await loadSaeModel(model);
    const lab = parseLabelledCsv(fs.readFileSync(labelled, 'utf8'), { idColumn: 'patient', labelColumn: 'diagnosis', ignoreColumns: ['site'] });
    const want = sm.transform(lab.X);
    const got = parseLabelledCsv(fs.readFileSync(out, 'utf8'), { idColumn: 'patient', requireLabels: false });
    expect(got.featureNames).toEqual(Array.from(sm.selected, (j) => `gene ${j}`));
    expect(Array.from(got.X.data)).toEqual(Array.from(want.data));
  });

  test('a feature the model needs is missing from the new file: named, exit 1', async () => {
    const cut = path.join(dir, 'cut.csv');
    const sm = await loadSaeModel(model);
    const need = `gene ${sm.selected[0]}`;
    const t = fs.readFileSync(fresh, 'utf8').split('\n');
    const h = t[0].split(',');
    const at = h.indexOf(csvField(need));
    fs.writeFileSync(cut, t.map((l) => l.split(',').filter((_, c) => c !== at).join(',')).join('\n'));
    const r = await run(['predict', '--model', model, '--data', cut, '--id-column', 'patient', '--ignore-columns', 'site']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no column "${need}" in the header`);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('bad input: one line, the right exit status, nothing written, nothing trained', () => {
  const cases: [string, () => string[], number, RegExp | string][] = [
    ['a negative radius', () => ['fit', '--data', train, ...COLS, '--eta', '-1', '--save', path.join(dir, 'm.json')], 2, 'bilevel-projection sae fit: --eta must be a finite number >= 0 (got -1)'],
    ['eta and keep together', () => ['cv', '--data', train, ...COLS, '--eta', '1', '--keep', '2'], 2, /--eta and --keep/],
    ['a fractional keep', () => ['fit', '--data', train, ...COLS, '--keep', '2.5', '--save', path.join(dir, 'm.json')], 2, /--keep must be an integer.*\(got 2\.5\)/],
    ['fit without keep or eta', () => ['fit', '--data', train, ...COLS, '--save', path.join(dir, 'm.json')], 2, /give --keep K .* or --eta E/],
    ['an unknown flag', () => ['cv', '--etaa', '2'], 2, 'unknown option --etaa'],
    ['a bad --missing', () => ['cv', '--data', train, '--missing', 'zero'], 2, '--missing must be one of error, drop-rows, mean (got "zero")'],
    ['a missing data file', () => ['fit', '--data', path.join(dir, 'nope.csv'), '--keep', '2', '--save', path.join(dir, 'm.json')], 1, `cannot read ${path.join(dir, 'nope.csv')}: no such file`],
    ['cv --out naming an existing file', () => ['cv', '--data', train, ...COLS, '--out', train], 1, `${train} exists and is not a directory`],
    ['cv --out under /proc', () => ['cv', '--data', train, ...COLS, '--out', '/proc/nope'], 1, /cannot write into \/proc\/nope/],
    ['fit --save into a missing folder', () => ['fit', '--data', train, ...COLS, '--keep', '2', '--save', path.join(dir, 'no', 'm.json')], 1, 'does not exist'],
    ['fit --save naming a directory', () => ['fit', '--data', train, ...COLS, '--keep', '2', '--save', dir], 1, `cannot write ${dir}: it is a directory`],
    ['a malformed model file', () => ['predict', '--model', train, '--data', fresh], 1, /not valid JSON/],
    ['predict without --model', () => ['predict', '--data', fresh], 2, '--model FILE is required'],
  ];
  test.each(cases)('%s', async (_what, args, status, message) => {
    const before = fs.readdirSync(dir).sort();
    const t0 = Date.now();
    const r = await run(args());
    expect(r.code).toBe(status);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(fs.readdirSync(dir).sort()).toEqual(before);
    expect(Date.now() - t0).toBeLessThan(5000); // refused before training, not after
  });
});
