#!/usr/bin/env node
// `npm test`'s jest stage: most suites in two workers (one per core of the
// 2-core CI machine), then, alone, the suites that cannot share the machine:
// - the two that pack the package: `npm pack` runs scripts/prepack.js, which
//   compiles dist/ afresh (removing it first); a suite that loads dist/ at
//   that moment in the other worker finds no file (tried: readme-types,
//   tfjs-peer, bench-grid and split-out-of-core failed beside the pack);
// - the one that kills a child while it writes its output and must catch
//   the file half written (the write's pace decides it: a worker beside it
//   changes that pace).
// Flags (`npm test -- --ci`) go to both runs; any other argument (a file,
// a flag's value: `npm test -- test/errors.test.ts`) makes one run of what
// it names, in band unless it sets the workers itself.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const JEST = path.join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const ALONE = ['test/package.test.ts', 'test/tfjs-package.test.ts', 'test/sae-cli-interrupt.test.ts'];

function jest(args) {
  const r = spawnSync(process.execPath, [JEST, ...args], { stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1; // killed by a signal: a failure
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('-'));
const setsWorkers = args.some((a) => /^(-w|--maxWorkers|--runInBand|-i$)/.test(a));
if (flags.length < args.length) process.exit(jest(setsWorkers ? args : ['--runInBand', ...args]));
// Both runs go whatever the first gives: a failure in one never hides the other's.
const ignore = ALONE.map((f) => `/${f.replace(/\./g, '\\.')}$`);
const first = jest([...flags, ...(setsWorkers ? [] : ['--maxWorkers=2']), '--testPathIgnorePatterns', ...ignore]);
const second = jest([...flags, '--runInBand', ...ALONE]);
process.exit(first !== 0 ? first : second);
