// The system libraries each prebuilt binary needs are exactly what README's
// Installation table says: for every symbol-version family (glibc, libstdc++,
// the C++ ABI, libgcc_s), the newest version the binary asks for equals the
// README's entry. A binary that needs more would fail to load on systems the
// README promises; one that needs less means the README scares users off for
// nothing. readelf reads the version needs of any ELF architecture, so the
// arm64 binary is checked on an x86-64 host too.
import * as fs from 'fs';
import * as path from 'path';
import { compare, neededVersions } from './helpers/elf-versions';

const ROOT = path.join(__dirname, '..');
const FAMILIES = ['GLIBC', 'GLIBCXX', 'CXXABI', 'GCC'] as const;

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
