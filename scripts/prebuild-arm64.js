#!/usr/bin/env node
// Cross-compiles the addon for linux-arm64 (glibc) with Debian's
// g++-aarch64-linux-gnu and plain CMake (cmake-js only knows the host), and
// puts it where node-gyp-build looks: prebuilds/linux-arm64/.
//
// A binary made here has not run yet: scripts/test-arm64.js runs it under an
// arm64 Node and records it as tested; scripts/prepack.js refuses to pack a
// prebuild that no test recorded.
//
// Exit codes: 0 built, 1 the build failed, 2 no cross compiler on this machine.
'use strict';
const { spawnSync } = require('child_process');
const os = require('os');
const fs = require('fs');
const path = require('path');
const { onPath } = require('./lib/tools');

const root = path.join(__dirname, '..');
const dir = path.join(root, 'build-arm64');
const prefix = process.env.BP_CROSS_PREFIX || 'aarch64-linux-gnu-';
const dest = path.join(root, 'prebuilds', 'linux-arm64', 'bilevel-projection.glibc.node');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.error || r.status !== 0) {
    console.error(`prebuild-arm64: ${cmd} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ''}`);
    process.exit(1);
  }
}

if (!onPath(`${prefix}g++`) || !onPath('cmake')) {
  console.error(`prebuild-arm64: needs cmake and ${prefix}g++ (Debian: apt-get install g++-aarch64-linux-gnu cmake)`);
  process.exit(2);
}

// The same headers cmake-js would pass, as absolute paths (they are host
// files, outside the cross toolchain's root).
const include = [
  require('node-api-headers').include_dir,
  path.dirname(require.resolve('node-addon-api/package.json')),
].map((p) => path.resolve(p)).join(';');

const configure = [
  '-S', root, '-B', dir,
  `-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'toolchain-aarch64-linux-gnu.cmake')}`,
  `-DBP_CROSS_PREFIX=${prefix}`,
  '-DCMAKE_BUILD_TYPE=Release',
  `-DCMAKE_JS_INC=${include}`,
  `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${path.join(dir, 'Release')}`,
];
if (onPath('ninja')) configure.push('-G', 'Ninja');
run('cmake', configure);
run('cmake', ['--build', dir, '--target', 'bilevel_projection', '--parallel', String(Math.max(1, os.cpus().length))]);

// Strip into a temporary name beside the destination, then rename, so that
// an interrupted run never leaves half a binary where node-gyp-build looks.
const built = path.join(dir, 'Release', 'bilevel_projection.node');
fs.mkdirSync(path.dirname(dest), { recursive: true });
const tmp = `${dest}.${process.pid}.tmp`;
run(`${prefix}strip`, ['--strip-all', '-o', tmp, built]);
fs.renameSync(tmp, dest);
console.log(`prebuild-arm64: wrote ${path.relative(root, dest)} (${fs.statSync(dest).size} bytes)`);
