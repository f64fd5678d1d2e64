// Loads the compiled addon: a prebuild when one fits this platform, else the
// local build (node-gyp-build's rules), with a message that says how to get
// one when neither exists.
import * as path from 'path';
import type { NativeBinding } from '../binding';

function load(): NativeBinding {
  const root = path.join(__dirname, '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeBinding;
    return nodeGypBuild(root);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const none = /No native build was found/.test(why);
    // node-gyp-build's own view of the platform (npm_config_arch can change it).
    const where = /platform=(\S+) arch=(\S+)/.exec(why);
    const platform = where ? `${where[1]}-${where[2]}` : `${process.platform}-${process.arch}`;
    throw new Error(
      `bilevel-projection: the native addon did not load (${why}).\n` +
        (none
          ? `No prebuilt binary fits ${platform} (prebuilt: linux-x64 and linux-arm64, glibc) and nothing was compiled in ${root}.\n`
          : 'A binary was found but cannot run here (the prebuilt ones need glibc >= 2.17 and libstdc++ with GLIBCXX_3.4.22, from GCC 6).\n') +
        'To compile it from source, install cmake >= 3.15 and a C++17 compiler, then run in your project:\n' +
        '  npm rebuild bilevel-projection\n' +
        '(with BILEVEL_PROJECTION_BUILD_FROM_SOURCE=1 when a prebuilt binary exists but cannot run; if your package manager ' +
        'skips install scripts, allow this package\'s first).',
    );
  }
}

export const native: NativeBinding = load();

// BILEVEL_PROJECTION_THREADS=1 turns the kernels' helper threads off for the
// whole process (any positive integer sets the limit).
const fromEnv = process.env.BILEVEL_PROJECTION_THREADS;
if (fromEnv !== undefined && fromEnv !== '') {
  const n = Number(fromEnv);
  if (Number.isInteger(n) && n >= 1 && n <= 1024) native.threads(n);
  else process.emitWarning(`BILEVEL_PROJECTION_THREADS=${JSON.stringify(fromEnv)} ignored: expected an integer from 1 to 1024`);
}
