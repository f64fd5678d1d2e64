// Runs inside the Node of the prebuild's own architecture (natively, or an
// arm64 Node under qemu-user on an x86-64 host; started by
// scripts/test-prebuild.js): the reference vectors and the async behaviour,
// through the compiled facade of the package at argv[2], with the prebuild of
// this platform (never a local build). Plain Node and no jest: jest under
// emulation would take minutes.
// Prints one line per group of checks and a closing "N passed, N failed".
'use strict';
const assert = require('assert/strict');
const fs = require('fs');
const path = require('path');

const [pkgDir, helpersFile] = process.argv.slice(2, 4).map((p) => path.resolve(p));
const wantArch = process.argv[4];
const { loadManifest, readInput, judge, hexOf, caseNorms, REFERENCE_DIR } = require(helpersFile);

let passed = 0;
let failed = 0;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err?.stack ? err.stack : err}`);
  }
}

function uniform(n, seed, Ctor = Float64Array) {
  const a = new Ctor(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 4294967296 - 0.3;
  }
  return a;
}

const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

async function main() {
  assert.equal(process.arch, wantArch, `this script must run in a Node for ${wantArch}`);
  // The binary that answers is this platform's prebuild, not a local build.
  const loaded = require(require.resolve('node-gyp-build', { paths: [pkgDir] })).path(pkgDir);
  assert.equal(path.relative(pkgDir, loaded), path.join('prebuilds', `linux-${wantArch}`, 'bilevel-projection.glibc.node'));
  const bp = require(path.join(pkgDir, 'dist', 'index.js'));
  // ... and it is the one the dynamic loader actually mapped into this process.
  const mapped = new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.split(/\s+/).slice(5).join(' ')).filter((f) => f.endsWith('.node')));
  assert.deepEqual([...mapped], [fs.realpathSync(loaded)], 'the .node files mapped into this process');
  console.log(`node ${process.version} ${process.arch}, binary ${path.relative(pkgDir, loaded)}`);

  const SYNC = { projectL1Inf: bp.projectL1Inf, proxLInf1: bp.proxLInf1, bilevelL1Inf: bp.bilevelL1Inf, bilevelL11: bp.bilevelL11, bilevelL12: bp.bilevelL12 };
  const ASYNC = { projectL1Inf: bp.projectL1InfAsync, proxLInf1: bp.proxLInf1Async, bilevelL1Inf: bp.bilevelL1InfAsync, bilevelL11: bp.bilevelL11Async, bilevelL12: bp.bilevelL12Async };
  const methodsOf = (c) => (c.algorithm === 'projectL1Inf' || c.algorithm === 'proxLInf1' ? ['default', 'newton', 'sort'] : ['default']);
  const optsOf = (c, m) => ({ groups: c.groups === 'rows' ? 'rows' : 'columns', ...(m === 'default' ? {} : { method: m }) });
  // The reference vectors live outside the repository (../shared); a
  // publisher's clone may not have them, CI always does (BP_REQUIRE_REFERENCE).
  const haveRef = fs.existsSync(path.join(REFERENCE_DIR, 'manifest.json'));
  if (!haveRef && process.env.BP_REQUIRE_REFERENCE === '1') throw new Error(`no reference vectors in ${REFERENCE_DIR}`);
  if (!haveRef) console.log(`WARNING: no reference vectors in ${REFERENCE_DIR}: checking the projections' defining properties only`);
  const cases = haveRef ? loadManifest() : [];

  await check('defining properties on random matrices: norms reach the radius, Newton and sort agree, prox = y - projection', () => {
    const tol = (x) => 1e-9 * Math.max(1, x);
    for (let k = 0; k < 24; k++) {
      const rows = 3 + (k % 11), cols = 2 + ((k * 7) % 13);
      const Ctor = k % 3 === 2 ? Float32Array : Float64Array;
      const y = { data: uniform(rows * cols, 100 + k, Ctor).map((v) => v * 7), rows, cols };
      const groups = k % 2 ? 'rows' : 'columns';
      const n = caseNorms(y.data, rows, cols, groups);
      const eta = n.l1inf * (0.1 + (k % 5) * 0.15);
      const ftol = (x) => (Ctor === Float32Array ? 1e-5 * Math.max(1, x) : tol(x));
      const b = bp.bilevelL1Inf(y, eta, { groups });
      assert.ok(Math.abs(b.radii.reduce((a, v) => a + v, 0) - eta) <= tol(eta), `bilevel radii sum, case ${k}`);
      assert.ok(caseNorms(b.data, rows, cols, groups).l1inf <= eta + ftol(eta), `bilevel l1inf, case ${k}`);
      const e1 = bp.projectL1Inf(y, eta, { groups, method: 'newton' });
      const e2 = bp.projectL1Inf(y, eta, { groups, method: 'sort' });
      assert.ok(Math.abs(caseNorms(e1.data, rows, cols, groups).l1inf - eta) <= ftol(eta), `exact l1inf norm, case ${k}`);
      assert.ok(e1.data.every((v, i) => Math.abs(v - e2.data[i]) <= ftol(n.l1inf)), `newton vs sort, case ${k}`);
      const p = bp.proxLInf1(y, eta, { groups, method: 'sort' });
      assert.ok(p.data.every((v, i) => Math.abs(v - (y.data[i] - e2.data[i])) <= ftol(n.l1inf)), `prox, case ${k}`);
      assert.ok(caseNorms(bp.bilevelL11(y, eta, { groups }).data, rows, cols, groups).l11 <= eta + ftol(eta), `bilevel l11, case ${k}`);
      assert.ok(caseNorms(bp.bilevelL12(y, eta, { groups }).data, rows, cols, groups).l12 <= eta + ftol(eta), `bilevel l12, case ${k}`);
      const v = bp.projectL1Ball(y.data, eta);
      assert.ok(Math.abs(v.reduce((a, x) => a + Math.abs(x), 0) - Math.min(eta, n.l11)) <= ftol(eta), `l1 ball, case ${k}`);
    }
  });

  if (haveRef) await check(`reference vectors: ${cases.length} cases, every method, sync (float64 to atol_tight)`, () => {
    assert.ok(cases.length > 0);
    const bad = [];
    for (const c of cases) {
      assert.equal(hexOf(c.eta), c.eta_hex);
      for (const m of methodsOf(c)) {
        const y = readInput(c);
        const before = y.slice();
        const r = c.algorithm === 'projectL1Ball'
          ? { data: bp.projectL1Ball(y, c.eta) }
          : SYNC[c.algorithm]({ data: y, rows: c.n, cols: c.m }, c.eta, optsOf(c, m));
        if (!same(y, before)) bad.push(`${c.id} (${m}): input written`);
        if (r.data.constructor !== y.constructor) bad.push(`${c.id} (${m}): ${r.data.constructor.name} out of ${y.constructor.name}`);
        const v = judge(c, r, c.input.dtype === 'float64');
        if (!v.ok) bad.push(`${c.id} (${m}): ${v.problems.join('; ')}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  if (haveRef) await check('reference vectors through the async twins: same PASS rule, bit for bit the sync result', async () => {
    const bad = [];
    for (const c of cases.filter((k) => k.algorithm !== 'projectL1Ball')) {
      for (const m of methodsOf(c)) {
        const y = readInput(c);
        const o = optsOf(c, m);
        const r = await ASYNC[c.algorithm]({ data: y, rows: c.n, cols: c.m }, c.eta, o);
        const v = judge(c, r, c.input.dtype === 'float64');
        if (!v.ok) bad.push(`${c.id} (${m}): ${v.problems.join('; ')}`);
        if (!same(y, readInput(c))) bad.push(`${c.id} (${m}): input changed`);
        const s = SYNC[c.algorithm]({ data: y, rows: c.n, cols: c.m }, c.eta, o);
        if (!same(r.data, s.data) || !same(r.radii, s.radii) || r.zeroGroups !== s.zeroGroups) bad.push(`${c.id} (${m}): async != sync`);
      }
    }
    assert.deepEqual(bad, []);
  });

  const PAIRS = [
    [bp.bilevelL1Inf, bp.bilevelL1InfAsync, {}], [bp.bilevelL11, bp.bilevelL11Async, {}], [bp.bilevelL12, bp.bilevelL12Async, {}],
    [bp.projectL1Inf, bp.projectL1InfAsync, { method: 'newton' }], [bp.projectL1Inf, bp.projectL1InfAsync, { method: 'sort' }],
    [bp.proxLInf1, bp.proxLInf1Async, {}],
  ];

  await check('300 async calls in flight at once, mixed methods, types and groups, all equal to the sync results', async () => {
    const jobs = Array.from({ length: 300 }, (_, k) => {
      const [sync, asyncFn, extra] = PAIRS[k % PAIRS.length];
      const rows = 5 + (k % 17), cols = 3 + (k % 23);
      const y = { data: uniform(rows * cols, k, k % 2 ? Float32Array : Float64Array), rows, cols };
      const o = { ...extra, groups: k % 3 === 0 ? 'rows' : 'columns' };
      const eta = 0.5 + (k % 7);
      return { sync: () => sync(y, eta, o), pending: asyncFn(y, eta, o) };
    });
    const results = await Promise.all(jobs.map((j) => j.pending));
    results.forEach((r, k) => {
      const s = jobs[k].sync();
      assert.ok(same(r.data, s.data) && same(r.radii, s.radii), `job ${k}`);
    });
  });

  await check('out, in place and SharedArrayBuffer views give the sync result', async () => {
    for (const [sync, asyncFn, extra] of PAIRS) {
      const rows = 30, cols = 40, n = rows * cols;
      const base = uniform(n, 3);
      const want = sync({ data: base, rows, cols }, 2, extra);
      const out = new Float64Array(n).fill(9);
      assert.equal((await asyncFn({ data: base, rows, cols }, 2, { ...extra, out })).data, out);
      assert.ok(same(out, want.data));
      const inPlace = base.slice();
      await asyncFn({ data: inPlace, rows, cols }, 2, { ...extra, out: inPlace });
      assert.ok(same(inPlace, want.data));
      const sab = new Float64Array(new SharedArrayBuffer(n * 8));
      sab.set(base);
      const sabOut = new Float64Array(new SharedArrayBuffer(n * 8));
      await asyncFn({ data: sab, rows, cols }, 2, { ...extra, out: sabOut });
      assert.ok(same(sabOut, want.data));
    }
  });

  await check('the event loop keeps turning during an async projection of a 1500 x 1500 matrix', async () => {
    const y = { data: uniform(1500 * 1500, 11).map(Math.abs), rows: 1500, cols: 1500 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const r = await bp.projectL1InfAsync(y, 1);
      assert.ok(r.zeroGroups > 0);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 3, `only ${ticks} ticks`);
  });

  await check('bad input rejects with the named argument; an aborted signal rejects with AbortError and writes nothing', async () => {
    for (const [, asyncFn, extra] of PAIRS) {
      await assert.rejects(asyncFn({ data: [1], rows: 1, cols: 1 }, 1, extra), (e) => e.name === 'TypeError' && /y\.data/.test(e.message));
      await assert.rejects(asyncFn({ data: Float64Array.from([1, NaN]), rows: 1, cols: 2 }, 1, extra), (e) => e.name === 'RangeError' && /y\.data/.test(e.message));
      const out = new Float64Array(2).fill(4);
      await assert.rejects(asyncFn({ data: Float64Array.from([1, Infinity]), rows: 1, cols: 2 }, 1, { ...extra, out }), { name: 'RangeError' });
      assert.deepEqual(Array.from(out), [4, 4]);
      const ac = new AbortController();
      ac.abort();
      const out6 = new Float64Array(6).fill(1);
      await assert.rejects(asyncFn({ data: uniform(6, 1), rows: 2, cols: 3 }, 1, { ...extra, out: out6, signal: ac.signal }), { name: 'AbortError' });
      assert.deepEqual(Array.from(out6), [1, 1, 1, 1, 1, 1]);
    }
  });

  await check('aborting a running Newton projection rejects with AbortError and leaves out alone', async () => {
    const n = 1500;
    const out = new Float64Array(n * n).fill(2);
    const ac = new AbortController();
    const p = bp.projectL1InfAsync({ data: uniform(n * n, 5), rows: n, cols: n }, 0.5, { out, signal: ac.signal, method: 'newton' });
    setTimeout(() => ac.abort(), 5);
    await assert.rejects(p, { name: 'AbortError' });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(out.every((v) => v === 2));
  });

  await check('buffers transferred away during a call: a TypeError naming the detached buffer, no crash', async () => {
    for (const [, asyncFn, extra] of PAIRS) {
      const n = 600;
      const data = uniform(n * n, 8);
      const out = new Float64Array(n * n);
      const p = asyncFn({ data, rows: n, cols: n }, 3, { ...extra, out });
      structuredClone(data.buffer, { transfer: [data.buffer] });
      structuredClone(out.buffer, { transfer: [out.buffer] });
      await assert.rejects(p, (e) => e.name === 'TypeError' && /detached/.test(e.message));
    }
  });

  await check('the addon loads in worker threads too', async () => {
    const { Worker } = require('worker_threads');
    const src = `const bp = require(${JSON.stringify(path.join(pkgDir, 'dist', 'index.js'))});
      const r = bp.bilevelL1Inf({ data: Float64Array.from([3, -1, 0.5, 2, 0.25, -4]), rows: 2, cols: 3 }, 2);
      require('worker_threads').parentPort.postMessage(Array.from(r.radii).join(','));`;
    const got = await Promise.all([0, 1].map(() => new Promise((resolve, reject) => {
      const w = new Worker(src, { eval: true });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    assert.deepEqual(got, ['0.5,0,1.5', '0.5,0,1.5']);
  });

  console.log(`${passed} passed, ${failed} failed${haveRef ? '' : ' (without reference vectors)'}`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
