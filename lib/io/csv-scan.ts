// One pass over a CSV file's bytes, before parsing: its first non-blank line
// (to detect the separator) and how many non-blank records it holds (to
// allocate the matrix once, at its final size, instead of growing a copy).
// Quote-aware, so a newline inside quotes does not end a record. The bytes
// that matter ('"', '\n', '\r', space, tab) are the same in UTF-8 and
// ISO-8859-1, so no decoding is needed.
import * as fs from 'fs';
import { fileError } from '../errors';

export interface CsvScan {
  /** Non-blank records (newlines inside quotes do not count). */
  records: number;
  /** The bytes of the first non-blank line (without its line break); undefined for a blank file. */
  firstLine?: Buffer;
}

const QUOTE = 0x22, LF = 0x0a, CR = 0x0d, SPACE = 0x20, TAB = 0x09;
const BOM = [0xef, 0xbb, 0xbf];

/** Opens `file` for reading, or throws one line (code ERR_BP_FILE) naming it. */
export function openForReading(file: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fileError(code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(e as Error).message}`, e);
  }
  if (st.isDirectory()) throw fileError(`cannot read ${file}: it is a directory`);
  if (!st.isFile()) throw fileError(`cannot read ${file}: not a regular file (the reader makes two passes over it)`);
  try {
    return fs.openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fileError(code === 'EACCES' ? `cannot read ${file}: permission denied` : `cannot read ${file}: ${(e as Error).message}`, e);
  }
}

export function scanCsvFile(file: string): CsvScan {
  const fd = openForReading(file);
  const chunk = Buffer.allocUnsafe(1 << 20);
  let records = 0, quoted = false, content = false, atStart = true;
  let lineStart = 0;
  let firstLine: Buffer | undefined;
  const firstParts: Buffer[] = [];
  try {
    for (;;) {
      let got: number;
      try {
        got = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw fileError(`cannot read ${file}: ${(e as Error).message}`, e);
      }
      if (got === 0) break;
      let i = 0;
      if (atStart && got >= 3 && chunk[0] === BOM[0] && chunk[1] === BOM[1] && chunk[2] === BOM[2]) i = 3;
      atStart = false;
      lineStart = i;
      for (; i < got; i++) {
        const c = chunk[i];
        if (c === QUOTE) {
          quoted = !quoted;
          content = true;
        } else if (c === LF && !quoted) {
          if (content) {
            records++;
            if (firstLine === undefined) firstLine = Buffer.concat([...firstParts, chunk.subarray(lineStart, i)]);
          }
          content = false;
          lineStart = i + 1;
          firstParts.length = 0;
        } else if (c !== SPACE && c !== TAB && c !== CR && c !== LF) content = true;
      }
      if (firstLine === undefined && lineStart < got) firstParts.push(Buffer.from(chunk.subarray(lineStart, got)));
    }
    if (content) {
      records++;
      if (firstLine === undefined) firstLine = Buffer.concat(firstParts);
    }
  } finally {
    fs.closeSync(fd);
  }
  if (firstLine !== undefined) {
    // A blank first record was skipped above; trailing CR goes with the line break.
    let end = firstLine.length;
    while (end > 0 && firstLine[end - 1] === CR) end--;
    firstLine = firstLine.subarray(0, end);
  }
  return { records, firstLine };
}
