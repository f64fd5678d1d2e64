// Files are written whole or not at all: the text goes to a temporary file in
// the same folder (same file system, so the rename is atomic), which is then
// renamed over the target. A reader, or a run interrupted by SIGINT, sees
// either the old file or the new one, never half of one.
import * as fs from 'fs';
import * as path from 'path';
import { fileError } from '../errors';

let counter = 0;

function temporaryName(file: string): string {
  counter = (counter + 1) % 1e9;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

/** Writes `text` to `file` atomically (temporary name, then rename). */
export function writeFileAtomically(file: string, text: string | Uint8Array): void {
  const tmp = temporaryName(file);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // the temporary file could not be removed either; the target is untouched
    }
    throw fileError(`could not write ${file}: ${(e as Error).message}`, e);
  }
}

/**
 * Creates `dir` (and its parents) if needed. Refuses a path that exists and
 * is not a directory, without calling fs.mkdirSync's recursive walk on it.
 */
export function ensureDirectory(dir: string): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    st = undefined;
  }
  if (st !== undefined) {
    if (!st.isDirectory()) throw fileError(`${dir} exists and is not a directory`);
    return;
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fileError(`could not create the directory ${dir}: ${(e as Error).message}`, e);
  }
}

/** Writes each [name, text] into `dir`, each file atomically; returns the absolute paths. */
export function writeFilesAtomically(dir: string, files: [string, string | Uint8Array][]): string[] {
  ensureDirectory(dir);
  return files.map(([name, text]) => {
    const file = path.resolve(dir, name);
    writeFileAtomically(file, text);
    return file;
  });
}
