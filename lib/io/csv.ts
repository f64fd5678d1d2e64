// Loading a labelled data matrix from CSV, in the two layouts users have:
//  - the authors' (SAE-Supervised-Autoencoder-Omics): ';'-separated, a
//    'Name' row of sample names, a 'Label' row, then one row per feature
//    (feature name first), decimal comma accepted;
//  - the common one: a header row, then one row per sample, the label in a
//    column chosen by name.
// A malformed file gets a CsvError naming the line and column (1-based).
import * as fs from 'fs';
import type { Matrix } from '../types';

export type CsvLayout = 'auto' | 'features-in-rows' | 'samples-in-rows';

export interface CsvOptions {
  /** 'auto' (default) reads the authors' layout when line 1 starts with 'Name' and line 2 with 'Label'. */
  layout?: CsvLayout;
  /** Field separator; default: the most frequent of ';', ',', tab on line 1. */
  separator?: string;
  /** samples-in-rows: the label column's header (default 'label', case-insensitive). */
  labelColumn?: string;
  /** samples-in-rows: a column of sample names to leave out of X (a first column with an empty header is one already). */
  idColumn?: string;
  /** Used in error messages. */
  fileName?: string;
}

export interface LabelledData {
  /** samples x features, row-major. */
  X: Matrix<Float64Array>;
  /** Class index of each sample, in [0, classNames.length). */
  y: Int32Array;
  /** The label text of each class index (numeric labels in numeric order, others in text order). */
  classNames: string[];
  featureNames: string[];
  sampleNames: string[];
  layout: Exclude<CsvLayout, 'auto'>;
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Line {
  no: number; // 1-based line number in the file
  fields: string[];
}

/** Splits one line; double quotes protect separators ("" is a literal quote). */
function splitLine(text: string, sep: string, no: number, where: string): string[] {
  if (!text.includes('"')) return text.split(sep).map((f) => f.trim());
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (text.startsWith(sep, i)) {
      out.push(cur.trim());
      cur = '';
      i += sep.length - 1;
    } else cur += ch;
  }
  if (quoted) throw new CsvError(`${where}:${no}: unterminated quoted field`, no, out.length + 1);
  out.push(cur.trim());
  return out;
}

function detectSeparator(first: string): string {
  const counts: [string, number][] = [';', ',', '\t'].map((s) => [s, first.split(s).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

function parseNumber(field: string, sep: string, line: number, col: number, where: string, header?: string): number {
  const name = header ? ` ("${header}")` : '';
  if (field === '') throw new CsvError(`${where}:${line}: column ${col}${name}: missing value`, line, col);
  // A decimal comma ("0,5") is unambiguous unless ',' separates fields.
  const t = sep !== ',' && /^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(field) ? field.replace(',', '.') : field;
  if (!NUMBER.test(t)) {
    const shown = field.length > 30 ? `${field.slice(0, 30)}...` : field;
    throw new CsvError(`${where}:${line}: column ${col}${name}: expected a number but found "${shown}"`, line, col);
  }
  const v = Number(t);
  if (!Number.isFinite(v)) {
    throw new CsvError(`${where}:${line}: column ${col}${name}: "${field}" is beyond the range of a double`, line, col);
  }
  return v;
}

/** Class indices for label texts: numeric labels sorted as numbers, others as text. */
function encodeClassNames(labels: string[]): { y: Int32Array; classNames: string[] } {
  const distinct = [...new Set(labels)];
  const numeric = distinct.every((l) => NUMBER.test(l.replace(',', '.')));
  distinct.sort(numeric ? (a, b) => Number(a.replace(',', '.')) - Number(b.replace(',', '.')) : undefined);
  const index = new Map(distinct.map((c, i) => [c, i]));
  return { y: Int32Array.from(labels, (l) => index.get(l) as number), classNames: distinct };
}

function readLines(text: string, sep: string | undefined, where: string): { lines: Line[]; sep: string } {
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const firstIdx = raw.findIndex((l) => l.trim() !== '');
  if (firstIdx < 0) throw new CsvError(`${where}: the file is empty`, 1, 1);
  const s = sep ?? detectSeparator(raw[firstIdx]);
  const lines: Line[] = [];
  raw.forEach((t, i) => {
    if (t.trim() !== '') lines.push({ no: i + 1, fields: splitLine(t, s, i + 1, where) });
  });
  return { lines, sep: s };
}

function checkWidth(l: Line, width: number, headerNo: number, where: string): void {
  if (l.fields.length !== width) {
    throw new CsvError(
      `${where}:${l.no}: ${l.fields.length} fields but line ${headerNo} has ${width}`,
      l.no,
      Math.min(l.fields.length, width) + 1,
    );
  }
}

function featuresInRows(lines: Line[], sep: string, where: string): LabelledData {
  const [head, labelLine, ...rest] = lines;
  if (!head || !/^name$/i.test(head.fields[0])) {
    throw new CsvError(`${where}:${head?.no ?? 1}: column 1: expected 'Name' (the authors' layout starts with a Name row)`, head?.no ?? 1, 1);
  }
  if (!labelLine || !/^labels?$/i.test(labelLine.fields[0])) {
    const no = labelLine?.no ?? head.no + 1;
    throw new CsvError(`${where}:${no}: column 1: expected 'Label' (the second row holds the class of each sample)`, no, 1);
  }
  const width = head.fields.length;
  const n = width - 1;
  if (n < 1) throw new CsvError(`${where}:${head.no}: no sample columns after 'Name'`, head.no, 2);
  checkWidth(labelLine, width, head.no, where);
  labelLine.fields.slice(1).forEach((f, i) => {
    if (f === '') throw new CsvError(`${where}:${labelLine.no}: column ${i + 2}: missing label`, labelLine.no, i + 2);
  });
  if (rest.length === 0) throw new CsvError(`${where}: no feature rows after the Label row (line ${labelLine.no})`, labelLine.no + 1, 1);
  const m = rest.length;
  const X = new Float64Array(n * m);
  const featureNames: string[] = [];
  rest.forEach((l, j) => {
    checkWidth(l, width, head.no, where);
    featureNames.push(l.fields[0]);
    for (let i = 0; i < n; i++) X[i * m + j] = parseNumber(l.fields[i + 1], sep, l.no, i + 2, where, head.fields[i + 1]);
  });
  const { y, classNames } = encodeClassNames(labelLine.fields.slice(1));
  return { X: { data: X, rows: n, cols: m }, y, classNames, featureNames, sampleNames: head.fields.slice(1), layout: 'features-in-rows' };
}

function samplesInRows(lines: Line[], sep: string, where: string, o: CsvOptions): LabelledData {
  const [head, ...rest] = lines;
  const names = head.fields;
  const want = (o.labelColumn ?? 'label').toLowerCase();
  const labelCol = names.findIndex((h) => h.toLowerCase() === want);
  if (labelCol < 0) {
    const shown = names.slice(0, 8).map((h) => `"${h}"`).join(', ') + (names.length > 8 ? ', ...' : '');
    throw new CsvError(`${where}:${head.no}: no column named "${o.labelColumn ?? 'label'}" in the header (${shown}); name the label column with labelColumn (--label-column on the command line)`, head.no, 1);
  }
  let idCol = -1;
  if (o.idColumn !== undefined) {
    idCol = names.findIndex((h) => h.toLowerCase() === o.idColumn!.toLowerCase());
    if (idCol < 0) throw new CsvError(`${where}:${head.no}: no column named "${o.idColumn}" in the header`, head.no, 1);
  } else if (names[0] === '' && labelCol !== 0) {
    idCol = 0; // an unnamed first column is a row index (pandas writes one)
  }
  const featureCols: number[] = [];
  names.forEach((_, c) => {
    if (c !== labelCol && c !== idCol) featureCols.push(c);
  });
  if (featureCols.length === 0) throw new CsvError(`${where}:${head.no}: no feature columns besides the label`, head.no, 1);
  if (rest.length === 0) throw new CsvError(`${where}: no sample rows after the header (line ${head.no})`, head.no + 1, 1);
  const n = rest.length, m = featureCols.length;
  const X = new Float64Array(n * m);
  const labels: string[] = [];
  const sampleNames: string[] = [];
  rest.forEach((l, i) => {
    checkWidth(l, names.length, head.no, where);
    const lab = l.fields[labelCol];
    if (lab === '') throw new CsvError(`${where}:${l.no}: column ${labelCol + 1} ("${names[labelCol]}"): missing label`, l.no, labelCol + 1);
    labels.push(lab);
    sampleNames.push(idCol >= 0 ? l.fields[idCol] : String(i));
    featureCols.forEach((c, j) => {
      X[i * m + j] = parseNumber(l.fields[c], sep, l.no, c + 1, where, names[c]);
    });
  });
  const { y, classNames } = encodeClassNames(labels);
  return { X: { data: X, rows: n, cols: m }, y, classNames, featureNames: featureCols.map((c) => names[c]), sampleNames, layout: 'samples-in-rows' };
}

/** Parses CSV text in either layout (see CsvOptions). */
export function parseLabelledCsv(text: string, opts: CsvOptions = {}): LabelledData {
  const where = opts.fileName ?? 'csv';
  const { lines, sep } = readLines(text, opts.separator, where);
  let layout = opts.layout ?? 'auto';
  if (layout === 'auto') {
    const a = lines[0]?.fields[0] ?? '', b = lines[1]?.fields[0] ?? '';
    // A 'Name' first cell with no label column in that row is the authors'
    // layout missing its Label row: say so, rather than ask for a label column.
    const want = (opts.labelColumn ?? 'label').toLowerCase();
    const hasLabelColumn = (lines[0]?.fields ?? []).some((h) => h.toLowerCase() === want);
    layout = /^name$/i.test(a) && (/^labels?$/i.test(b) || !hasLabelColumn) ? 'features-in-rows' : 'samples-in-rows';
  }
  return layout === 'features-in-rows' ? featuresInRows(lines, sep, where) : samplesInRows(lines, sep, where, opts);
}

/** Reads and parses a CSV file (see parseLabelledCsv). */
export function loadLabelledCsv(file: string, opts: CsvOptions = {}): LabelledData {
  return parseLabelledCsv(fs.readFileSync(file, 'utf8'), { fileName: file, ...opts });
}
