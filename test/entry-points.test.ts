// The package's shape: the main entry is the projections and nothing else
// (no file system, no compression, no plotter, no application module is
// loaded by require('bilevel-projection')), and every subpath entry exports
// what the README says it does. Run on the compiled package (dist/), in a
// child process, with Node's module loader instrumented.
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** Loads `entry` in a fresh process and returns every (request, requester) pair and the entry's export names. */
function load(entry: string): { requests: { request: string; from: string }[]; exports: string[] } {
  const script = `
const Module = require('module');
const requests = [];
const original = Module._load;
Module._load = function (request, parent, isMain) {
  requests.push({ request, from: parent && parent.filename ? parent.filename : '' });
  return original.apply(this, arguments);
};
const m = require(${JSON.stringify(entry)});
process.stdout.write(JSON.stringify({ requests, exports: Object.keys(m) }));
`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const dist = (p: string) => path.join(ROOT, 'dist', p);

describe('the main entry holds the library only', () => {
  const { requests, exports } = load(dist('index.js'));

  test('no file-system, compression or process modules are requested, by anyone', () => {
    const builtins = requests.map((r) => r.request.replace(/^node:/, ''));
    for (const forbidden of ['fs', 'fs/promises', 'zlib', 'child_process', 'readline', 'worker_threads']) {
      expect(builtins).not.toContain(forbidden);
    }
  });

  test('no application module is loaded (sae, datasets, paper, plot, io, cli, tfjs)', () => {
    const ours = requests.map((r) => r.from).filter((f) => f.startsWith(dist('')));
    const loaded = new Set(ours.map((f) => path.relative(dist(''), f)));
    for (const f of loaded) expect(f).not.toMatch(/^(sae|datasets|paper|plot|io|cli|tfjs|random)\//);
    // and it did load the projections
    expect(loaded).toContain('projections.js');
  });

  test('exports the projections, their async twins, norms and thread control', () => {
    for (const name of [
      'bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'projectL1Inf', 'proxLInf1', 'projectL1Ball', 'norm',
      'bilevelL1InfAsync', 'bilevelL11Async', 'bilevelL12Async', 'projectL1InfAsync', 'proxLInf1Async',
      'getThreadCount', 'setThreadCount',
    ]) {
      expect(exports).toContain(name);
    }
    for (const name of ['selectFeatures', 'makeClassification', 'runTable1', 'parseLabelledCsv', 'kFold']) {
      expect(exports).not.toContain(name);
    }
  });
});

describe('subpath entries', () => {
  test.each([
    ['sae', ['selectFeatures', 'kFold', 'preprocess', 'parseLabelledCsv', 'loadLabelledCsv']],
    ['datasets', ['makeClassification']],
    ['paper', ['runTable1', 'formatTable1', 'runPaperTables', 'figure7Svg']],
  ])('%s exports %j', (sub, names) => {
    const { exports } = load(dist(`${sub}/index.js`));
    for (const name of names) expect(exports).toContain(name);
  });
});
