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
    throw new Error(
      `bilevel-projection: the native addon did not load (${why}).\n` +
        `No prebuild matched ${process.platform}-${process.arch} and no local build was found in ${root}.\n` +
        'Build it from source with `npm run build:native` (needs cmake >= 3.15 and a C++17 compiler), ' +
        'or reinstall without --ignore-scripts.',
    );
  }
}

export const native: NativeBinding = load();
