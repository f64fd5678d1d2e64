// What every command shares: flags parsed in the command line's own words
// (negative numbers are values, not flags), library errors retold with flag
// names, whole-file output, and the exit status: 2 for a usage error (a bad
// flag or flag value), 1 for a failure (a missing or malformed file, no
// memory, a bug), 130 after an interrupt.
import { parseArgs } from 'util';
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

type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/**
 * util.parseArgs, with `--eta -1` read as a value (parseArgs takes "-1" for
 * a flag) and its messages shortened to one line in flag terms.
 */
export function parseFlags<T extends FlagSpec>(argv: string[], options: T): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true }>>['values'] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity\b)/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as never;
  } catch (e) {
    const m = (e as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(m);
    if (unknown) throw new UsageError(`unknown option ${unknown[1]}`);
    const missing = /Option '(-\w, )?(--[\w-]+) <value>' argument missing/.exec(m);
    if (missing) throw new UsageError(`${missing[2]} needs a value`);
    const positional = /Unexpected argument '([^']+)'/.exec(m);
    if (positional) throw new UsageError(`unexpected argument '${positional[1]}' (options take the form --name value)`);
    throw new UsageError(m.split('\n')[0]);
  }
}

/** --name's value as a number, or undefined when the flag was not given. */
export function num(v: string | undefined, name: string, what = 'a number'): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`--${name} must be ${what} (got ${JSON.stringify(v)})`);
  return x;
}

/** --name's value, one of `values`, or undefined when not given. */
export function oneOf<V extends string>(v: string | undefined, name: string, values: readonly V[]): V | undefined {
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`);
  return v as V;
}

/**
 * An argument error from the library, about `opts.x`, retold in flag terms
 * ("Expected a finite number >= 0 for opts.eta but received -1" becomes
 * "--eta must be a finite number >= 0 (got -1)"); other errors unchanged.
 */
export function asUsageError(e: unknown, flags: Record<string, string>): unknown {
  if (codeOf(e) !== 'ERR_BP_INVALID_ARGUMENT' || !(e instanceof Error)) return e;
  const flag = (key: string) => (flags[key] !== undefined ? `--${flags[key]}` : `opts.${key}`);
  const m = /^Expected (.+) for opts\.(\w+) but received (.+)$/.exec(e.message);
  if (m) return new UsageError(`${flag(m[2])} must be ${m[1]} (got ${m[3].replace(/^the string /, '')})`);
  return new UsageError(e.message.replace(/opts\.(\w+)/g, (_, k: string) => flag(k)));
}

/** Writes each file into dir, whole (temporary name, then rename). */
export function writeOut(dir: string, files: Record<string, string>): string[] {
  return writeFilesAtomically(dir, Object.entries(files));
}

/**
 * The exit status for an error: 2 for usage errors, 130 for an interrupt, 1
 * otherwise. A library argument error counts as usage (it came from a flag's
 * value) unless `dataPhase`: once the flags are checked, an argument error
 * is about the data (one class only, a feature the model lacks): a failure.
 */
export function exitStatus(e: unknown, dataPhase = false): number {
  if (e instanceof UsageError) return 2;
  const code = codeOf(e);
  if (code === 'ABORT_ERR') return 130;
  return code === 'ERR_BP_INVALID_ARGUMENT' && !dataPhase ? 2 : 1;
}

/** Prints one line for the error (a stack trace only for errors without a code: bugs) and returns the exit status. */
export function fail(e: unknown, prefix = 'bilevel-projection', dataPhase = false): number {
  const known = codeOf(e) !== undefined;
  const msg = e instanceof Error ? (known ? e.message : e.stack ?? e.message) : String(e);
  process.stderr.write(`${prefix}: ${codeOf(e) === 'ABORT_ERR' ? 'interrupted; no output was written' : msg}\n`);
  return exitStatus(e, dataPhase);
}

/** Where an SAE run is, for the progress bar. */
export function saeProgressText(p: SaeProgress): string {
  return `fold ${p.fold + 1}/${p.folds} phase ${p.phase} epoch ${p.epoch} test acc ${(100 * p.testAccuracy).toFixed(1)}%`;
}
