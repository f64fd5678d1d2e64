// The published package, as a new user gets it: `npm pack` holds exactly what
// it should; the tarball installs into a fresh project with no compiler on
// PATH (the prebuild is used, nothing compiles), and works through require,
// import, and TypeScript types in both module systems. Needs the npm registry
// for the package's own dependencies.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const PREBUILD = path.join(ROOT, 'prebuilds', 'linux-x64', 'bilevel-projection.glibc.node');
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
  return execFileSync(process.execPath, [NPM_CLI, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const describeLinux = process.platform === 'linux' && process.arch === 'x64' ? describe : describe.skip;

describeLinux('the npm package', () => {
  let work: string;
  let tarball: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-pack-'));
    tarball = path.join(work, npm(['pack', '--pack-destination', work, '--silent'], ROOT).trim().split('\n').pop()!);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the prebuild exists, is newer than every native source, and needs at most glibc 2.28', () => {
    expect(fs.existsSync(PREBUILD)).toBe(true);
    const sources = Math.max(newest(path.join(ROOT, 'native', 'core')), newest(path.join(ROOT, 'native', 'binding')), fs.statSync(path.join(ROOT, 'CMakeLists.txt')).mtimeMs);
    expect(fs.statSync(PREBUILD).mtimeMs).toBeGreaterThanOrEqual(sources);
    const syms = execFileSync('objdump', ['-T', PREBUILD], { encoding: 'utf8' });
    const versions = (tag: string) => [...new Set([...syms.matchAll(new RegExp(`\\b${tag}_([0-9.]+)`, 'g'))].map((m) => m[1]))];
    const newerThan = (v: string, limit: string) => {
      const a = v.split('.').map(Number), b = limit.split('.').map(Number);
      for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
      return false;
    };
    // Node 20's own binaries need glibc 2.28; libstdc++ of GCC 8 (RHEL 8) exports up to GLIBCXX_3.4.25.
    expect(versions('GLIBC').filter((v) => newerThan(v, '2.28'))).toEqual([]);
    expect(versions('GLIBCXX').filter((v) => newerThan(v, '3.4.25'))).toEqual([]);
    expect(versions('GLIBC').length).toBeGreaterThan(0);
  });

  test('npm pack holds the compiled facade, its types, the prebuilds, the native sources, CMakeLists.txt, README and LICENSE, and nothing else', () => {
    const files: string[] = JSON.parse(npm(['pack', '--dry-run', '--json'], ROOT))[0].files.map((f: { path: string }) => f.path);
    const allowed = [
      /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CMakeLists\.txt$/, /^binding\.d\.ts$/,
      /^dist\/.+\.(js|d\.ts)$/, /^prebuilds\/[a-z0-9]+-[a-z0-9]+\/[^/]+\.node$/,
      /^native\/core\/((sae|simd)\/)?[^/]+\.(hpp|cpp)$/, /^native\/binding\/[^/]+\.(h|cc)$/,
    ];
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    expect(stray).toEqual([]);
    for (const must of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE', 'CMakeLists.txt', 'native/core/bilevel.cpp', 'native/binding/addon.cc', 'prebuilds/linux-x64/bilevel-projection.glibc.node']) {
      expect(files).toContain(must);
    }
    expect(files.some((f) => /^(test|bench|scripts)\//.test(f) || /\.map$/.test(f))).toBe(false);
  });

  test('installs with no compiler on PATH and works via require, import and TypeScript (CJS and ESM)', () => {
    // A PATH with node, npm and sh (npm runs scripts through it) only: no
    // cmake, make, cc, c++ or g++.
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync(NPM_CLI, path.join(bin, 'npm'));
    fs.symlinkSync(fs.realpathSync('/bin/sh'), path.join(bin, 'sh'));
    const env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false' };
    for (const tool of ['cmake', 'make', 'cc', 'c++', 'g++', 'gcc']) {
      expect(() => execFileSync('/bin/sh', ['-c', `command -v ${tool}`], { env, stdio: 'ignore' })).toThrow();
    }
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    npm(['install', tarball, '--no-audit', '--no-fund', '--foreground-scripts'], app, env);
    const installed = path.join(app, 'node_modules', 'bilevel-projection');
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false); // the prebuild was used

    const script = `const y = { data: Float64Array.from([3, -1, 0.5, 2, 0.25, -4]), rows: 2, cols: 3 };
      const r = bp.bilevelL1Inf(y, 2);
      if (!(r.data instanceof Float64Array) || r.zeroGroups !== 1) throw new Error('unexpected ' + JSON.stringify(r));
      console.log(r.zeroGroups, Array.from(r.radii).join(','));`;
    const cjs = execFileSync(process.execPath, ['-e', `const bp = require('bilevel-projection'); ${script}`], { cwd: app, env, encoding: 'utf8' });
    const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `import * as bp from 'bilevel-projection'; import { bilevelL1Inf } from 'bilevel-projection'; if (typeof bilevelL1Inf !== 'function') throw new Error('no named export'); ${script}`], { cwd: app, env, encoding: 'utf8' });
    expect(cjs).toBe(esm);
    expect(cjs.trim()).toBe('1 0.5,0,1.5'); // column maxima (3, 1, 4) onto the l1 ball of radius 2

    // Types through the exports map, from an ES module and from a CommonJS module.
    fs.writeFileSync(path.join(app, 'esm.mts'), `import { bilevelL1Inf, projectL1InfAsync, type Matrix } from 'bilevel-projection';
const y: Matrix<Float32Array> = { data: new Float32Array(6), rows: 2, cols: 3 };
const r = bilevelL1Inf(y, 1);
const f: Float32Array = r.data;
const z: number = r.zeroGroups;
void projectL1InfAsync(y, 1, { method: 'sort' });
// @ts-expect-error: the radius must be a number
bilevelL1Inf(y, '1');
export { f, z };
`);
    fs.writeFileSync(path.join(app, 'cjs.cts'), `import bp = require('bilevel-projection');
const r = bp.projectL1Inf({ data: new Float64Array(4), rows: 2, cols: 2 }, 1, { method: 'newton' });
const d: Float64Array = r.data;
// @ts-expect-error: unknown method names are a type error
bp.projectL1Inf({ data: new Float64Array(4), rows: 2, cols: 2 }, 1, { method: 'magic' });
export = d;
`);
    execFileSync(process.execPath, [TSC, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types'), 'esm.mts', 'cjs.cts'], { cwd: app, env, encoding: 'utf8' });
  });
});
