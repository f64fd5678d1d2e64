// The published package, as a new user gets it: `npm pack` (which runs
// scripts/prepack.js) holds exactly what it should, every prebuilt binary in it
// has passed its checks on its own architecture, and publint --strict finds
// nothing; that very tarball installs into a fresh project with no compiler on
// PATH (the prebuild is used, nothing compiles, no build tool is downloaded),
// and works through require, import, and TypeScript types in both module
// systems; without a usable prebuild it compiles from source with plain cmake,
// or says what is missing. Needs the npm registry for the package's own
// dependencies.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const PREBUILD = path.join(ROOT, 'prebuilds', 'linux-x64', 'bilevel-projection.glibc.node');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tested = require('../scripts/lib/tested') as { isTested(file: string): boolean; prebuilds(): string[] };
const NPM_CLI = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [NPM_CLI, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** A PATH holding node, npm and sh (npm runs scripts through it) only: no cmake, make, cc, c++ or g++. */
function bareEnv(dir: string): NodeJS.ProcessEnv {
  const bin = path.join(dir, 'bin');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync(NPM_CLI, path.join(bin, 'npm'));
    fs.symlinkSync(fs.realpathSync('/bin/sh'), path.join(bin, 'sh'));
  }
  return { ...process.env, PATH: bin, npm_config_update_notifier: 'false' };
}

function newProject(dir: string): string {
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  return dir;
}

const SCRIPT = `const y = { data: Float64Array.from([3, -1, 0.5, 2, 0.25, -4]), rows: 2, cols: 3 };
      const r = bp.bilevelL1Inf(y, 2);
      if (!(r.data instanceof Float64Array) || r.zeroGroups !== 1) throw new Error('unexpected ' + JSON.stringify(r));
      console.log(r.zeroGroups, Array.from(r.radii).join(','));`;

const describeLinux = process.platform === 'linux' && process.arch === 'x64' ? describe : describe.skip;

describeLinux('the npm package', () => {
  let work: string;
  let tarball: string;
  let packed: { filename: string; files: { path: string }[]; size: number; unpackedSize: number };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-pack-'));
    // The real `npm pack`: its prepack builds and tests whatever prebuild is stale.
    const out = npm(['pack', '--json', '--pack-destination', work], ROOT);
    packed = JSON.parse(out.slice(out.indexOf('[')))[0];
    tarball = path.join(work, packed.filename);
    expect(fs.existsSync(tarball)).toBe(true);
  }, 600_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the prebuilds exist, are newer than every native source, and each is byte for byte one that passed its checks on its own architecture', () => {
    expect(fs.existsSync(PREBUILD)).toBe(true);
    const sources = Math.max(newest(path.join(ROOT, 'native', 'core')), newest(path.join(ROOT, 'native', 'binding')), fs.statSync(path.join(ROOT, 'CMakeLists.txt')).mtimeMs);
    const all = tested.prebuilds();
    expect(all).toContain(PREBUILD);
    // CI demands the arm64 one (BP_REQUIRE_ARM64=1); elsewhere it may be left out, never shipped untested.
    if (process.env.BP_REQUIRE_ARM64 === '1') expect(all).toContain(path.join(ROOT, 'prebuilds', 'linux-arm64', 'bilevel-projection.glibc.node'));
    for (const f of all) {
      expect(fs.statSync(f).mtimeMs).toBeGreaterThanOrEqual(sources);
      expect([path.relative(ROOT, f), tested.isTested(f)]).toEqual([path.relative(ROOT, f), true]);
    }
    // What was packed is what is on disk now.
    const inTarball = packed.files.map((f) => f.path).filter((p) => p.startsWith('prebuilds/')).sort();
    expect(inTarball).toEqual(all.map((f) => path.relative(ROOT, f)).sort());
  });

  test('README states the tarball size within 10%', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const m = /The tarball is (\d+) kB \(([\d.]+) MB unpacked, (\d+) files\)/.exec(readme);
    expect(m).not.toBeNull();
    expect(Math.abs(packed.size / 1000 / Number(m![1]) - 1)).toBeLessThan(0.1);
    expect(Math.abs(packed.unpackedSize / 1e6 / Number(m![2]) - 1)).toBeLessThan(0.1);
    expect(Math.abs(packed.files.length - Number(m![3]))).toBeLessThanOrEqual(10);
  });

  test('publint --strict finds nothing in the tarball', () => {
    // publint's exports map hides its package.json: find the CLI on disk.
    const bin = path.join(ROOT, 'node_modules', 'publint', 'src', 'cli.js');
    const out = execFileSync(process.execPath, [bin, 'run', tarball, '--strict'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/All good/);
  });

  test('npm pack holds the compiled facade, its types, the prebuilds, the native sources, CMakeLists.txt, README and LICENSE, and nothing else', () => {
    const files = packed.files.map((f) => f.path);
    const allowed = [
      /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CMakeLists\.txt$/, /^binding\.d\.ts$/, /^install\/build\.js$/,
      /^dist\/.+\.(js|d\.ts)$/, /^prebuilds\/[a-z0-9]+-[a-z0-9]+\/[^/]+\.node$/,
      /^native\/core\/((sae|simd)\/)?[^/]+\.(hpp|cpp)$/, /^native\/binding\/[^/]+\.(h|cc)$/,
    ];
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    expect(stray).toEqual([]);
    for (const must of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE', 'CMakeLists.txt', 'native/core/bilevel.cpp', 'native/binding/addon.cc', 'install/build.js', 'prebuilds/linux-x64/bilevel-projection.glibc.node']) {
      expect(files).toContain(must);
    }
    expect(files.some((f) => /^(test|bench|scripts)\//.test(f) || /\.map$/.test(f))).toBe(false);
  });

  test('installs with no compiler on PATH and works via require, import and TypeScript (CJS and ESM)', () => {
    const env = bareEnv(work);
    for (const tool of ['cmake', 'make', 'cc', 'c++', 'g++', 'gcc']) {
      expect(() => execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { env, stdio: 'ignore' })).toThrow();
    }
    const app = newProject(path.join(work, 'app'));
    npm(['install', tarball, '--no-audit', '--no-fund', '--foreground-scripts'], app, env);
    // The build toolchain is not downloaded: four small dependencies (csv-parse
    // for the CSV reader of bilevel-projection/sae), none of their own.
    expect(fs.readdirSync(path.join(app, 'node_modules')).filter((d) => !d.startsWith('.')).sort()).toEqual(['bilevel-projection', 'csv-parse', 'node-addon-api', 'node-api-headers', 'node-gyp-build']);
    // ... and as small as README says (its apparent size, within 10%).
    const bytes = (p: string): number => {
      const st = fs.lstatSync(p);
      return st.isDirectory() ? fs.readdirSync(p).reduce((t, e) => t + bytes(path.join(p, e)), 0) : st.isFile() ? st.size : 0;
    };
    const stated = /`node_modules` holds\s+5 packages and ([\d.]+) MB/.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(stated).not.toBeNull();
    expect(Math.abs(bytes(path.join(app, 'node_modules')) / 1e6 / Number(stated![1]) - 1)).toBeLessThan(0.1);
    const installed = path.join(app, 'node_modules', 'bilevel-projection');
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false); // the prebuild was used

    const script = SCRIPT;
    const cjs = execFileSync(process.execPath, ['-e', `const bp = require('bilevel-projection'); ${script}`], { cwd: app, env, encoding: 'utf8' });
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as bp from 'bilevel-projection'; import { bilevelL1Inf } from 'bilevel-projection'; if (typeof bilevelL1Inf !== 'function') throw new Error('no named export'); ${script}`], { cwd: app, env, encoding: 'utf8' });
    expect(cjs).toBe(esm);
    expect(cjs.trim()).toBe('1 0.5,0,1.5'); // column maxima (3, 1, 4) onto the l1 ball of radius 2

    // Every application entry, through require and import alike: the same names.
    for (const [sub, name] of [['sae', 'fitSae'], ['datasets', 'makeClassification'], ['paper', 'runTable1']] as const) {
      const viaRequire = execFileSync(process.execPath, ['-e', `console.log(Object.keys(require('bilevel-projection/${sub}')).sort().join(','))`], { cwd: app, env, encoding: 'utf8' }).trim();
      const viaImport = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as m from 'bilevel-projection/${sub}'; console.log(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports' && k !== '__esModule').sort().join(','))`], { cwd: app, env, encoding: 'utf8' }).trim();
      expect(viaImport).toBe(viaRequire);
      expect(viaRequire.split(',')).toContain(name);
    }

    // Types through the exports map, from an ES module and from a CommonJS module.
    fs.writeFileSync(path.join(app, 'esm.mts'), `import { bilevelL1Inf, projectL1InfAsync, type Matrix } from 'bilevel-projection';
const y: Matrix<Float32Array> = { data: new Float32Array(6), rows: 2, cols: 3 };
const r = bilevelL1Inf(y, 1);
const f: Float32Array = r.data;
const z: number = r.zeroGroups;
void projectL1InfAsync(y, 1, { method: 'sort' });
// @ts-expect-error: the radius must be a number
bilevelL1Inf(y, '1');
import { fitSae, type SaeModel } from 'bilevel-projection/sae';
import { makeClassification } from 'bilevel-projection/datasets';
import { runTable1 } from 'bilevel-projection/paper';
const data = makeClassification({ nSamples: 20, nFeatures: 5 });
const model: Promise<SaeModel> = fitSae(data.X, data.y, { keep: 2 });
const cum: number = runTable1 === undefined ? 0 : 1;
export { f, z, model, cum };
`);
    fs.writeFileSync(path.join(app, 'cjs.cts'), `import bp = require('bilevel-projection');
const r = bp.projectL1Inf({ data: new Float64Array(4), rows: 2, cols: 2 }, 1, { method: 'newton' });
const d: Float64Array = r.data;
import sae = require('bilevel-projection/sae');
const k: typeof sae.kFold = sae.kFold;
void k;
// @ts-expect-error: unknown method names are a type error
bp.projectL1Inf({ data: new Float64Array(4), rows: 2, cols: 2 }, 1, { method: 'magic' });
export = d;
`);
    execFileSync(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'esm.mts', 'cjs.cts'], { cwd: app, env, encoding: 'utf8' });
  });

  test('where no prebuild fits and nothing was compiled, loading says what to install and what to run', () => {
    const app = newProject(path.join(work, 'app-riscv'));
    npm(['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts'], app, bareEnv(work));
    // node-gyp-build takes the platform from npm_config_arch: an arch with no prebuild.
    let err = '';
    try {
      execFileSync(process.execPath, ['-e', "require('bilevel-projection')"], { cwd: app, env: { ...bareEnv(work), npm_config_arch: 'riscv64' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
    }
    expect(err).toMatch(/No prebuilt binary fits linux-riscv64/);
    expect(err).toMatch(/cmake >= 3\.15 and a C\+\+17 compiler/);
    expect(err).toMatch(/npm rebuild bilevel-projection/);
    expect(err).not.toMatch(/npm run /); // no script of ours: the user's project has none
  });

  test('the source fallback: without cmake it stops with what is missing and writes nothing; with cmake (and no cmake-js) it compiles and loads', () => {
    const app = newProject(path.join(work, 'app-source'));
    npm(['install', tarball, '--no-audit', '--no-fund', '--ignore-scripts'], app, bareEnv(work));
    const installed = path.join(app, 'node_modules', 'bilevel-projection');
    const fromSource = { BILEVEL_PROJECTION_BUILD_FROM_SOURCE: '1' };

    let failure = '';
    try {
      npm(['rebuild', 'bilevel-projection', '--foreground-scripts'], app, { ...bareEnv(work), ...fromSource });
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      failure = `${x.stdout}${x.stderr}`;
    }
    expect(failure).toMatch(/cmake is not on PATH/);
    expect(failure).toMatch(/no C\+\+17 compiler on PATH/);
    expect(failure).toMatch(/cmake >= 3\.15 and a C\+\+17 compiler/);
    expect(failure).toMatch(/npm rebuild bilevel-projection/);
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false);

    // The machine's own PATH has cmake and g++; the project has no cmake-js.
    expect(fs.existsSync(path.join(app, 'node_modules', 'cmake-js'))).toBe(false);
    npm(['rebuild', 'bilevel-projection', '--foreground-scripts'], app, { ...process.env, ...fromSource });
    const built = path.join(installed, 'build', 'Release', 'bilevel_projection.node');
    expect(fs.existsSync(built)).toBe(true);
    const out = execFileSync(process.execPath, ['-e', `const bp = require('bilevel-projection'); console.log(require('node-gyp-build').path(${JSON.stringify(installed)})); ${SCRIPT}`], { cwd: app, encoding: 'utf8' });
    expect(out.trim().split('\n')).toEqual([built, '1 0.5,0,1.5']);
  }, 600_000);
});
