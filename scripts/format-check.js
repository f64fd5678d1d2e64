#!/usr/bin/env node
// Checks (default) or applies (--fix) the committed C++ style (.clang-format)
// on every tracked C++ file. Part of `npm run lint`, so of `npm test`.
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const path = require('path');

const root = path.join(__dirname, '..');
const fix = process.argv.includes('--fix');

function findClangFormat() {
  for (const bin of ['clang-format', 'clang-format-14', 'clang-format-15', 'clang-format-16']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0) return bin;
  }
  return undefined;
}

const bin = findClangFormat();
if (bin === undefined) {
  process.stderr.write('format-check: clang-format not found; install it (Debian: apt-get install clang-format)\n');
  process.exit(1);
}
const files = execFileSync('git', ['ls-files', '--', 'native/*.cpp', 'native/*.hpp', 'native/*.h', 'native/*.cc', 'bench/*.cpp'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);
const args = fix ? ['-i', '--style=file', ...files] : ['--dry-run', '-Werror', '--style=file', ...files];
const r = spawnSync(bin, args, { cwd: root, stdio: 'inherit' });
if (r.status !== 0 && !fix) process.stderr.write('format-check: run `npm run format` to apply .clang-format\n');
process.exit(r.status ?? 1);
