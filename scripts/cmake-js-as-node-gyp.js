#!/usr/bin/env node
// prebuildify 6 knows only node-gyp: it runs `<node-gyp> rebuild --target=...
// --devdir=... --arch=A --release` and takes the first .node in build/Release.
// This stands in for node-gyp and runs cmake-js instead, against the local
// Node-API headers (the package is Node-API only, so --target and --devdir do
// not matter and nothing is downloaded).
'use strict';
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) || '').slice('--arch='.length);
const cli = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const r = spawnSync(
  process.execPath,
  [
    cli,
    'rebuild',
    '--parallel',
    String(Math.max(1, os.cpus().length)),
    ...(arch ? ['--arch', arch] : []),
    ...(args.includes('--debug') ? ['--debug'] : []),
  ],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
