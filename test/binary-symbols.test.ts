// The system libraries each prebuilt binary needs are exactly what README's
// Installation table says: for every symbol-version family (glibc, libstdc++,
// the C++ ABI, libgcc_s), the newest version the binary asks for equals the
// README's entry. A binary that needs more would fail to load on systems the
// README promises; one that needs less means the README scares users off for
// nothing. readelf reads the version needs of any ELF architecture, so the
// arm64 binary is checked on an x86-64 host too.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const FAMILIES = ['GLIBC', 'GLIBCXX', 'CXXABI', 'GCC'] as const;

/** a < b, > 0 when a > b, for dotted versions such as 3.4.22. */
function compare(a: string, b: string): number {
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

/** README's table: `| \`linux-x64\` | \`GLIBC_2.14\` | ... |` rows of the Installation section. */
function readmeTable(): Map<string, Record<string, string>> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Installation\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const rows = new Map<string, Record<string, string>>();
  for (const line of section.split('\n')) {
    const m = /^\s*\| `(linux-[a-z0-9]+)` \|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const entry: Record<string, string> = {};
    for (const cell of m[2].matchAll(/`([A-Z]+)_([0-9.]+)`/g)) entry[cell[1]] = cell[2];
    rows.set(m[1], entry);
  }
  return rows;
}

const prebuildDirs = fs.existsSync(path.join(ROOT, 'prebuilds'))
  ? fs.readdirSync(path.join(ROOT, 'prebuilds')).filter((d) => d.startsWith('linux-'))
  : [];

describe('symbol versions of the prebuilt binaries', () => {
  const table = readmeTable();

  test('README states all four families for linux-x64 and linux-arm64, and the x64 prebuild exists', () => {
    expect([...table.keys()].sort()).toEqual(['linux-arm64', 'linux-x64']);
    for (const entry of table.values()) expect(Object.keys(entry).sort()).toEqual([...FAMILIES].sort());
    expect(prebuildDirs).toContain('linux-x64');
  });

  test.each(prebuildDirs)('%s needs exactly the versions README states', (dir) => {
    const file = path.join(ROOT, 'prebuilds', dir, 'bilevel-projection.glibc.node');
    expect(fs.existsSync(file)).toBe(true);
    const want = table.get(dir);
    expect(want).toBeDefined(); // a shipped binary the README does not describe
    expect(neededVersions(file)).toEqual(want);
  });

  test('the comparison would catch a newer requirement', () => {
    // Guard the guard: a version above the README's must not compare equal or lower.
    expect(compare('3.4.29', '3.4.22')).toBeGreaterThan(0);
    expect(compare('2.32', '2.17')).toBeGreaterThan(0);
    expect(compare('2.2.5', '2.14')).toBeLessThan(0);
  });
});
