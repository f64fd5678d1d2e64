// Stress, leaks and resources:
//  - 10,000 async calls in flight at once, mixed methods, types, groupings and
//    memory (plain, offset views, SharedArrayBuffer, in place, bad calls and
//    aborts among them), each equal bit for bit to its synchronous twin;
//  - results do not depend on the thread count (large passes are split);
//  - 1,000,000 small synchronous calls (and 100,000 async ones) grow the RSS
//    of a fresh process by less than 10 MB (child process, --expose-gc,
//    measured after a warm-up and full GCs, with checkpoints along the way);
//  - an allocation that cannot be satisfied (the process's address space is
//    capped with prlimit) gives a RangeError naming the argument, never an
//    abort, and the process goes on working;
//  - an empty matrix with a huge dimension returns at once (child process
//    with a deadline: today the kernels walk every empty row);
//  - after an abort, a SharedArrayBuffer opts.out is not written either.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as bp from '../lib';

type Float = Float32Array | Float64Array;
type AsyncFn = (y: bp.Matrix, eta: number, o?: object) => Promise<bp.Projection>;
type SyncFn = (y: bp.Matrix, eta: number, o?: object) => bp.Projection;

const ROOT = path.join(__dirname, '..');

const PAIRS: [string, SyncFn, AsyncFn, object][] = [
  ['bilevelL1Inf', bp.bilevelL1Inf as SyncFn, bp.bilevelL1InfAsync as AsyncFn, {}],
  ['bilevelL11', bp.bilevelL11 as SyncFn, bp.bilevelL11Async as AsyncFn, {}],
  ['bilevelL12', bp.bilevelL12 as SyncFn, bp.bilevelL12Async as AsyncFn, {}],
  ['projectL1Inf newton', bp.projectL1Inf as SyncFn, bp.projectL1InfAsync as AsyncFn, { method: 'newton' }],
  ['projectL1Inf sort', bp.projectL1Inf as SyncFn, bp.projectL1InfAsync as AsyncFn, { method: 'sort' }],
  ['proxLInf1 newton', bp.proxLInf1 as SyncFn, bp.proxLInf1Async as AsyncFn, { method: 'newton' }],
  ['proxLInf1 sort', bp.proxLInf1 as SyncFn, bp.proxLInf1Async as AsyncFn, { method: 'sort' }],
];

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('10,000 async calls in flight at once', () => {
  test('each equals its synchronous twin bit for bit; bad calls reject cleanly; aborts leave out untouched', async () => {
    const N = 10_000;
    const rnd = lcg(2024);
    interface Job {
      k: number;
      kind: 'ok' | 'bad' | 'abort';
      pending: Promise<bp.Projection>;
      expected?: bp.Projection;
      out?: Float;
      outBefore?: Float;
      inPlace: boolean;
    }
    const jobs: Job[] = [];
    const aborters: AbortController[] = [];
    for (let k = 0; k < N; k++) {
      const [, sync, asyncFn, extra] = PAIRS[k % PAIRS.length];
      const rows = 1 + Math.floor(rnd() * 30), cols = 1 + Math.floor(rnd() * 30), n = rows * cols;
      const f32 = rnd() < 0.5;
      const C = f32 ? Float32Array : Float64Array;
      const memory = Math.floor(rnd() * 4); // 0 plain, 1 offset view, 2 shared, 3 shared offset view
      const shared = memory >= 2, offset = memory % 2 === 1 ? 3 : 0;
      const buf = shared ? new SharedArrayBuffer((n + 2 * offset) * C.BYTES_PER_ELEMENT) : new ArrayBuffer((n + 2 * offset) * C.BYTES_PER_ELEMENT);
      const data = new C(buf as ArrayBuffer, offset * C.BYTES_PER_ELEMENT, n);
      const spread = rnd() < 0.1 ? (f32 ? 1e30 : 1e300) : rnd() < 0.1 ? (f32 ? 1e-30 : 1e-300) : 1;
      for (let i = 0; i < n; i++) data[i] = (rnd() - 0.4) * spread;
      const y = { data, rows, cols };
      const groups = rnd() < 0.4 ? 'rows' : 'columns';
      const norm = bp.norm(y, 'l1inf', { groups });
      const eta = rnd() < 0.05 ? 0 : rnd() < 0.05 ? norm * 2 : norm * rnd() * 0.8;
      const outMode = Math.floor(rnd() * 4); // 0 none, 1 out, 2 shared out, 3 in place
      const roll = rnd();
      const kind: Job['kind'] = roll < 0.05 ? 'bad' : roll < 0.1 ? 'abort' : 'ok';
      if (kind === 'bad') {
        // One wrong argument among many right ones.
        const wrong = [
          () => asyncFn({ data, rows: rows + 1, cols }, eta, { ...extra, groups }),
          () => asyncFn(y, -1, { ...extra, groups }),
          () => asyncFn(y, eta, { ...extra, groups: 'diagonal' }),
          () => asyncFn(y, eta, { ...extra, out: new (f32 ? Float64Array : Float32Array)(n) }),
          () => asyncFn({ data: Float64Array.from(data, (v, i) => (i === n - 1 ? NaN : v)), rows, cols }, eta, extra),
        ][k % 5];
        jobs.push({ k, kind, pending: wrong(), inPlace: false });
        continue;
      }
      const expected = sync({ data: C.from(data), rows, cols }, eta, { ...extra, groups });
      let out: Float | undefined;
      if (outMode === 1) out = new C(n).fill(-42.5);
      if (outMode === 2) out = new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT) as unknown as ArrayBuffer).fill(-42.5);
      if (outMode === 3) out = data;
      const opts: Record<string, unknown> = { ...extra, groups, out };
      if (kind === 'abort') {
        // Aborted right away or a little later. A shared out is left out here:
        // see 'after an abort ...' below.
        if (out !== undefined && (outMode === 2 || (outMode === 3 && shared))) out = new C(n).fill(-42.5);
        opts.out = out;
        const ac = new AbortController();
        opts.signal = ac.signal;
        aborters.push(ac);
      } else if (rnd() < 0.2) {
        opts.signal = new AbortController().signal; // a live signal that never fires
      }
      jobs.push({
        k,
        kind,
        pending: asyncFn(y, eta, opts),
        expected,
        out,
        outBefore: out && outMode !== 3 ? (C.from(out) as Float) : undefined,
        inPlace: outMode === 3,
      });
    }
    // Half the aborts fire at once, half after a turn of the event loop.
    for (const [i, ac] of aborters.entries()) {
      if (i % 2) setImmediate(() => ac.abort());
      else ac.abort();
    }
    const settled = await Promise.allSettled(jobs.map((j) => j.pending));
    let ok = 0, rejected = 0, aborted = 0;
    settled.forEach((s, i) => {
      const j = jobs[i];
      if (j.kind === 'bad') {
        expect(s.status).toBe('rejected');
        const e = (s as PromiseRejectedResult).reason as Error;
        expect(['TypeError', 'RangeError']).toContain(e.name);
        rejected++;
        return;
      }
      if (s.status === 'rejected') {
        const e = s.reason as Error;
        if (j.kind !== 'abort' || e.name !== 'AbortError') throw new Error(`job ${j.k}: unexpected rejection ${e.name}: ${e.message}`);
        if (j.outBefore) expect(sameBits(j.out!, j.outBefore)).toBe(true);
        aborted++;
        return;
      }
      const r = s.value;
      if (j.out) expect(r.data).toBe(j.out);
      if (!sameBits(r.data, j.expected!.data)) throw new Error(`job ${j.k} (${PAIRS[j.k % PAIRS.length][0]}): data differs from the sync result`);
      if (!sameBits(r.radii, j.expected!.radii)) throw new Error(`job ${j.k}: radii differ from the sync result`);
      expect(r.zeroGroups).toBe(j.expected!.zeroGroups);
      ok++;
    });
    expect(ok + rejected + aborted).toBe(N);
    expect(ok).toBeGreaterThan(8000);
    expect(rejected).toBeGreaterThan(300);
  });
});

describe('threads', () => {
  test('results do not depend on the thread count (passes over >= 2^18 entries are split)', () => {
    const initial = bp.getThreadCount();
    const rnd = lcg(7);
    const cases = [
      { rows: 700, cols: 500, f32: false },
      { rows: 300, cols: 1100, f32: true },
    ];
    try {
      for (const c of cases) {
        const base = Float64Array.from({ length: c.rows * c.cols }, () => rnd() - 0.45);
        const data = c.f32 ? Float32Array.from(base) : base;
        const y = { data, rows: c.rows, cols: c.cols };
        for (const groups of ['columns', 'rows'] as const) {
          const eta = bp.norm(y, 'l1inf', { groups }) * 0.3;
          const run = () => PAIRS.map(([, sync, , extra]) => sync(y, eta, { ...extra, groups }));
          bp.setThreadCount(1);
          const one = run();
          const n1 = ['l1inf', 'l11', 'l12', 'linf1'].map((k) => bp.norm(y, k as bp.NormKind, { groups }));
          bp.setThreadCount(8);
          const many = run();
          const n8 = ['l1inf', 'l11', 'l12', 'linf1'].map((k) => bp.norm(y, k as bp.NormKind, { groups }));
          one.forEach((r, i) => {
            expect(sameBits(r.data, many[i].data)).toBe(true);
            expect(sameBits(r.radii, many[i].radii)).toBe(true);
          });
          expect(n1).toEqual(n8);
        }
      }
    } finally {
      bp.setThreadCount(initial);
    }
    expect(bp.getThreadCount()).toBe(initial);
  });
});

// ---------------------------------------------------------------------------
// Child processes. They load lib/*.ts straight from the sources (transpiled
// on the fly with the repository's TypeScript) and the addon from build/.

const PRELUDE = `
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'typescript'))});
require.extensions['.ts'] = (module, filename) => {
  const src = fs.readFileSync(filename, 'utf8');
  const js = ts.transpileModule(src, { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  module._compile(js, filename);
};
const bp = { ...require(${JSON.stringify(path.join(ROOT, 'lib', 'index.ts'))}), ...require(${JSON.stringify(path.join(ROOT, 'lib', 'datasets', 'index.ts'))}) };
const vmSizeKb = () => +/VmSize:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1];
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
`;

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-stress-'));
});
afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

function writeChild(name: string, body: string): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, PRELUDE + body);
  return file;
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a child script. With limitMb, the child first prints its VmSize (kB)
 * on a line of its own; its address space is then capped at that plus
 * limitMb (prlimit --as, on the running process) and it gets a line on stdin.
 */
function runChild(file: string, args: string[], limitMb?: number, timeoutMs = 120_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // Under a cap, one glibc arena: otherwise the first allocation on a
    // thread-pool thread reserves a new 64 MB arena out of the little address
    // space left, and V8's collector, finding none, aborts the process (seen
    // on a loaded machine, where another pool thread picks up the call).
    const env = limitMb === undefined ? process.env : { ...process.env, MALLOC_ARENA_MAX: '1' };
    const c = spawn(process.execPath, [...args, file], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '', stderr = '', released = limitMb === undefined;
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.stdout.on('data', (d) => {
      stdout += d;
      if (!released && /^\d+\n/.test(stdout)) {
        released = true;
        const kb = parseInt(stdout, 10);
        const bytes = (kb + limitMb! * 1024) * 1024;
        const r = spawnSync('prlimit', ['--pid', String(c.pid), `--as=${bytes}:${bytes}`]);
        if (r.error || r.status !== 0) {
          c.kill('SIGKILL');
          reject(new Error(`prlimit failed (${r.error?.message ?? r.stderr}); it comes with util-linux`));
          return;
        }
        c.stdin.write('go\n');
      }
    });
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result from the child:\n${stdout}`);
  return JSON.parse(line);
}

describe('memory', () => {
  test('1,000,000 small sync calls and 100,000 async ones grow the RSS by less than 10 MB', async () => {
    const file = writeChild(
      'rss.js',
      `
const small = [];
for (let k = 0; k < 16; k++) {
  const rows = 2 + (k % 4), cols = 3 + (k % 5), n = rows * cols;
  const C = k % 2 ? Float32Array : Float64Array;
  const data = C.from({ length: n }, (_, i) => Math.sin(1 + i * (k + 1)) * 3);
  small.push({ y: { data, rows, cols }, out: new C(n), v: C.from(data), vout: new C(n), bad: C.from(data, (x, i) => (i === 1 ? NaN : x)) });
}
const ops = [
  (s, o) => bp.bilevelL1Inf(s.y, 1.5, o),
  (s, o) => bp.bilevelL11(s.y, 2, o),
  (s, o) => bp.bilevelL12(s.y, 2, o),
  (s, o) => bp.projectL1Inf(s.y, 1.5, { ...o, method: 'newton' }),
  (s, o) => bp.projectL1Inf(s.y, 1.5, { ...o, method: 'sort' }),
  (s, o) => bp.proxLInf1(s.y, 1, o),
  (s, o) => bp.projectL1Ball(s.v, 2, o && { out: s.vout }),
  (s) => bp.norm(s.y, 'l12', { groups: 'rows' }),
];
function batch(count, offset) {
  let errors = 0;
  for (let i = 0; i < count; i++) {
    const k = offset + i, s = small[k % 16];
    if (k % 50 === 0) {
      // A failing call now and then: its error path must not leak either.
      try { bp.bilevelL11({ data: s.bad, rows: s.y.rows, cols: s.y.cols }, 1, { out: s.out }); } catch { errors++; }
      continue;
    }
    ops[k % ops.length](s, k % 3 === 0 ? undefined : { out: s.out, groups: k % 5 ? 'columns' : 'rows' });
  }
  return errors;
}
const settle = () => { for (let i = 0; i < 4; i++) global.gc(); };
const t0 = Date.now();
batch(100000, 0);                       // warm-up: JIT, heap sizing, allocator arenas
settle();
const base = rssMb();
const sync = [];
let errors = 0;
for (let part = 0; part < 4; part++) {
  errors += batch(250000, 100000 + part * 250000);
  settle();
  sync.push(+(rssMb() - base).toFixed(2));
}
const syncMs = Date.now() - t0;
(async () => {
  const t1 = Date.now();
  const asyncRun = async (count, offset) => {
    const inflight = [];
    for (let i = 0; i < count; i++) {
      const k = offset + i, s = small[k % 16];
      inflight.push(bp.bilevelL1InfAsync(s.y, 1.5, k % 2 ? { out: s.out } : undefined));
      if (inflight.length === 256) await Promise.all(inflight.splice(0));
    }
    await Promise.all(inflight);
  };
  await asyncRun(20000, 0);
  settle();
  const abase = rssMb();
  const asyncGrowth = [];
  for (let part = 0; part < 2; part++) {
    await asyncRun(50000, part * 50000);
    settle();
    asyncGrowth.push(+(rssMb() - abase).toFixed(2));
  }
  console.log(JSON.stringify({ base: +base.toFixed(1), sync, errors, syncMs, asyncBase: +abase.toFixed(1), asyncGrowth, asyncMs: Date.now() - t1 }));
})();
`,
    );
    const r = await runChild(file, ['--expose-gc'], undefined, 170_000);
    if (r.code !== 0) throw new Error(`the child failed (${r.code ?? r.signal}):\n${r.stderr.slice(0, 2000)}`);
    const m = lastJson(r.stdout) as { sync: number[]; asyncGrowth: number[]; errors: number; syncMs: number; asyncMs: number };
    console.log(`RSS growth after 250k, 500k, 750k, 1M sync calls: ${m.sync.join(', ')} MB (${m.syncMs} ms); after 50k, 100k async calls: ${m.asyncGrowth.join(', ')} MB (${m.asyncMs} ms)`);
    expect(m.errors).toBe(20000);
    for (const g of m.sync) expect(g).toBeLessThan(10);
    for (const g of m.asyncGrowth) expect(g).toBeLessThan(10);
  }, 180_000);
});

describe('resources: an allocation that cannot be satisfied', () => {
  const hasPrlimit = spawnSync('prlimit', ['--version']).status === 0;
  // prlimit (util-linux, installed by .ci/run) caps the child's address space.
  const itLimited = test;
  test('prlimit is available', () => expect(hasPrlimit).toBe(true));

  // The libuv thread pool starts on the first async call; if it cannot
  // create its threads (the address space is exhausted) libuv aborts the
  // process: a limitation of Node, not of this library. So the pool is
  // started before the limit is set.
  const SETUP = `
const report = {};
const attempt = async (name, f) => {
  // Free the previous attempt's garbage first: what is tested is this
  // library's answer to a failed allocation, not V8's own garbage collector
  // working without address space (it aborts when it cannot commit its heap).
  if (global.gc) global.gc();
  console.error('attempt: ' + name + ', VmSize ' + vmSizeKb() + ' kB');  // shown if the child dies
  try { const r = await f(); report[name] = { ok: true }; }
  catch (e) { report[name] = { ok: false, name: e && e.name, message: String(e && e.message).slice(0, 200) }; }
};
const limited = async (body) => {
  await bp.bilevelL1InfAsync({ data: new Float64Array(4), rows: 2, cols: 2 }, 1);   // start the thread pool
  console.log(String(vmSizeKb()));
  await new Promise((r) => process.stdin.once('data', r));
  process.stdin.destroy();
  await body();
  console.log(JSON.stringify(report));
  process.exit(0);
};
`;

  itLimited('a projection whose scratch space or result cannot be allocated: RangeError naming y.data, and the process lives on', async () => {
    const file = writeChild(
      'oom.js',
      SETUP +
        `
const N = 25_000_000;                      // 100 MB of float32 per array
const y = new Float32Array(N);
for (let i = 0; i < N; i++) y[i] = Math.sin(i);
const ys = new Float32Array(new SharedArrayBuffer(N * 4)); ys.set(y);
const out = new Float32Array(N);
const outs = new Float32Array(new SharedArrayBuffer(N * 4));
const y64 = Float64Array.from(y);           // 200 MB
const M = { data: y, rows: 5000, cols: 5000 }, MS = { data: ys, rows: 5000, cols: 5000 }, M64 = { data: y64, rows: 5000, cols: 5000 };
limited(async () => {
  // 80 MB left: the inputs and out exist; the sort method's scratch (several
  // arrays of N doubles), a new 200 MB result and the async snapshot do not.
  await attempt('sort scratch (sync)', () => bp.projectL1Inf(M, 1, { method: 'sort', out }));
  await attempt('sort scratch (async, shared input and out)', () => bp.projectL1InfAsync(MS, 1, { method: 'sort', out: outs }));
  await attempt('result array (sync, no out)', () => bp.bilevelL1Inf(M64, 1));
  await attempt('snapshot (async, ordinary input)', () => bp.projectL1InfAsync(M, 1, { method: 'sort', out }));
  await attempt('a small call afterwards', () => bp.projectL1Inf({ data: Float64Array.from([3, -1, 2, 5]), rows: 2, cols: 2 }, 1));
  await attempt('a small async call afterwards', () => bp.proxLInf1Async({ data: Float64Array.from([3, -1, 2, 5]), rows: 2, cols: 2 }, 1));
});
`,
    );
    // A fixed young generation: V8 never has to commit more of it under the cap.
    const r = await runChild(file, ['--max-old-space-size=256', '--min-semi-space-size=4', '--max-semi-space-size=4', '--expose-gc'], 80);
    if (r.code !== 0) throw new Error(`the child died (${r.code ?? r.signal}):\n${r.stdout.slice(-1500)}\n${r.stderr.slice(0, 2000)}`);
    const report = lastJson(r.stdout) as Record<string, { ok: boolean; name?: string; message?: string }>;
    expect(report['a small call afterwards']).toEqual({ ok: true });
    expect(report['a small async call afterwards']).toEqual({ ok: true });
    const seen = Object.entries(report)
      .filter(([k]) => !k.includes('afterwards'))
      .map(([k, e]) => ({ case: k, ok: e.ok, name: e.name, namesTheArray: /(^|[^\w.])y\.data($|[^\w])/.test(e.message ?? ''), message: e.message }));
    // None of them fits in 80 MB; each must be a RangeError that names y.data.
    expect(seen).toEqual(seen.map((e) => ({ case: e.case, ok: false, name: 'RangeError', namesTheArray: true, message: e.message })));
  }, 60_000);

  const MC_CASES: [string, object][] = [
    ['nClasses 2^31', { nClasses: 2 ** 31 }],
    ['nClasses 1e8', { nClasses: 1e8, nInformative: 40, nFeatures: 40 }],
    ['nClasses 2^40', { nClasses: 2 ** 40, nInformative: 60, nFeatures: 60 }],
    ['nSamples 1 x nFeatures 2^31', { nSamples: 1, nFeatures: 2 ** 31 }],
    ['nSamples 2^31 x nFeatures 1', { nSamples: 2 ** 31, nFeatures: 1, nInformative: 1, nRedundant: 0 }],
    ['nInformative 1e5', { nSamples: 1, nFeatures: 100000, nInformative: 100000, nRedundant: 0 }],
  ];
  itLimited.each(MC_CASES)('makeClassification(%s): a RangeError naming an option, quickly, never an abort', async (_name, opts) => {
    const file = writeChild(
      `mc-${_name.replace(/\W+/g, '_')}.js`,
      SETUP +
        `
limited(async () => {
  const t = Date.now();
  await attempt('call', () => { bp.makeClassification(${JSON.stringify(opts)}); return {}; });
  report.call.ms = Date.now() - t;
});
`,
    );
    // A 256 MB heap and 1 GB of address space: a runaway allocation fails in
    // seconds (or aborts the process), it cannot take the machine's memory.
    const r = await runChild(file, ['--max-old-space-size=256', '--min-semi-space-size=4', '--max-semi-space-size=4', '--expose-gc'], 1024, 60_000);
    if (r.code !== 0) {
      const fatal = r.stderr.split('\n').find((l) => /FATAL|Fatal|allocation failed/i.test(l)) ?? r.stderr.slice(0, 300);
      throw new Error(`the process died (${r.signal ?? `exit ${r.code}`}): ${fatal.trim()}`);
    }
    const e = (lastJson(r.stdout) as Record<string, { ok: boolean; name?: string; message?: string; ms: number }>).call;
    expect({ ok: e.ok, name: e.name, namesAnOption: /opts\.\w+/.test(e.message ?? ''), message: e.message }).toMatchObject({ ok: false, name: 'RangeError', namesAnOption: true });
    expect(e.ms).toBeLessThan(5000);
  }, 70_000);
});

describe('an empty matrix with a huge dimension that is not the groups', () => {
  // { data: new Float64Array(0), rows: 2 ** 40, cols: 0 } grouped by columns
  // is a valid empty matrix with no group, yet the kernels walk its 2^40
  // empty rows one by one (minutes of CPU; 2^53 - 1 rows: weeks), blocking
  // the event loop or a thread-pool thread. In a child process with a
  // deadline, so that the suite itself cannot hang.
  test('every entry point returns at once', async () => {
    const file = writeChild(
      'empty-huge.js',
      `
const big = 2 ** 40, empty = new Float64Array(0);
const calls = {
  bilevelL1Inf: () => bp.bilevelL1Inf({ data: empty, rows: big, cols: 0 }, 1),
  bilevelL11: () => bp.bilevelL11({ data: empty, rows: big, cols: 0 }, 1),
  bilevelL12: () => bp.bilevelL12({ data: empty, rows: big, cols: 0 }, 1),
  projectL1Inf: () => bp.projectL1Inf({ data: empty, rows: big, cols: 0 }, 1),
  proxLInf1: () => bp.proxLInf1({ data: empty, rows: 0, cols: big }, 1, { groups: 'rows' }),
  norm: () => bp.norm({ data: empty, rows: big, cols: 0 }, 'l12'),
  projectL1InfAsync: () => bp.projectL1InfAsync({ data: empty, rows: big, cols: 0 }, 1),
};
(async () => {
  for (const [name, f] of Object.entries(calls)) {
    const t = Date.now();
    let outcome;
    try { const r = await f(); outcome = typeof r === 'number' ? r : r.radii.length; } catch (e) { outcome = e.name + ': ' + e.message; }
    console.log(JSON.stringify({ name, ms: Date.now() - t, outcome }));
  }
  process.exit(0);
})();
`,
    );
    const r = await runChild(file, [], undefined, 15_000);
    const done = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { name: string; ms: number; outcome: unknown });
    const hung = r.code === 0 ? undefined : ['bilevelL1Inf', 'bilevelL11', 'bilevelL12', 'projectL1Inf', 'proxLInf1', 'norm', 'projectL1InfAsync'][done.length];
    expect({ hung, slow: done.filter((d) => d.ms > 1000).map((d) => d.name) }).toEqual({ hung: undefined, slow: [] });
    for (const d of done) expect(d.outcome).toBe(0); // no group: empty radii, norm 0
  }, 30_000);
});

describe('after an abort, opts.out is not written, shared memory included', () => {
  // README (Async): "After an abort, opts.out is never written." With a
  // SharedArrayBuffer out the worker writes the caller's memory directly, and
  // the kernels other than Newton do not stop: the write lands after the
  // Promise has rejected.
  // Sizes such that the kernel takes tens to hundreds of milliseconds: an
  // abort after a few milliseconds lands while it runs, and 2 s later it has
  // surely finished.
  test.each([
    ['bilevelL11Async', bp.bilevelL11Async as AsyncFn, {}, 3000],
    ['projectL1InfAsync sort', bp.projectL1InfAsync as AsyncFn, { method: 'sort' }, 1000],
    ['bilevelL1InfAsync', bp.bilevelL1InfAsync as AsyncFn, {}, 3000],
  ])('%s with a SharedArrayBuffer out', async (_n, f, extra, n) => {
    const data = new Float64Array(new SharedArrayBuffer(n * n * 8));
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37);
    const out = new Float64Array(new SharedArrayBuffer(n * n * 8));
    // The abort has to arrive while the worker runs: try a few delays, then
    // none at all (aborted in the same tick as the call: on a fast run with
    // two threads the work can beat even a 0 ms timer), several times, since
    // on a loaded machine the main thread can lose its core between the call
    // and the abort long enough for the worker to pass its last check.
    for (const delay of [8, 4, 2, 1, 0, -1, -1, -1, -1, -1]) {
      out.fill(2);
      const ac = new AbortController();
      const p = f({ data, rows: n, cols: n }, 0.5, { ...extra, out, signal: ac.signal });
      if (delay < 0) ac.abort();
      else setTimeout(() => ac.abort(), delay);
      const outcome = await p.then(() => 'resolved', (e: Error) => e.name);
      if (outcome === 'resolved') continue; // the work won the race: try an earlier abort
      expect(outcome).toBe('AbortError');
      const atRejection = out.every((v) => v === 2);
      // Watch out for up to 2 s: a worker still running has finished by then.
      for (let t = 0; t < 100 && out.every((v) => v === 2); t++) await new Promise((r) => setTimeout(r, 20));
      expect({ untouchedAtRejection: atRejection, untouchedLater: out.every((v) => v === 2) }).toEqual({ untouchedAtRejection: true, untouchedLater: true });
      return;
    }
    throw new Error('the work always finished before the abort');
  }, 60_000);
});
