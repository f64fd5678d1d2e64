// What every command shares: number parsing in the command line's own words,
// whole-file output, and the mapping from an error's code to an exit status
// (2 for a usage error, 1 for a failure: a missing file, no memory, a bug).
import { codeOf } from '../errors';
import type { SaeProgress } from '../sae';
import { writeFilesAtomically } from '../io/atomic-write';

/** A CLI usage error: exit status 2, printed as one line. */
export class UsageError extends Error {
  readonly code = 'ERR_BP_INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** --name's value as a number, or undefined when the flag was not given. */
export function num(v: string | undefined, name: string, what = 'a number'): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(v)})`);
  return x;
}

/** Writes each file into dir, whole (temporary name, then rename). */
export function writeOut(dir: string, files: Record<string, string>): string[] {
  return writeFilesAtomically(dir, Object.entries(files));
}

/** The exit status for an error: 2 for usage errors (bad arguments), 1 otherwise. */
export function exitStatus(e: unknown): number {
  const code = codeOf(e);
  return code === 'ERR_BP_INVALID_ARGUMENT' || code === 'ERR_BP_PARSE' ? 2 : 1;
}

/** Prints one line for the error (a stack trace only for errors without a code: bugs) and returns the exit status. */
export function fail(e: unknown, prefix = 'bilevel-projection'): number {
  const known = codeOf(e) !== undefined;
  const msg = e instanceof Error ? (known ? e.message : e.stack ?? e.message) : String(e);
  process.stderr.write(`${prefix}: ${msg}\n`);
  return exitStatus(e);
}

/** Where an SAE run is, for the progress bar. */
export function saeProgressText(p: SaeProgress): string {
  return `fold ${p.fold + 1}/${p.folds} phase ${p.phase} epoch ${p.epoch} test acc ${(100 * p.testAccuracy).toFixed(1)}%`;
}
