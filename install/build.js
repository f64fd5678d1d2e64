#!/usr/bin/env node
// The package's install script. With a prebuilt binary for this platform it
// loads it and does nothing else. Without one (or with --build-from-source),
// it compiles the addon from the packaged sources with CMake: through cmake-js
// when that is installed (a development clone, or Windows, where cmake-js
// makes node.lib), else by calling cmake directly with the Node-API headers of
// the node-api-headers and node-addon-api packages, so that users who get a
// prebuild never download a build tool. When the build cannot run, it says
// what is missing and what to run in the user's own project.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const NAME = 'bilevel-projection';
const MIN_CMAKE = [3, 15];
const env = process.env;
// BILEVEL_PROJECTION_BUILD_FROM_SOURCE=1 compiles even where a prebuild fits
// (npm's --build-from-source also reaches here, as npm_config_build_from_source).
const fromSource = [env.BILEVEL_PROJECTION_BUILD_FROM_SOURCE, env.npm_config_build_from_source].some((v) => /^(true|1|bilevel-projection)$/.test(v || ''));

function loads() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

function which(name) {
  if (path.isAbsolute(name)) return fs.existsSync(name) ? name : null;
  const exts = process.platform === 'win32' ? (env.PATHEXT || '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      try {
        if (fs.statSync(p).isFile()) return p;
      } catch {
        /* not here */
      }
    }
  }
  return null;
}

function fail(missing) {
  const libc = process.platform === 'linux' ? (fs.existsSync('/etc/alpine-release') ? ' (musl)' : ' (glibc)') : '';
  console.error(
    [
      '',
      fromSource
        ? `${NAME}: asked to compile from source on ${process.platform}-${process.arch}${libc}, and it cannot be compiled here:`
        : `${NAME}: no prebuilt binary for ${process.platform}-${process.arch}${libc}, and it cannot be compiled here:`,
      ...missing.map((m) => `  - ${m}`),
      'Prebuilt binaries exist for linux-x64 and linux-arm64 with glibc; elsewhere the addon is compiled on install.',
      'It needs cmake >= 3.15 and a C++17 compiler (g++ >= 8, clang >= 7, or MSVC 2019+; on Windows also',
      '`npm install --save-dev cmake-js`). Install them, then run in your project:',
      `  npm rebuild ${NAME}`,
      '',
    ].join('\n'),
  );
  process.exit(1);
}

function cmakeVersion(cmake) {
  const r = spawnSync(cmake, ['--version'], { encoding: 'utf8' });
  const m = /cmake version (\d+)\.(\d+)/.exec(r.stdout || '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function run(cmd, args) {
  console.log(`${NAME}: ${path.basename(cmd)} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return !r.error && r.status === 0;
}

if (!fromSource && loads()) process.exit(0);

// The build tools this machine lacks, each with what to do about it.
const missing = [];
const cmake = which(env.CMAKE || 'cmake');
const version = cmake && cmakeVersion(cmake);
if (!cmake) missing.push('cmake is not on PATH');
else if (!version || version[0] < MIN_CMAKE[0] || (version[0] === MIN_CMAKE[0] && version[1] < MIN_CMAKE[1]))
  missing.push(`cmake >= ${MIN_CMAKE.join('.')} is needed, ${cmake} is ${version ? version.join('.') : 'of unknown version'}`);
// cmake-js counts only when installed in the project being installed (npm
// names it in npm_config_local_prefix), not in some folder above it.
let cmakeJs = null;
try {
  const dir = path.dirname(require.resolve('cmake-js/package.json', { paths: [root] }));
  const project = env.npm_config_local_prefix ? path.resolve(env.npm_config_local_prefix) : null;
  if (!project || !path.relative(project, dir).startsWith('..')) cmakeJs = path.join(dir, 'bin', 'cmake-js');
} catch {
  /* not installed: cmake is called directly below */
}
if (process.platform === 'win32') {
  if (!cmakeJs) missing.push('cmake-js is not installed (on Windows it makes node.lib): npm install --save-dev cmake-js');
} else if (!cmakeJs) {
  const cxx = [env.CXX, 'c++', 'g++', 'clang++'].filter(Boolean).find((c) => which(c));
  if (!cxx) missing.push('no C++17 compiler on PATH (c++, g++ or clang++; or set CXX)');
}
if (missing.length) fail(missing);

let ok;
if (cmakeJs) {
  console.log(`${NAME}: compiling with ${cmakeJs}`);
  ok = run(process.execPath, [cmakeJs, 'compile', '--parallel', String(Math.max(1, os.cpus().length))]);
} else {
  const include = [
    require('node-api-headers').include_dir,
    path.dirname(require.resolve('node-addon-api/package.json', { paths: [root] })),
  ].map((p) => path.resolve(p).replace(/\\/g, '/')).join(';');
  const dir = path.join(root, 'build', 'cmake');
  ok =
    run(cmake, ['-S', root, '-B', dir, '-DCMAKE_BUILD_TYPE=Release', `-DCMAKE_JS_INC=${include}`,
      `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${path.join(root, 'build', 'Release')}`]) &&
    run(cmake, ['--build', dir, '--target', 'bilevel_projection', '--parallel', String(Math.max(1, os.cpus().length))]);
}
if (!ok) fail(['the compile failed (its output is above): check that the compiler supports C++17']);
if (!loads()) fail(['the addon compiled but does not load (see above)']);
console.log(`${NAME}: compiled from source into ${path.join(root, 'build', 'Release')}`);
