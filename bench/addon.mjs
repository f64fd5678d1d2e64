// The addon the benchmarks time: a build of its own in build-bench/, with the
// bench hooks compiled in (-DBP_BENCH_HOOKS=ON, native/bench/), which neither
// the prebuilds nor an install from source carry. run.mjs builds it once;
// every case process then loads it, and so does the library itself (through
// BILEVEL_PROJECTION_PREBUILD, see lib/native.ts), so the hooks and the
// public functions time one and the same binary.
import { execFileSync } from 'child_process';
import { createRequire } from 'module';
import { fileURLToPath } from 'url';
import * as path from 'path';

const require = createRequire(import.meta.url);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.join(root, 'build-bench');
const ADDON = path.join(BUILD, 'Release', 'bilevel_projection.node');

/** Configures and compiles build-bench/ (incremental: quick when nothing changed). */
export function buildBenchAddon() {
  const cli = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  execFileSync(process.execPath, [cli, 'compile', '--out', BUILD, '--CDBP_BENCH_HOOKS=ON'], { cwd: root, stdio: ['ignore', 2, 2] });
  process.env.BILEVEL_PROJECTION_PREBUILD = ADDON; // inherited by the case processes
}

/** The library and the raw addon, both from the bench build. */
export function loadBench() {
  if (!process.env.BILEVEL_PROJECTION_PREBUILD) process.env.BILEVEL_PROJECTION_PREBUILD = ADDON;
  const native = require(process.env.BILEVEL_PROJECTION_PREBUILD);
  if (!native.bench) {
    throw new Error(`${process.env.BILEVEL_PROJECTION_PREBUILD} has no bench hooks: run the benchmarks through bench/run.mjs, which builds them`);
  }
  const bp = require(path.join(root, 'dist', 'index.js'));
  return { bp, native };
}
