// What one CSV field means: a number (decimal comma accepted where ',' does
// not separate fields), a missing value, or a class label; and which
// separator a header line uses. Shared by the string and the streaming reader.

/** Thrown for a malformed file: says where (1-based line and column). */
export class CsvError extends Error {
  readonly code = 'ERR_BP_PARSE';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+([eE][+-]?\d+)?$/;

/** Cells that stand for a missing value: empty, NA, nan (any case). */
export function isMissing(field: string): boolean {
  const f = field.trim();
  if (f.length > 3) return false;
  const l = f.toLowerCase();
  return l === '' || l === 'na' || l === 'nan';
}

/** The most frequent of ';', ',', tab on the header line (',' when none occurs). */
export function detectSeparator(first: string): string {
  const counts: [string, number][] = [';', ',', '\t'].map((s) => [s, first.split(s).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

/** A field as a finite double; `header` names the column in the message. */
export function parseNumber(raw: string, sep: string, line: number, col: number, where: string, header?: string): number {
  const field = raw.trim();
  const name = header !== undefined ? ` ("${header}")` : '';
  // A decimal comma ("0,5") is unambiguous unless ',' separates fields.
  const t = sep !== ',' && DECIMAL_COMMA.test(field) ? field.replace(',', '.') : field;
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

export interface EncodedLabels {
  /** Class index of each sample. */
  y: Int32Array;
  /** Each class as first spelled in the file. */
  classNames: string[];
  /** Each class as a value: numbers when every label is a number, else the strings. */
  classes: (number | string)[];
}

/**
 * Class indices for label texts. When every label is a number, labels are
 * compared as numbers (so "1" and "1.0" are one class) and sorted
 * numerically; otherwise they are compared and sorted as text.
 */
export function encodeLabels(labels: string[]): EncodedLabels {
  const asNumber = (l: string) => Number(l.replace(',', '.'));
  const distinctText = [...new Set(labels)];
  const numeric = distinctText.every((l) => NUMBER.test(l.replace(',', '.')) && Number.isFinite(asNumber(l)));
  const key = numeric ? (l: string) => String(asNumber(l)) : (l: string) => l;
  const firstSpelling = new Map<string, string>();
  for (const l of distinctText) if (!firstSpelling.has(key(l))) firstSpelling.set(key(l), l);
  const keys = [...firstSpelling.keys()];
  if (numeric) keys.sort((a, b) => Number(a) - Number(b));
  else keys.sort();
  const index = new Map(keys.map((k, i) => [k, i]));
  const y = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) y[i] = index.get(key(labels[i])) as number;
  return {
    y,
    classNames: keys.map((k) => firstSpelling.get(k) as string),
    classes: numeric ? keys.map(Number) : keys,
  };
}
