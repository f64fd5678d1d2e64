#!/usr/bin/env node
// prebuildify 6 knows only node-gyp: it runs `<node-gyp> rebuild --target=...
// --devdir=... --arch=A --release` and takes the first .node in build/Release.
// This stands in for node-gyp and runs cmake-js instead (configure, then an
// incremental build), against the local Node-API headers (the package is
// Node-API only, so --target and --devdir do not matter and nothing is
// downloaded).
'use strict';
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) || '').slice('--arch='.length);
const cli = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
// Not `cmake-js rebuild`: a clean build compiled the whole addon a second
// time right after `npm ci` had compiled it in build/ with the same
// configuration (about a minute of CI). Instead, configure with every option a
// prebuild depends on spelled out (a development build may have turned on the
// bench hooks or -march=native in the same folder: this turns them off again),
// then let CMake rebuild what that configuration and the sources make stale.
const common = [...(arch ? ['--arch', arch] : []), ...(args.includes('--debug') ? ['--debug'] : [])];
const prebuildOptions = ['BP_BUILD_ADDON=ON', 'BP_BUILD_TESTS=OFF', 'BP_BUILD_BENCH=OFF', 'BP_BENCH_HOOKS=OFF', 'BP_BUILD_FUZZERS=OFF', 'BP_SANITIZE=OFF', 'BP_MARCH_NATIVE=OFF', 'BP_STATIC_LIBSTDCXX=OFF'];
for (const step of [['configure', ...prebuildOptions.map((o) => `--CD${o}`)], ['build', '--parallel', String(Math.max(1, os.cpus().length))]]) {
  const r = spawnSync(process.execPath, [cli, ...step, ...common], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
