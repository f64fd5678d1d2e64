// Checks, before any long computation, that an output can be written: a
// run of minutes should not end with "cannot write". The check creates and
// removes a small probe file where the output will go (the only test that
// file systems such as /proc answer truthfully); it creates no directory.
import * as fs from 'fs';
import * as path from 'path';
import { fileError } from '../errors';

/** The nearest existing ancestor of `p` (p itself when it exists). */
function nearestExisting(p: string): { at: string; st: fs.Stats } {
  let at = path.resolve(p);
  for (;;) {
    try {
      return { at, st: fs.statSync(at) };
    } catch {
      const up = path.dirname(at);
      if (up === at) throw fileError(`cannot write under ${p}: no existing parent folder`);
      at = up;
    }
  }
}

function probe(dir: string, what: string): void {
  const f = path.join(dir, `.bp-probe-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(f, '', { flag: 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : `the file system refuses new files there (${code ?? (e as Error).message})`;
    throw fileError(`cannot write ${what}: ${why}`, e);
  }
  fs.rmSync(f, { force: true });
}

/**
 * `dir` will receive files: it must be a directory or not exist yet, and
 * its nearest existing ancestor must be a writable directory.
 */
export function checkOutputDirectory(dir: string): void {
  const { at, st } = nearestExisting(dir);
  if (!st.isDirectory()) {
    throw fileError(at === path.resolve(dir) ? `${dir} exists and is not a directory` : `cannot create ${dir}: ${at} is not a directory`);
  }
  probe(at, `into ${dir}`);
}

/**
 * `file` will be written (replaced whole if it exists): it must not be a
 * directory, and its folder must exist and be writable.
 */
export function checkOutputFile(file: string): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw fileError(`cannot write ${file}: it is a directory`);
  if (st !== undefined && !st.isFile()) throw fileError(`cannot write ${file}: not a regular file`);
  const dir = path.dirname(path.resolve(file));
  let d: fs.Stats;
  try {
    d = fs.statSync(dir);
  } catch {
    throw fileError(`cannot write ${file}: the folder ${path.dirname(file)} does not exist`);
  }
  if (!d.isDirectory()) throw fileError(`cannot write ${file}: ${path.dirname(file)} is not a directory`);
  probe(dir, file);
}
