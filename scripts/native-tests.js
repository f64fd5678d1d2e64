#!/usr/bin/env node
// Builds and runs the C++ tests of native/core without Node headers: plain
// CMake, then ctest. `--sanitize` builds with AddressSanitizer and
// UndefinedBehaviorSanitizer into a separate folder. `--build-only` builds and
// does not run: scripts/valgrind-native.sh runs the same binary under memcheck,
// which is why the plain build is optimised *with* debug info (RelWithDebInfo):
// one compile serves both, where two took about two minutes of CI.
'use strict';
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const sanitize = process.argv.includes('--sanitize');
const buildOnly = process.argv.includes('--build-only');
const dir = path.join(root, sanitize ? 'build-native-asan' : 'build-native');
const shared = path.resolve(root, '..', 'shared');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.error) {
    console.error(`native-tests: cannot run ${cmd}: ${r.error.message}`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const configure = ['-S', root, '-B', dir, '-DBP_BUILD_ADDON=OFF', '-DBP_BUILD_TESTS=ON', '-DBP_WERROR=ON', `-DBP_SHARED_DIR=${shared}`];
if (sanitize) configure.push('-DBP_SANITIZE=ON', '-DCMAKE_BUILD_TYPE=Debug');
else configure.push('-DCMAKE_BUILD_TYPE=RelWithDebInfo');
run('cmake', configure);
// Both cores: the sanitizer build of the core and tests is a large part of CI.
run('cmake', ['--build', dir, '--parallel', String(os.cpus().length)]);
// The harness's shares (CMakeLists.txt, BP_TEST_SHARDS) run side by side.
if (!buildOnly) run('ctest', ['--test-dir', dir, '--output-on-failure', '--parallel', String(os.cpus().length)]);
