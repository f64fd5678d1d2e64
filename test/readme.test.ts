// The README's quick start runs as printed and prints what its comments say.
import * as fs from 'fs';
import * as path from 'path';
import * as bp from '../lib';

test('README quick start', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const body = code.replace(/^import .*$/m, 'const { bilevelL1Inf, projectL1Inf, norm } = lib;');
  const logged: unknown[] = [];
  new Function('lib', 'console', body)(bp, { log: (v: unknown) => logged.push(v) });
  expect(logged).toHaveLength(4);
  const [radii, zeroGroups, l1inf, exactZero] = logged as [Float64Array, number, number, number];
  expect(Array.from(radii).map((v) => Number(v.toFixed(12)))).toEqual([0.2, 0, 1.3]);
  expect(zeroGroups).toBe(1);
  expect(l1inf).toBeCloseTo(1.5, 12);
  expect(exactZero).toBe(0);
});
