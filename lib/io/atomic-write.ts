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

/** Temporary files being written now: an interrupted command removes them on its way out. */
const pending = new Set<string>();

/** Removes the temporary files of writes still under way (for a SIGINT handler); the targets are untouched. */
export function removePendingTemporaryFiles(): void {
  for (const tmp of pending) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do on the way out
    }
  }
  pending.clear();
}

/** Writes `text` to `file` atomically (temporary name, then rename). */
export function writeFileAtomically(file: string, text: string | Uint8Array): void {
  const tmp = temporaryName(file);
  pending.add(tmp);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    pending.delete(tmp);
  } catch (e) {
    pending.delete(tmp);
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
 * is not a directory. Walks the parents itself, one mkdir per missing level:
 * fs.mkdirSync's recursive mode loops forever on a path it cannot create
 * under some pseudo file systems (/proc/nope on Linux, Node 20).
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(at);
    } catch {
      st = undefined;
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw fileError(missing.length === 0 ? `${dir} exists and is not a directory` : `cannot create ${dir}: ${at} is not a directory`);
      break;
    }
    missing.push(at);
    const up = path.dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw fileError(`could not create the directory ${dir}: ${(e as Error).message}`, e);
    }
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
