// @tensorflow/tfjs is an optional peer: the main entry never loads it, and
// loading bilevel-projection/tfjs without it fails with one line that says
// what to install. Run on the built dist/ (as users load it), in child
// processes whose module resolver hides tfjs.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTfjs } from '../lib/tfjs/peer';

const ROOT = path.join(__dirname, '..');

// Makes require('@tensorflow/tfjs') (and tfjs-node) fail as if not installed.
const HIDE = `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (/^@tensorflow\\/tfjs(-node)?(\\/|$)/.test(request)) {
    const e = new Error("Cannot find module '" + request + "'");
    e.code = 'MODULE_NOT_FOUND';
    throw e;
  }
  return resolve.call(this, request, ...rest);
};
`;

let hook: string;
beforeAll(() => {
  expect(fs.existsSync(path.join(ROOT, 'dist', 'tfjs', 'index.js'))).toBe(true); // `npm test` builds it first
  hook = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bp-tfjs-')), 'hide.js');
  fs.writeFileSync(hook, HIDE);
});
afterAll(() => fs.rmSync(path.dirname(hook), { recursive: true, force: true }));

function run(args: string[]) {
  return spawnSync(process.execPath, ['-r', hook, ...args], { cwd: ROOT, encoding: 'utf8' });
}

const MESSAGE = 'bilevel-projection/tfjs needs TensorFlow.js, which is not installed: run `npm install @tensorflow/tfjs` (4.x; @tensorflow/tfjs-node also works)';

test('require and import of the subpath without tfjs: one line, code ERR_BP_MISSING_PEER', () => {
  const cjs = run(['-e', `try { require('bilevel-projection/tfjs') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`]);
  expect(cjs.status).toBe(0);
  expect(JSON.parse(cjs.stdout)).toEqual({ code: 'ERR_BP_MISSING_PEER', message: MESSAGE });
  expect(MESSAGE).not.toContain('\n');
  const esm = run(['--input-type=module', '-e', `try { await import('bilevel-projection/tfjs') } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`]);
  expect(JSON.parse(esm.stdout)).toEqual({ code: 'ERR_BP_MISSING_PEER', message: MESSAGE });
});

test('the hook really hides tfjs, and the main entry and the other subpaths load without it', () => {
  const r = run(['-e', `let hidden = false; try { require('@tensorflow/tfjs') } catch { hidden = true }
    const bp = require('bilevel-projection'); require('bilevel-projection/sae'); require('bilevel-projection/datasets'); require('bilevel-projection/ml-matrix');
    console.log(hidden, typeof bp.bilevelL1Inf)`]);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('true function');
});

test('with tfjs installed, the main entry still never loads it', () => {
  const out = execFileSync(process.execPath, ['-e', `require('bilevel-projection'); require('bilevel-projection/sae');
    console.log(Object.keys(require.cache).filter((k) => k.includes('@tensorflow')).length)`], { cwd: ROOT, encoding: 'utf8' });
  expect(out.trim()).toBe('0');
});

test('loadTfjs: only the package itself missing becomes the one-liner; a broken tfjs install keeps its own error', () => {
  const missing = (id: string) => Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- x.js`), { code: 'MODULE_NOT_FOUND' });
  expect(() => loadTfjs((id) => { throw missing(id); })).toThrow(expect.objectContaining({ code: 'ERR_BP_MISSING_PEER', message: MESSAGE }));
  const inner = missing('@tensorflow/tfjs-core');
  expect(() => loadTfjs(() => { throw inner; })).toThrow(inner);
  // tfjs-node alone (tfjs nested under it) is enough.
  const fake = { version: 'node' };
  expect(loadTfjs((id) => { if (id === '@tensorflow/tfjs') throw missing(id); return fake; })).toBe(fake);
});
