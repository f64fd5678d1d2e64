// Loading a labelled data matrix from CSV (RFC 4180: quoted separators,
// quoted newlines, "" inside quotes; a BOM; CRLF), in the two layouts of
// csv-table.ts. csv-parse splits the records; this file adds what it does not
// know: separator detection, the file's encoding, line numbers for records
// that span lines, and errors that name the line and column.
//
// loadLabelledCsv streams the file: the text is never held, only the numbers.
import * as fs from 'fs';
import { parse, type Options as ParseOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { fileError, invalidType } from '../errors';
import * as check from '../validate';
import { CsvError, detectSeparator } from './csv-fields';
import { scanCsvFile } from './csv-scan';
import { TableBuilder, type CsvLayout, type LabelledData, type MissingPolicy } from './csv-table';

export { CsvError } from './csv-fields';
export type { CsvLayout, LabelledData, MissingPolicy } from './csv-table';

export interface CsvOptions {
  /** 'auto' (default) reads the authors' layout when line 1 starts with 'Name' and line 2 with 'Label'. */
  layout?: CsvLayout;
  /** Field separator; default: the most frequent of ';', ',', tab on the first line. */
  separator?: string;
  /** samples-in-rows: the label column's header (default 'label', case-insensitive). */
  labelColumn?: string;
  /** samples-in-rows: a column of sample names to leave out of X (a first column with an empty header is one already). */
  idColumn?: string;
  /** samples-in-rows: more columns to leave out of X (notes, dates, ...). */
  ignoreColumns?: string[];
  /** What to do with empty, NA and nan cells: 'error' (default; names line and column), 'drop-rows' (leave those samples out), 'mean' (the feature's mean over the other samples). */
  missing?: MissingPolicy;
  /** The file's text encoding: 'utf8' (default) or 'latin1' (ISO-8859-1). */
  encoding?: 'utf8' | 'latin1';
  /** When false, a samples-in-rows file without a label column is accepted (y is then empty). Default true. */
  requireLabels?: boolean;
  /** Used in error messages. */
  fileName?: string;
}

const KNOWN = ['layout', 'separator', 'labelColumn', 'idColumn', 'ignoreColumns', 'missing', 'encoding', 'requireLabels', 'fileName'] as const;

// The options, through lib/validate.ts's toolkit: unknown keys refused,
// each value checked and named (opts.<key>).
function checkOptions(opts: unknown): CsvOptions {
  const o = check.options(opts, KNOWN);
  if (o.layout !== undefined) check.oneOf(o.layout, ['auto', 'features-in-rows', 'samples-in-rows'], 'opts.layout');
  if (o.missing !== undefined) check.oneOf(o.missing, ['error', 'drop-rows', 'mean'], 'opts.missing');
  if (o.encoding !== undefined) check.oneOf(o.encoding, ['utf8', 'latin1'], 'opts.encoding');
  for (const k of ['separator', 'labelColumn', 'idColumn', 'fileName'] as const) {
    if (o[k] !== undefined) check.string(o[k], `opts.${k}`, true);
  }
  if (o.requireLabels !== undefined) check.boolean(o.requireLabels, 'opts.requireLabels');
  if (o.ignoreColumns !== undefined) {
    if (!Array.isArray(o.ignoreColumns)) throw invalidType('opts.ignoreColumns', 'an array of column names', o.ignoreColumns);
    for (const [i, c] of (o.ignoreColumns as unknown[]).entries()) check.string(c, `opts.ignoreColumns[${i}]`);
  }
  return o as CsvOptions;
}

function parserOptions(sep: string, encoding: BufferEncoding): ParseOptions {
  return { delimiter: sep, bom: true, encoding, info: true, relax_column_count: true, skip_empty_lines: true };
}

/**
 * 1-based line numbers of records. csv-parse's own count is off after a
 * quoted CRLF (it counts two lines), so count from the records themselves:
 * each earlier record ends with one line break, holds the breaks inside its
 * quoted fields, and csv-parse reports the blank lines it skipped.
 */
class LineCounter {
  private records = 0;
  private breaks = 0;
  /** Where a record starts, given csv-parse's count of skipped blank lines so far. */
  next(record: string[], emptyLines: number): number {
    const line = 1 + this.records + this.breaks + emptyLines;
    this.records++;
    for (const f of record) {
      if (f.length > 0 && (f.includes('\n') || f.includes('\r'))) this.breaks += (f.match(/\r\n|\r|\n/g) as string[]).length;
    }
    return line;
  }
  /** Where the record that failed to parse starts. */
  failed(emptyLines: number | undefined): number {
    return 1 + this.records + this.breaks + (emptyLines ?? 0);
  }
}

type Parsed = { record: string[]; info: { empty_lines: number } };

/** csv-parse's own errors (a quote never closed, a stray quote) as a CsvError with our message shape. */
function fromParser(e: unknown, where: string, lines: LineCounter): unknown {
  const pe = e as { code?: string; empty_lines?: number; column?: number; message?: string };
  if (typeof pe.code !== 'string' || !pe.code.startsWith('CSV_')) return e;
  const line = lines.failed(pe.empty_lines);
  const column = typeof pe.column === 'number' ? pe.column + 1 : 1;
  const what =
    pe.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'unterminated quoted field (a double quote opens a field that never closes)'
      : pe.code === 'CSV_INVALID_CLOSING_QUOTE'
        ? 'a quoted field is followed by more text (write "" for a quote inside quotes)'
        : (pe.message ?? pe.code);
  return new CsvError(`${where}:${line}: ${what}`, line, column);
}

/** Parses CSV text in either layout (see CsvOptions). */
export function parseLabelledCsv(text: string, opts: CsvOptions = {}): LabelledData {
  check.string(text, 'text');
  opts = checkOptions(opts);
  const where = opts.fileName ?? 'csv';
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r\n|\n|\r/).find((l) => l.trim() !== '');
  if (firstLine === undefined) throw new CsvError(`${where}: the file is empty`, 1, 1);
  const sep = opts.separator ?? detectSeparator(firstLine);
  let records: Parsed[];
  const lines = new LineCounter();
  try {
    records = parseSync(body, parserOptions(sep, 'utf8')) as unknown as Parsed[];
  } catch (e) {
    // Count the lines of the records before the one that failed.
    try {
      const before = parseSync(body, { ...parserOptions(sep, 'utf8'), to: Math.max(0, ((e as { records?: number }).records ?? 0)) }) as unknown as Parsed[];
      for (const r of before) lines.next(r.record, r.info.empty_lines);
    } catch {
      // the same error again: the count stays at the start
    }
    throw fromParser(e, where, lines);
  }
  const b = new TableBuilder(opts, sep, where, records.length);
  for (const r of records) b.push(r.record, lines.next(r.record, r.info.empty_lines));
  return b.finish();
}

/**
 * Reads a CSV file (see parseLabelledCsv) as a stream: the file's text is
 * never held whole. A missing or unreadable file is an error with code
 * ERR_BP_FILE naming it; a malformed one a CsvError (ERR_BP_PARSE).
 */
export async function loadLabelledCsv(file: string, opts: CsvOptions = {}): Promise<LabelledData> {
  check.string(file, 'file', true);
  opts = checkOptions(opts);
  const where = opts.fileName ?? file;
  const encoding = opts.encoding ?? 'utf8';
  // One quick pass over the bytes finds the first line (for the separator)
  // and counts the records, so the matrix is allocated once, at its size.
  const scan = scanCsvFile(file);
  if (scan.firstLine === undefined) throw new CsvError(`${where}: the file is empty`, 1, 1);
  const first = scan.firstLine.toString(encoding).replace(/^\uFEFF/, '');
  const sep = opts.separator ?? detectSeparator(first);
  const b = new TableBuilder(opts, sep, where, scan.records);
  // Few records queued between parser and reader: each holds a row of strings.
  const parser = parse({ ...parserOptions(sep, encoding), readableHighWaterMark: 2 } as ParseOptions);
  const source = fs.createReadStream(file);
  source.on('error', (e) => parser.destroy(fileError(`cannot read ${file}: ${e.message}`, e)));
  source.pipe(parser);
  const lines = new LineCounter();
  try {
    for await (const r of parser as AsyncIterable<Parsed>) {
      b.push(r.record, lines.next(r.record, r.info.empty_lines));
    }
  } catch (e) {
    throw fromParser(e, where, lines);
  } finally {
    source.destroy();
  }
  return b.finish();
}
