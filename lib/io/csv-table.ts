// Turns CSV records, one at a time, into a labelled matrix, in the two
// layouts users have:
//  - the authors' (SAE-Supervised-Autoencoder-Omics): a 'Name' row of sample
//    names, a 'Label' row, then one row per feature (feature name first);
//  - the common one: a header row, then one row per sample, the label in a
//    column chosen by name.
// Records arrive one by one so that a file is never held as text: only the
// numbers are kept, in a Float64Array sized from a record count when the
// reader knows it (grown by half when it does not). The authors' layout
// stores features as rows, so it is transposed at the end: twice the matrix
// for a moment (their files are small: hundreds of samples).
import type { Matrix } from '../types';
import { CsvError, encodeLabels, isMissing, parseNumber } from './csv-fields';

export type CsvLayout = 'auto' | 'features-in-rows' | 'samples-in-rows';
export type MissingPolicy = 'error' | 'drop-rows' | 'mean';

export interface TableOptions {
  layout?: CsvLayout;
  labelColumn?: string;
  idColumn?: string;
  ignoreColumns?: string[];
  missing?: MissingPolicy;
  /** When false, a file with no label column is read for its features only (y is empty). Default true. */
  requireLabels?: boolean;
}

export interface LabelledData {
  /** samples x features, row-major. */
  X: Matrix<Float64Array>;
  /** Class index of each sample, in [0, classNames.length); empty when the file has no labels. */
  y: Int32Array;
  /** The label text of each class index, as first spelled in the file (numeric labels in numeric order, others in text order). */
  classNames: string[];
  /** The label value of each class index: numbers when every label is numeric ("1" and "1.0" are one class), strings otherwise. */
  classes: (number | string)[];
  /** The label text of each sample, as spelled in the file; empty when the file has no labels. */
  labels: string[];
  featureNames: string[];
  sampleNames: string[];
  /** Whether sampleNames come from an id column (or the Name row) rather than row numbers. */
  hasIds: boolean;
  /** The label column's header (samples-in-rows with labels). */
  labelColumn?: string;
  /** The id column's header (samples-in-rows with an id column). */
  idColumn?: string;
  layout: Exclude<CsvLayout, 'auto'>;
  /** Missing cells found (replaced by the column mean, or whose rows were dropped, per the missing option). */
  missingCells: number;
  /** Samples left out by missing: 'drop-rows' (their names). */
  droppedSamples: string[];
}

function checkWidth(fields: string[], line: number, width: number, headerLine: number, where: string): void {
  if (fields.length !== width) {
    throw new CsvError(`${where}:${line}: ${fields.length} fields but line ${headerLine} has ${width}`, line, Math.min(fields.length, width) + 1);
  }
}

function missingError(where: string, line: number, col: number, header: string): CsvError {
  return new CsvError(
    `${where}:${line}: column ${col} ("${header}"): missing value (empty, NA and nan are missing; the missing option, --missing on the command line, can drop such rows or fill the column mean)`,
    line,
    col,
  );
}

/** A row-major buffer of `width` numbers per row that grows when needed. */
class Rows {
  data: Float64Array;
  count = 0;
  constructor(
    readonly width: number,
    capacity: number,
  ) {
    this.data = new Float64Array(Math.max(1, capacity) * width);
  }
  next(): number {
    if ((this.count + 1) * this.width > this.data.length) {
      const bigger = new Float64Array(Math.ceil(this.data.length * 1.5) + this.width);
      bigger.set(this.data);
      this.data = bigger;
    }
    return this.count++ * this.width;
  }
  /** The filled rows; a copy only when the buffer was sized too large. */
  exact(): Float64Array {
    const n = this.count * this.width;
    return n === this.data.length ? this.data : this.data.slice(0, n);
  }
}

/**
 * Applies the missing-value policy to X (NaN marks a missing cell; the
 * parser never produces NaN otherwise).
 */
function settleMissing(
  X: Matrix<Float64Array>,
  names: { samples: string[]; features: string[] },
  policy: MissingPolicy,
  missingCells: number,
  where: string,
  keepRows: (kept: Int32Array) => void,
): { X: Matrix<Float64Array>; dropped: string[] } {
  if (missingCells === 0) return { X, dropped: [] };
  const { rows: n, cols: m, data } = X;
  if (policy === 'mean') {
    const sum = new Float64Array(m), cnt = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        const v = data[i * m + j];
        if (!Number.isNaN(v)) {
          sum[j] += v;
          cnt[j]++;
        }
      }
    }
    for (let j = 0; j < m; j++) {
      if (cnt[j] === 0) throw new CsvError(`${where}: feature "${names.features[j]}" has no value at all: nothing to take the mean of`, 1, 1);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) if (Number.isNaN(data[i * m + j])) data[i * m + j] = sum[j] / cnt[j];
    }
    return { X, dropped: [] };
  }
  // drop-rows: compact the complete rows in place, then trim.
  const kept: number[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < n; i++) {
    let complete = true;
    for (let j = 0; j < m && complete; j++) complete = !Number.isNaN(data[i * m + j]);
    if (complete) {
      if (kept.length !== i) data.copyWithin(kept.length * m, i * m, (i + 1) * m);
      kept.push(i);
    } else dropped.push(names.samples[i]);
  }
  if (kept.length === 0) throw new CsvError(`${where}: every sample has a missing value: nothing is left after dropping them`, 1, 1);
  keepRows(Int32Array.from(kept));
  return { X: { data: data.slice(0, kept.length * m), rows: kept.length, cols: m }, dropped };
}

/** Receives records in file order (`line`: where each starts) and builds the LabelledData. */
export class TableBuilder {
  private first: { fields: string[]; line: number }[] = [];
  private sink?: { push(fields: string[], line: number): void; finish(): LabelledData };

  constructor(
    private readonly o: TableOptions,
    private readonly sep: string,
    private readonly where: string,
    /** Records expected in the file (header rows included), when known: sizes the matrix once. */
    private readonly recordHint?: number,
  ) {}

  push(fields: string[], line: number): void {
    if (fields.length === 1 && fields[0].trim() === '') return; // a blank line
    if (this.sink) {
      this.sink.push(fields, line);
      return;
    }
    this.first.push({ fields, line });
    if (this.first.length === 2) this.start();
  }

  finish(): LabelledData {
    if (!this.sink) {
      if (this.first.length === 0) throw new CsvError(`${this.where}: the file is empty`, 1, 1);
      this.start();
    }
    return (this.sink as { finish(): LabelledData }).finish();
  }

  private start(): void {
    let layout = this.o.layout ?? 'auto';
    const [a, b] = this.first;
    if (layout === 'auto') {
      // A 'Name' first cell with no label column in that row is the authors'
      // layout missing its Label row: say so, rather than ask for a label column.
      const want = (this.o.labelColumn ?? 'label').toLowerCase();
      const hasLabelColumn = a.fields.some((h) => h.trim().toLowerCase() === want);
      const a0 = a.fields[0].trim(), b0 = b?.fields[0].trim() ?? '';
      layout = /^name$/i.test(a0) && (/^labels?$/i.test(b0) || !hasLabelColumn) ? 'features-in-rows' : 'samples-in-rows';
    }
    this.sink = layout === 'features-in-rows' ? this.featuresInRows() : this.samplesInRows();
    const pending = this.first;
    this.first = [];
    for (const r of pending) this.sink.push(r.fields, r.line);
  }

  private featuresInRows() {
    const { where, sep, o } = this;
    if (o.ignoreColumns && o.ignoreColumns.length > 0) {
      throw new CsvError(`${where}: ignoreColumns (--ignore-columns) applies to the samples-in-rows layout; this file has one row per feature`, 1, 1);
    }
    let head: { fields: string[]; line: number } | undefined;
    let labelLine: { fields: string[]; line: number } | undefined;
    let rows: Rows | undefined;
    let missingCells = 0;
    const featureNames: string[] = [];
    const seen = new Map<string, number>();
    return {
      push: (fields: string[], line: number) => {
        if (!head) {
          if (!/^name$/i.test(fields[0].trim())) {
            throw new CsvError(`${where}:${line}: column 1: expected 'Name' (the authors' layout starts with a Name row)`, line, 1);
          }
          if (fields.length < 2) throw new CsvError(`${where}:${line}: no sample columns after 'Name'`, line, 2);
          head = { fields: fields.map((f) => f.trim()), line };
          return;
        }
        const width = head.fields.length;
        if (!labelLine) {
          if (!/^labels?$/i.test(fields[0].trim())) {
            throw new CsvError(`${where}:${line}: column 1: expected 'Label' (the second row holds the class of each sample)`, line, 1);
          }
          checkWidth(fields, line, width, head.line, where);
          fields.forEach((f, c) => {
            if (c > 0 && f.trim() === '') throw new CsvError(`${where}:${line}: column ${c + 1}: missing label`, line, c + 1);
          });
          labelLine = { fields: fields.map((f) => f.trim()), line };
          const hint = this.recordHint !== undefined ? this.recordHint - 2 : 64;
          rows = new Rows(width - 1, hint);
          return;
        }
        checkWidth(fields, line, width, head.line, where);
        const name = fields[0].trim();
        const before = seen.get(name);
        if (before !== undefined) {
          throw new CsvError(`${where}:${line}: column 1: the feature name "${name}" is used twice (lines ${before} and ${line})`, line, 1);
        }
        seen.set(name, line);
        featureNames.push(name);
        const r = rows as Rows;
        const at = r.next();
        for (let i = 1; i < width; i++) {
          if (isMissing(fields[i])) {
            if ((o.missing ?? 'error') === 'error') throw missingError(where, line, i + 1, head.fields[i]);
            r.data[at + i - 1] = NaN;
            missingCells++;
          } else r.data[at + i - 1] = parseNumber(fields[i], sep, line, i + 1, where, head.fields[i]);
        }
      },
      finish: (): LabelledData => {
        if (!head) throw new CsvError(`${where}: the file is empty`, 1, 1);
        if (!labelLine) {
          const no = head.line + 1;
          throw new CsvError(`${where}:${no}: column 1: expected 'Label' (the second row holds the class of each sample)`, no, 1);
        }
        const r = rows as Rows;
        if (r.count === 0) throw new CsvError(`${where}: no feature rows after the Label row (line ${labelLine.line})`, labelLine.line + 1, 1);
        // Stored one feature per row: transpose into samples x features.
        const n = r.width, m = r.count;
        const X = new Float64Array(n * m);
        for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) X[i * m + j] = r.data[j * n + i];
        let labels = labelLine.fields.slice(1);
        let sampleNames = head.fields.slice(1);
        const settled = settleMissing({ data: X, rows: n, cols: m }, { samples: sampleNames, features: featureNames }, o.missing ?? 'error', missingCells, where, (kept) => {
          labels = Array.from(kept, (i) => labels[i]);
          sampleNames = Array.from(kept, (i) => sampleNames[i]);
        });
        return {
          X: settled.X,
          ...encodeLabels(labels),
          labels,
          featureNames,
          sampleNames,
          hasIds: true,
          layout: 'features-in-rows',
          missingCells,
          droppedSamples: settled.dropped,
        };
      },
    };
  }

  private samplesInRows() {
    const { where, sep, o } = this;
    let head: { fields: string[]; line: number } | undefined;
    let labelCol = -1, idCol = -1;
    let featureCols: number[] = [];
    let rows: Rows | undefined;
    let missingCells = 0;
    const labels: string[] = [];
    const ids: string[] = [];
    const findColumn = (names: string[], want: string, what: string, line: number): number => {
      const c = names.findIndex((h) => h.toLowerCase() === want.toLowerCase());
      if (c < 0) {
        const shown = names.slice(0, 8).map((h) => `"${h}"`).join(', ') + (names.length > 8 ? ', ...' : '');
        throw new CsvError(`${where}:${line}: no column named "${want}" in the header (${shown}); ${what}`, line, 1);
      }
      return c;
    };
    return {
      push: (fields: string[], line: number) => {
        if (!head) {
          const names = fields.map((f) => f.trim());
          head = { fields: names, line };
          if (o.requireLabels === false) {
            const want = (o.labelColumn ?? 'label').toLowerCase();
            labelCol = names.findIndex((h) => h.toLowerCase() === want);
            if (labelCol < 0 && o.labelColumn !== undefined) findColumn(names, o.labelColumn, 'check labelColumn (--label-column)', line);
          } else {
            labelCol = findColumn(names, o.labelColumn ?? 'label', 'name the label column with labelColumn (--label-column on the command line)', line);
          }
          if (o.idColumn !== undefined) idCol = findColumn(names, o.idColumn, 'check idColumn (--id-column)', line);
          else if (names[0] === '' && labelCol !== 0) idCol = 0; // an unnamed first column is a row index (pandas writes one)
          const ignored = new Set<number>();
          for (const g of o.ignoreColumns ?? []) {
            findColumn(names, g, 'check ignoreColumns (--ignore-columns)', line);
            for (const [c, h] of names.entries()) if (h.toLowerCase() === g.toLowerCase()) ignored.add(c); // every column of that name
          }
          featureCols = [];
          const seen = new Map<string, number>();
          names.forEach((h, c) => {
            if (c === labelCol || c === idCol || ignored.has(c)) return;
            const before = seen.get(h);
            if (before !== undefined) {
              throw new CsvError(`${where}:${line}: column ${c + 1}: the feature name "${h}" is used twice (columns ${before + 1} and ${c + 1})`, line, c + 1);
            }
            seen.set(h, c);
            featureCols.push(c);
          });
          if (featureCols.length === 0) throw new CsvError(`${where}:${line}: no feature columns besides the label, id and ignored columns`, line, 1);
          const hint = this.recordHint !== undefined ? this.recordHint - 1 : 64;
          rows = new Rows(featureCols.length, hint);
          return;
        }
        const names = head.fields;
        checkWidth(fields, line, names.length, head.line, where);
        if (labelCol >= 0) {
          const lab = fields[labelCol].trim();
          if (lab === '') throw new CsvError(`${where}:${line}: column ${labelCol + 1} ("${names[labelCol]}"): missing label`, line, labelCol + 1);
          labels.push(lab);
        }
        const r = rows as Rows;
        ids.push(idCol >= 0 ? fields[idCol].trim() : String(r.count));
        const at = r.next();
        for (let j = 0; j < featureCols.length; j++) {
          const c = featureCols[j];
          const f = fields[c];
          if (isMissing(f)) {
            if ((o.missing ?? 'error') === 'error') throw missingError(where, line, c + 1, names[c]);
            r.data[at + j] = NaN;
            missingCells++;
          } else r.data[at + j] = parseNumber(f, sep, line, c + 1, where, names[c]);
        }
      },
      finish: (): LabelledData => {
        if (!head) throw new CsvError(`${where}: the file is empty`, 1, 1);
        const r = rows as Rows;
        if (r.count === 0) throw new CsvError(`${where}: no sample rows after the header (line ${head.line})`, head.line + 1, 1);
        const m = featureCols.length;
        const featureNames = featureCols.map((c) => (head as { fields: string[] }).fields[c]);
        let kept = { labels, ids };
        const settled = settleMissing({ data: r.exact(), rows: r.count, cols: m }, { samples: ids, features: featureNames }, o.missing ?? 'error', missingCells, where, (k) => {
          kept = { labels: labelCol >= 0 ? Array.from(k, (i) => labels[i]) : [], ids: Array.from(k, (i) => ids[i]) };
        });
        const enc = labelCol >= 0 ? encodeLabels(kept.labels) : { y: new Int32Array(0), classNames: [], classes: [] };
        return {
          X: settled.X,
          ...enc,
          labels: kept.labels,
          featureNames,
          sampleNames: kept.ids,
          hasIds: idCol >= 0,
          labelColumn: labelCol >= 0 ? head.fields[labelCol] : undefined,
          idColumn: idCol >= 0 ? head.fields[idCol] : undefined,
          layout: 'samples-in-rows',
          missingCells,
          droppedSamples: settled.dropped,
        };
      },
    };
  }
}
