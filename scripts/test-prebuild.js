#!/usr/bin/env node
// Runs scripts/prebuild-checks.js (the reference vectors, the async twins,
// aborts, detached buffers, worker threads) with the linux-<arch> prebuild, in
// a Node of that architecture: the host's Node for the host's architecture,
// else an arm64 Node under qemu-user (see scripts/get-arm64-node.sh). When the
// checks pass on this repository's own prebuild, its SHA-256 is recorded as
// tested (scripts/lib/tested.js); scripts/prepack.js packs nothing else.
//
//   node scripts/test-prebuild.js <x64|arm64> [package folder, default: this repository]
//
// Exit codes: 0 passed, 1 failed, 2 cannot run here (what is missing is printed).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { which } = require('./lib/tools');
const { ROOT, record } = require('./lib/tested');

const arch = process.argv[2];
const pkgDir = path.resolve(process.argv[3] || ROOT);
if (!['x64', 'arm64'].includes(arch)) {
  console.error('usage: node scripts/test-prebuild.js <x64|arm64> [package folder]');
  process.exit(2);
}
const binary = path.join(pkgDir, 'prebuilds', `linux-${arch}`, 'bilevel-projection.glibc.node');
for (const need of [binary, path.join(pkgDir, 'dist', 'index.js')]) {
  if (!fs.existsSync(need)) {
    console.error(`test-prebuild: ${need} is missing (npm run build:ts; npm run prebuilds${arch === 'arm64' ? ':arm64' : ''})`);
    process.exit(2);
  }
}

// The node to run, and the emulator in front of it when the host differs.
let cmd = process.execPath;
let args = [];
if (arch !== process.arch) {
  if (arch !== 'arm64' || process.arch !== 'x64') {
    console.error(`test-prebuild: cannot run ${arch} code on a ${process.arch} host`);
    process.exit(2);
  }
  const sysroot = path.resolve(process.env.BP_ARM64_SYSROOT || path.join(ROOT, 'build-arm64', 'node-root'));
  const qemu = which('qemu-aarch64') || which('qemu-aarch64-static');
  const node = path.join(sysroot, 'usr', 'bin', 'node');
  if (!qemu || !fs.existsSync(node)) {
    console.error(`test-prebuild: no arm64 Node to run the linux-arm64 prebuild: ${!qemu ? 'qemu-aarch64 is not on PATH (apt-get install qemu-user); ' : ''}` +
      `${!fs.existsSync(node) ? `${node} is missing (bash scripts/get-arm64-node.sh)` : ''}`);
    process.exit(2);
  }
  cmd = qemu;
  args = ['-L', sysroot, node];
}

// The PASS rule of the reference vectors is the jest suites' own
// (test/helpers/reference.ts), transpiled for a plain Node.
const ts = require('typescript');
const helpersTs = path.join(ROOT, 'test', 'helpers', 'reference.ts');
const helpersJs = path.join(ROOT, 'build-prebuild-tests', 'reference.js');
fs.mkdirSync(path.dirname(helpersJs), { recursive: true });
const out = ts.transpileModule(fs.readFileSync(helpersTs, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
});
fs.writeFileSync(helpersJs, out.outputText);

const env = { ...process.env, PREBUILDS_ONLY: '1' };
delete env.BILEVEL_PROJECTION_PREBUILD;
env.BP_REFERENCE_DIR = env.BP_REFERENCE_DIR || path.resolve(ROOT, '..', 'shared', 'reference');
const t0 = Date.now();
const r = spawnSync(cmd, [...args, path.join(__dirname, 'prebuild-checks.js'), pkgDir, helpersJs, arch], { stdio: 'inherit', env });
const secs = ((Date.now() - t0) / 1000).toFixed(1);
if (r.error || r.status !== 0) {
  console.error(`test-prebuild: linux-${arch} FAILED after ${secs} s${r.error ? `: ${r.error.message}` : ''}`);
  process.exit(1);
}
const withRef = fs.existsSync(path.join(env.BP_REFERENCE_DIR, 'manifest.json'));
if (pkgDir === ROOT) record(binary, `scripts/prebuild-checks.js on ${arch === process.arch ? 'this host' : 'qemu-user'}, ${withRef ? 'with' : 'without'} the reference vectors`);
console.log(`test-prebuild: linux-${arch} passed in ${secs} s`);
