#!/usr/bin/env node
// `npm test`'s jest stage: the suites in two workers (one per core of the
// 2-core CI machine: about 100 s of its 300), then the two that pack the
// package, alone. `npm pack` runs scripts/prepack.js, which compiles dist/
// afresh (it removes it first); a suite that loads dist/ at that moment in
// the other worker finds no file (tried: readme-types, tfjs-peer, bench-grid
// and split-out-of-core failed beside the pack). Arguments, if any, go to one
// plain jest run instead (`npm test -- test/errors.test.ts` is not a thing:
// use `npx jest <file>`; this keeps `node scripts/jest.js <file>` working).
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const JEST = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const PACKING = ['test/package.test.ts', 'test/tfjs-package.test.ts'];

function jest(args) {
  const r = spawnSync(process.execPath, [JEST, ...args], { stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const extra = process.argv.slice(2);
if (extra.length > 0) process.exit(jest(extra));
// Both runs go whatever the first gives: a failure in one never hides the other's.
const first = jest(['--maxWorkers=2', '--testPathIgnorePatterns', ...PACKING.map((f) => `/${f.replace(/\./g, '\\.')}$`)]);
const second = jest(['--runInBand', ...PACKING]);
process.exit(first !== 0 ? first : second);
