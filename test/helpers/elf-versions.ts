// Symbol-version needs of an ELF binary, read with readelf: used by
// binary-symbols.test.ts to hold the prebuilt binaries to README's table.
import { execFileSync } from 'child_process';

/** a < b, > 0 when a > b, for dotted versions such as 3.4.22. */
export function compare(a: string, b: string): number {
  const x = a.split('.').map(Number), y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/** The newest version per family among the versions `file` needs. */
export function neededVersions(file: string): Record<string, string> {
  const text = execFileSync('readelf', ['-V', '-W', file], { encoding: 'utf8' });
  const newest: Record<string, string> = {};
  for (const m of text.matchAll(/Name: (GLIBC|GLIBCXX|CXXABI|GCC)_([0-9.]+)/g)) {
    if (!newest[m[1]] || compare(m[2], newest[m[1]]) > 0) newest[m[1]] = m[2];
  }
  return newest;
}
