// Loads the compiled addon: the local build when there is one (a developer's
// checkout, or an install that compiled from source), else the prebuild for
// this platform, following node-gyp-build's file naming. Done with require()
// alone, without reading directories, so that loading the library touches no
// file-system module: the main entry stays a pure computation library.
import * as path from 'path';
import type { NativeBinding } from '../binding';

const ADDON = 'bilevel_projection.node';
const PREBUILD = 'bilevel-projection';

// As node-gyp-build does: npm_config_platform / npm_config_arch name the
// target of a cross install.
const platform = () => process.env.npm_config_platform || process.platform;
const arch = () => process.env.npm_config_arch || process.arch;

/** Where the addon may be, best first (node-gyp-build's order: a local build beats a prebuild). */
function* candidates(root: string): Generator<string> {
  const fromEnv = process.env.BILEVEL_PROJECTION_PREBUILD;
  if (fromEnv) yield path.resolve(fromEnv);
  if (!process.env.PREBUILDS_ONLY) {
    yield path.join(root, 'build', 'Release', ADDON);
    yield path.join(root, 'build', 'Debug', ADDON);
  }
  const dir = path.join(root, 'prebuilds', `${platform()}-${arch()}`);
  if (platform() === 'linux') {
    // glibc or musl: a glibc binary cannot load under musl nor the other way
    // round. Node's report says which C library it runs on (asked only here,
    // when there is no local build: it takes a few milliseconds).
    const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
    yield path.join(dir, `${PREBUILD}.${report?.header?.glibcVersionRuntime ? 'glibc' : 'musl'}.node`);
  }
  yield path.join(dir, `${PREBUILD}.node`);
}

function load(): NativeBinding {
  const root = path.join(__dirname, '..');
  const tried: string[] = [];
  for (const file of candidates(root)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(file) as NativeBinding;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // A file that is not there is the normal case; one that is there but
      // does not load (wrong architecture, missing libstdc++) is worth saying.
      tried.push(e.code === 'MODULE_NOT_FOUND' ? `${file}: not found` : `${file}: ${e.message.split('\n')[0]}`);
    }
  }
  const found = tried.some((t) => !t.endsWith(': not found'));
  const err = new Error(
    `bilevel-projection: the native addon did not load on ${platform()}-${arch()}.\n` +
      `Tried:\n  ${tried.join('\n  ')}\n` +
      (found
        ? 'A binary was found but cannot run here (the prebuilt ones need glibc >= 2.17 and libstdc++ with GLIBCXX_3.4.22, from GCC 6).\n'
        : `No prebuilt binary fits ${platform()}-${arch()} (prebuilt: linux-x64 and linux-arm64, glibc) and nothing was compiled.\n`) +
      'To compile it from source, install cmake >= 3.15 and a C++17 compiler, then run in your project:\n' +
      '  npm rebuild bilevel-projection\n' +
      '(with BILEVEL_PROJECTION_BUILD_FROM_SOURCE=1 when a prebuilt binary exists but cannot run; if your package manager ' +
      "skips install scripts, allow this package's first).",
  );
  Object.defineProperty(err, 'code', { value: 'ERR_BP_NATIVE', enumerable: true });
  throw err;
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
