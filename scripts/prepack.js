#!/usr/bin/env node
// npm runs this before `npm pack` and `npm publish`: a tarball never leaves
// without its prebuilt binaries, and never with one that has not run.
//
// 1. dist/ is compiled from lib/ (tsc).
// 2. linux-x64: built with prebuildify unless the one in prebuilds/ is newer
//    than every native source; then run through scripts/prebuild-checks.js.
// 3. linux-arm64: cross-built and run under qemu-user the same way when this
//    machine has the tools (g++-aarch64-linux-gnu, qemu-user, the arm64 Node
//    of scripts/get-arm64-node.sh). Without them the arm64 prebuild is left
//    out, with a warning; BP_REQUIRE_ARM64=1 makes that an error (releases).
// 4. Every .node under prebuilds/ must be byte for byte one that passed the
//    checks on its own architecture (scripts/lib/tested.js), or nothing is
//    packed.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, isTested, prebuilds } = require('./lib/tested');

const say = (m) => console.error(`prepack: ${m}`);
function refuse(m) {
  say(`refusing to pack: ${m}`);
  process.exit(1);
}
function step(what, cmd, args) {
  say(what);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', process.stderr, 'inherit'] });
  if (r.error) refuse(`${cmd} could not start: ${r.error.message}`);
  return r.status;
}
const npmRun = (script, ...args) => [process.execPath, [process.env.npm_execpath || 'npm', 'run', '--silent', script, ...(args.length ? ['--', ...args] : [])]];

function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((e) => newest(path.join(p, e))));
}
const sourcesTime = Math.max(...['native/core', 'native/binding', 'CMakeLists.txt', 'cmake'].map((p) => newest(path.join(ROOT, p))));
const fresh = (file) => fs.existsSync(file) && fs.statSync(file).mtimeMs >= sourcesTime;
const binary = (arch) => path.join(ROOT, 'prebuilds', `linux-${arch}`, 'bilevel-projection.glibc.node');

if (!process.env.npm_execpath) refuse('run through npm (npm pack / npm publish), which sets npm_execpath');

// 1. The facade.
if (step('compiling lib/ into dist/ (tsc)', ...npmRun('build:ts')) !== 0) refuse('tsc failed');

// 2. linux-x64, the host's own architecture in CI and releases.
if (process.platform === 'linux' && process.arch === 'x64') {
  if (!fresh(binary('x64'))) {
    if (step('building the linux-x64 prebuild (prebuildify, cmake-js)', ...npmRun('prebuilds')) !== 0) refuse('the linux-x64 build failed');
  }
  if (!isTested(binary('x64')) && step('testing the linux-x64 prebuild', process.execPath, ['scripts/test-prebuild.js', 'x64']) !== 0) {
    refuse('the linux-x64 prebuild failed its checks');
  }
} else if (!isTested(binary('x64'))) {
  refuse(`no tested linux-x64 prebuild, and this ${process.platform}-${process.arch} machine cannot make one: pack on linux-x64`);
}

// 3. linux-arm64, when this machine can build it and run it.
const requireArm64 = process.env.BP_REQUIRE_ARM64 === '1';
function dropArm64(why) {
  if (requireArm64) refuse(`BP_REQUIRE_ARM64=1 and ${why}`);
  fs.rmSync(path.dirname(binary('arm64')), { recursive: true, force: true });
  say(`WARNING: the tarball will have no linux-arm64 prebuild: ${why}`);
}
let arm64 = true;
if (!fresh(binary('arm64'))) {
  const s = step('cross-building the linux-arm64 prebuild', process.execPath, ['scripts/prebuild-arm64.js']);
  if (s === 2) {
    dropArm64('no aarch64 cross compiler here (apt-get install g++-aarch64-linux-gnu)');
    arm64 = false;
  } else if (s !== 0) refuse('the linux-arm64 cross build failed');
}
if (arm64 && !isTested(binary('arm64'))) {
  const s = step('testing the linux-arm64 prebuild in an arm64 Node', process.execPath, ['scripts/test-prebuild.js', 'arm64']);
  if (s === 2) dropArm64('no arm64 Node to test it in (apt-get install qemu-user; bash scripts/get-arm64-node.sh)');
  else if (s !== 0) refuse('the linux-arm64 prebuild failed its checks');
}

// 4. Nothing untested goes out.
const untested = prebuilds().filter((f) => !isTested(f)).map((f) => path.relative(ROOT, f));
if (untested.length) refuse(`these prebuilds have not passed scripts/prebuild-checks.js on their own architecture: ${untested.join(', ')} (delete them or test them)`);
say(`packing with ${prebuilds().map((f) => path.relative(ROOT, f)).join(', ')}`);
